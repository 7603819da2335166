#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts of a WhatsMiner in one normalised shape for every firmware flavour."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_facts
short_description: Gather facts from WhatsMiner miners
version_added: 0.1.0
description:
  - Reads hash rates, power, temperatures, pools, hash boards, power supply, versions,
    mining status, network settings and error codes from a miner's API and returns them as
    the fact C(ansible_facts.whatsminer).
  - The facts have the same names, shape and units on every firmware generation. 2022-era
    firmware (API 2.0.x) and 2025 firmware report hash rates in different units, move data
    between replies and spell booleans and versions differently; all of this is normalised.
    Hash rates are in TH/s, power in W, temperatures in degrees Celsius, voltages in V,
    currents in A, frequencies in MHz, efficiency in J/TH, durations in seconds.
  - A value the firmware does not report is V(null); its key is always present.
  - Only reads; needs no password, sends no writes and changes nothing on the miner.
  - Each API command is read at most once per task, one TCP connection per command.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
attributes:
  check_mode:
    description: Only reads; runs the same in check mode.
    support: full
  diff_mode:
    description: Returns no diff.
    support: none
  facts:
    description: Returns the fact C(whatsminer) in C(ansible_facts).
    support: full
options:
  gather_subset:
    description:
      - Which groups of facts to read. V(all) reads every group; C(!name) leaves one out
        (V(!errors) alone means every group but the error codes).
      - V(summary) (command C(summary)) fills RV(ansible_facts.whatsminer.summary) with hash
        rates, power, efficiency, temperatures, fans and power mode.
      - V(pools) (C(pools)) fills RV(ansible_facts.whatsminer.pools).
      - V(devices) (C(edevs), plus C(devdetails) on firmware that still answers it) fills
        RV(ansible_facts.whatsminer.boards), one entry per hash board.
      - V(psu) (C(get_psu)) fills RV(ansible_facts.whatsminer.psu).
      - V(version) (C(get_version)) fills RV(ansible_facts.whatsminer.version).
      - V(status) (C(status)) fills RV(ansible_facts.whatsminer.status) with mining
        started or stopped, power mode and target frequency.
      - V(network) (C(get_miner_info)) fills RV(ansible_facts.whatsminer.network).
      - V(errors) (C(get_error_code)) fills RV(ansible_facts.whatsminer.errors).
    type: list
    elements: str
    choices: [all, summary, pools, devices, psu, version, status, network, errors,
              '!summary', '!pools', '!devices', '!psu', '!version', '!status', '!network', '!errors']
    default: [all]
notes:
  - When btminer is not running (after C(power_off) on some firmware, or while it restarts)
    the miner answers some reads with C(Socket connect failed). The facts of those commands
    are then empty (V(null) values, empty lists) and the commands are listed in
    RV(ansible_facts.whatsminer.unavailable); the task does not fail.
  - A single command that fails on its own (a lost reply, a timeout, garbage) is treated the
    same way, with the reason in RV(ansible_facts.whatsminer.read_errors), so that one bad
    read does not cost a report everything else about the miner. When no command answers at
    all (unreachable miner, wrong address) the task fails.
  - Hash rate units differ by firmware and are converted here. 2022-era firmware sends
    C(summary) and per-board C(edevs) rates in MH/s and the factory rate in GH/s. 2025
    firmware sends C(summary) rates in MH/s but per-board rates already in TH/s.
seealso:
  - module: minerops.whatsminer.whatsminer_power
  - module: minerops.whatsminer.whatsminer_pools
'''

EXAMPLES = r'''
- name: Gather every fact of the miners
  minerops.whatsminer.whatsminer_facts:

- name: Report hash rate and efficiency
  ansible.builtin.debug:
    msg: >-
      {{ inventory_hostname }}: {{ ansible_facts.whatsminer.summary.hashrate_5m_ths }} TH/s at
      {{ ansible_facts.whatsminer.summary.power_w }} W
      ({{ ansible_facts.whatsminer.summary.efficiency_j_per_th }} J/TH)
# 10.1.2.3: 84.94 TH/s at 3593.0 W (41.6 J/TH)

- name: Only the cheap reads for a fleet-wide status check
  minerops.whatsminer.whatsminer_facts:
    gather_subset:
      - status
      - summary

- name: Everything but the error codes
  minerops.whatsminer.whatsminer_facts:
    gather_subset:
      - '!errors'

- name: List miners with hash board over-temperature errors
  ansible.builtin.debug:
    msg: "{{ ansible_facts.whatsminer.errors | selectattr('code', 'in', [350, 351, 352]) | list }}"
  when: ansible_facts.whatsminer.errors | length > 0
'''

RETURN = r'''
ansible_facts:
  description: Facts to add to the host's facts.
  returned: always
  type: dict
  contains:
    whatsminer:
      description:
        - Facts of the miner. Only the keys of the gathered subsets are present, plus
          RV(ansible_facts.whatsminer.gather_subset) and RV(ansible_facts.whatsminer.unavailable).
      returned: always
      type: dict
      contains:
        gather_subset:
          description: The subsets gathered, after C(all) and C(!name) were resolved.
          returned: always
          type: list
          elements: str
          sample: [summary, pools, devices, psu, version, status, network, errors]
        unavailable:
          description: Commands that gave no data (btminer not running, or the read failed); their facts are empty.
          returned: always
          type: list
          elements: str
          sample: []
        read_errors:
          description: Why each failed read failed, by command (btminer-down answers are not errors).
          returned: always
          type: dict
          sample: {"get_psu": "miner 10.0.0.5:4028, command get_psu: connection closed without a reply"}
        summary:
          description: Miner-wide figures from C(summary).
          returned: when the summary subset is gathered
          type: dict
          contains:
            hashrate_ths:
              description: Average hash rate since btminer started, in TH/s.
              returned: success
              type: float
            hashrate_5s_ths:
              description: Hash rate over the last 5 seconds, in TH/s.
              returned: success
              type: float
            hashrate_1m_ths:
              description: Hash rate over the last minute, in TH/s.
              returned: success
              type: float
            hashrate_5m_ths:
              description: Hash rate over the last 5 minutes, in TH/s.
              returned: success
              type: float
            hashrate_15m_ths:
              description: Hash rate over the last 15 minutes, in TH/s.
              returned: success
              type: float
            target_hashrate_ths:
              description: Hash rate btminer aims at, in TH/s.
              returned: success
              type: float
            factory_hashrate_ths:
              description: Hash rate measured at the factory, in TH/s.
              returned: success
              type: float
            power_w:
              description: Input power in W.
              returned: success
              type: float
            power_limit_w:
              description: Power limit in W.
              returned: success
              type: int
            efficiency_j_per_th:
              description: Power divided by the 1-minute hash rate, in J/TH; V(null) when the miner does not hash.
              type: float
              returned: success
            power_mode:
              description: "Power mode: V(low), V(normal) or V(high)."
              returned: success
              type: str
            temperature_c:
              description: Hash board temperature in C.
              returned: success
              type: float
            env_temperature_c:
              description: Intake (environment) temperature in C.
              returned: success
              type: float
            chip_temp_min_c:
              description: Coolest chip in C.
              returned: success
              type: float
            chip_temp_max_c:
              description: Hottest chip in C.
              returned: success
              type: float
            chip_temp_avg_c:
              description: Average chip temperature in C.
              returned: success
              type: float
            fan_in_rpm:
              description: Intake fan speed in RPM.
              returned: success
              type: int
            fan_out_rpm:
              description: Exhaust fan speed in RPM.
              returned: success
              type: int
            frequency_avg_mhz:
              description: Average chip frequency in MHz.
              returned: success
              type: int
            target_frequency_mhz:
              description: Target chip frequency in MHz.
              returned: success
              type: int
            accepted:
              description: Shares accepted by the pools.
              returned: success
              type: int
            rejected:
              description: Shares rejected by the pools.
              returned: success
              type: int
            elapsed_s:
              description: Seconds since btminer started.
              returned: success
              type: int
            uptime_s:
              description: Seconds since the control board booted.
              returned: success
              type: int
            hash_stable:
              description: Whether the hash rate has settled after start-up.
              returned: success
              type: bool
            fast_boot:
              description: Whether btminer fast boot is enabled.
              returned: success
              type: bool
            firmware:
              description: Firmware version (without the quotes some firmware adds).
              returned: success
              type: str
          sample: {"hashrate_ths": 84.98, "hashrate_5m_ths": 84.94, "power_w": 3593.0, "efficiency_j_per_th": 41.6,
                   "power_mode": "normal", "hash_stable": true, "fast_boot": false, "firmware": "20220125.13.Rel"}
        pools:
          description: Configured pools in priority order (highest first). Empty when none is configured.
          returned: when the pools subset is gathered
          type: list
          elements: dict
          contains:
            slot:
              description: Pool slot number (1 to 3).
              returned: success
              type: int
            url:
              description: Pool URL.
              returned: success
              type: str
            user:
              description: Worker name.
              returned: success
              type: str
            status:
              description: Pool status as the miner reports it (for example C(Alive), C(Dead)).
              returned: success
              type: str
            priority:
              description: Priority, 0 is the highest.
              returned: success
              type: int
            accepted:
              description: Shares accepted by this pool.
              returned: success
              type: int
            rejected:
              description: Shares rejected by this pool.
              returned: success
              type: int
            stratum_active:
              description: Whether the miner is currently mining on this pool.
              returned: success
              type: bool
          sample: [{"slot": 1, "url": "stratum+tcp://btc.pool.example:3333", "user": "acct.m01", "status": "Alive",
                    "priority": 0, "accepted": 804, "rejected": 0, "stratum_active": true}]
        boards:
          description: One entry per hash board, from C(edevs) (subset V(devices)).
          returned: when the devices subset is gathered
          type: list
          elements: dict
          contains:
            slot:
              description: Board slot (0, 1, 2 ...).
              returned: success
              type: int
            enabled:
              description: Whether the board is enabled.
              returned: success
              type: bool
            status:
              description: Board status as the miner reports it (for example C(Alive)).
              returned: success
              type: str
            hashrate_ths:
              description: Average hash rate of the board in TH/s.
              returned: success
              type: float
            hashrate_5s_ths:
              description: 5-second hash rate in TH/s.
              returned: success
              type: float
            hashrate_1m_ths:
              description: 1-minute hash rate in TH/s.
              returned: success
              type: float
            hashrate_5m_ths:
              description: 5-minute hash rate in TH/s.
              returned: success
              type: float
            hashrate_15m_ths:
              description: 15-minute hash rate in TH/s.
              returned: success
              type: float
            factory_hashrate_ths:
              description: Factory hash rate of the board in TH/s.
              returned: success
              type: float
            temperature_c:
              description: Board temperature at the air outlet in C.
              returned: success
              type: float
            chip_temp_min_c:
              description: Coolest chip in C.
              returned: success
              type: float
            chip_temp_max_c:
              description: Hottest chip in C.
              returned: success
              type: float
            chip_temp_avg_c:
              description: Average chip temperature in C.
              returned: success
              type: float
            frequency_mhz:
              description: Average chip frequency in MHz.
              returned: success
              type: int
            accepted:
              description: Nonces accepted from this board.
              returned: success
              type: int
            rejected:
              description: Nonces rejected from this board.
              returned: success
              type: int
            effective_chips:
              description: Number of working chips.
              returned: success
              type: int
            upfreq_complete:
              description: Whether the frequency ramp-up is complete.
              returned: success
              type: bool
            serial:
              description: Serial number of the board (PCB SN).
              returned: success
              type: str
            chip_data:
              description: Chip batch data.
              returned: success
              type: str
            model:
              description: Miner model the board belongs to.
              returned: success
              type: str
        psu:
          description: Power supply, from C(get_psu).
          returned: when the psu subset is gathered
          type: dict
          contains:
            model:
              description: Power supply model.
              returned: success
              type: str
            name:
              description: Power supply name.
              returned: success
              type: str
            serial:
              description: Power supply serial number.
              returned: success
              type: str
            vendor:
              description: Vendor code (from C(vendor) or the misspelt C(vender) of older firmware).
              returned: success
              type: str
            hw_version:
              description: Hardware version.
              returned: success
              type: str
            sw_version:
              description: Software version.
              returned: success
              type: str
            fan_rpm:
              description: Power supply fan speed in RPM.
              returned: success
              type: int
            temperature_c:
              description: Power supply temperature in C.
              returned: success
              type: float
            input_voltage_v:
              description: Mains input voltage in V.
              returned: success
              type: float
            input_current_a:
              description: Mains input current in A.
              returned: success
              type: float
          sample: {"model": "P221B", "serial": "A1232B0120100049", "vendor": "7", "fan_rpm": 6976,
                   "temperature_c": 33.5, "input_voltage_v": 224.0, "input_current_a": 16.04}
        version:
          description: Versions, from C(get_version).
          returned: when the version subset is gathered
          type: dict
          contains:
            api_version:
              description: API version (2.0.x on 2022-era firmware, 2.2.x on 2025 firmware).
              returned: success
              type: str
            firmware:
              description: Firmware version.
              returned: success
              type: str
            platform:
              description: Control board platform.
              returned: success
              type: str
            chip:
              description: Chip identifier.
              returned: success
              type: str
            model:
              description: Miner model (C(miner_type) on 2025 firmware, C(devdetails) before).
              returned: success
              type: str
          sample: {"api_version": "2.0.5", "firmware": "20220125.13.Rel", "platform": "H6OS", "model": "M30S+VE40"}
        status:
          description: btminer status, from C(status).
          returned: when the status subset is gathered
          type: dict
          contains:
            mining:
              description: V(started) or V(stopped) (from C(btmineroff) or C(mineroff)).
              returned: success
              type: str
            power_mode:
              description: "Power mode: V(low), V(normal) or V(high)."
              returned: success
              type: str
            firmware:
              description: Firmware version.
              returned: success
              type: str
            target_freq_percent:
              description: Target frequency adjustment in percent.
              returned: success
              type: int
            power_limit_w:
              description: Power limit in W (V(null) on 2022-era firmware; see the summary).
              returned: success
              type: int
            power_percent:
              description: Power percentage (V(null) on 2022-era firmware).
              returned: success
              type: int
          sample: {"mining": "started", "power_mode": "normal", "firmware": "20250214.16.Rel",
                   "target_freq_percent": 0, "power_limit_w": 3600, "power_percent": 100}
        network:
          description: Network settings and identity, from C(get_miner_info).
          returned: when the network subset is gathered
          type: dict
          contains:
            ip:
              description: IPv4 address.
              returned: success
              type: str
            proto:
              description: V(dhcp) or V(static).
              returned: success
              type: str
            netmask:
              description: Network mask.
              returned: success
              type: str
            gateway:
              description: Default gateway.
              returned: success
              type: str
            dns:
              description: DNS servers.
              returned: success
              type: list
              elements: str
            hostname:
              description: Host name.
              returned: success
              type: str
            mac:
              description: MAC address (upper case).
              returned: success
              type: str
            led:
              description: "LED control: V(auto) or V(manual)."
              returned: success
              type: str
            serial:
              description: Miner serial number.
              returned: success
              type: str
            psu_serial:
              description: Power supply serial number.
              returned: success
              type: str
          sample: {"ip": "10.1.2.3", "proto": "dhcp", "netmask": "255.255.255.0", "gateway": "10.1.2.1",
                   "dns": ["10.1.2.1"], "hostname": "WhatsMiner-03", "mac": "C6:07:20:00:1E:C2", "led": "auto",
                   "serial": "HEM30SP0C400929K6000", "psu_serial": "A1232B0120100049"}
        errors:
          description: Error codes the miner reports, oldest first as the miner lists them. Empty when none.
          returned: when the errors subset is gathered
          type: list
          elements: dict
          contains:
            code:
              description: Error code (a string only if the miner sent a non-numeric code).
              returned: success
              type: int
            time:
              description: When the error was raised (miner local time).
              returned: success
              type: str
            description:
              description: What the code means; a generic text for codes not in the collection's table.
              returned: success
              type: str
          sample: [{"code": 329, "time": "2022-01-17 11:28:11",
                    "description": "Control board temperature sensor does not communicate"}]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import FACTS_SPEC, finish, run_facts


def main():
    module = AnsibleModule(argument_spec=FACTS_SPEC, supports_check_mode=True)
    finish(module, run_facts)


if __name__ == '__main__':
    main()
