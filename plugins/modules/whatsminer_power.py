#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operational power settings of a WhatsMiner: mode, limit, frequency, percent, mining on/off."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_power
short_description: Set the power mode, power limit, frequency and mining state of WhatsMiner miners
version_added: 0.1.0
description:
  - Declares the operational power settings of a miner, the ones changed often (energy
    prices, curtailment, demand response). Only the options given are managed; the others are
    left as they are.
  - Reads the current values, writes only those that differ, then reads them back to verify.
  - O(mode), O(power_limit) and O(target_freq_percent) restart btminer (hashing stops for a
    minute or more and the miner often closes the connection without a reply). The writes
    are ordered so the miner restarts as few times as possible, the task waits for the miner
    between two restarting writes and, with O(wait=true), after the last one, then verifies.
    O(mining) is applied last, so that a restart cannot undo a stop.
  - O(power_percent) cannot be read back on 2022-era firmware (API 2.0.x), so it is write-only
    there and follows O(update_write_only). 2025 firmware reports it and it is compared like
    the other settings.
  - Everything is validated before the miner is contacted; on a value out of range nothing is
    sent and the task fails naming the option and the allowed values.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
  - minerops.whatsminer.whatsminer.wait
  - minerops.whatsminer.whatsminer.write_only
attributes:
  diff_mode:
    description: Shows the managed settings before and after.
    support: full
options:
  mode:
    description:
      - Power mode. V(high) draws more power for more hash rate; air-cooled models fall back
        to V(normal) when the intake air is too hot.
      - Restarts btminer when changed.
      - Read back from C(status) (2025 firmware) or C(summary) (2022-era firmware).
    type: str
    choices: [low, normal, high]
  power_limit:
    description:
      - Upper limit of the miner's input power in watts, from 0 to 99999. Values above the
        model's normal power have no effect; the firmware may then keep its old limit and
        the task fails verification with both values.
      - Restarts btminer when changed.
      - Read back from C(status) C(power_limit_set) (2025 firmware) or C(summary)
        C(Power Limit) (2022-era firmware).
    type: int
  target_freq_percent:
    description:
      - Target frequency as a percentage adjustment of the normal-mode frequency, from -100
        to 100; V(0) means no adjustment. Air-cooled models only accept negative values
        (underclocking); only water- and immersion-cooled models overclock.
      - Restarts btminer when changed.
      - Read back from C(status) C(hash_percent).
    type: int
  power_percent:
    description:
      - Power as a percentage of the stable mining power, from 0 to 100. Adjusted while
        mining, without a restart; a value too low for the model may make btminer restart
        itself. Air-cooled models accept it only in low or normal power mode.
      - Write-only on 2022-era firmware (sent according to O(update_write_only)); read back
        from C(status) C(power_pct) on 2025 firmware.
      - Sent as O(power_percent_mode) says.
    type: int
  power_percent_mode:
    description:
      - How O(power_percent) is applied.
      - V(normal) (command C(set_power_pct_v2)) adjusts over a few minutes with little loss of
        hash rate; suited to frequent changes.
      - V(fast) (command C(set_power_pct)) adjusts within a second at a larger loss of hash
        rate; meant for short, temporary changes.
    type: str
    choices: [normal, fast]
    default: normal
  mining:
    description:
      - V(stopped) stops hashing and powers the hash boards down (C(power_off)); the control
        board and the API stay up. V(started) powers them up again (C(power_on)).
      - Applied after every other setting of the task.
      - Read back from C(status) C(btmineroff) (2022-era firmware) or C(mineroff) (2025 firmware).
    type: str
    choices: [started, stopped]
  preheat:
    description:
      - When O(mining=started) starts a stopped miner, preheat it first. The module sends
        C(pre_power_on), polls it (the same command, without parameters) until the miner
        answers C(complete) V(true) or O(preheat_timeout) has passed, then sends C(power_on).
        A preheated miner reaches full power quickly after C(power_on).
      - If the preheat does not complete in time, the miner is started anyway with a warning.
        Firmware without C(pre_power_on) (API v3) is started without it, with a warning.
      - Has no effect when the miner already mines or when O(mining) is not V(started).
    type: bool
    default: false
  preheat_timeout:
    description:
      - Seconds to wait for the preheat to complete, from 1 to 7200.
    type: int
    default: 600
  state:
    description:
      - V(merged) sets the given options and leaves the others as they are.
      - V(gathered) only reads every power setting into RV(gathered); no option is needed.
      - V(rendered) contacts no miner and returns the commands V(merged) would send if every
        given option differed, in RV(rendered).
    type: str
    choices: [merged, gathered, rendered]
    default: merged
notes:
  - Stagger restarting changes across a site with C(serial) or C(throttle), since every miner
    whose mode, limit or frequency changes stops hashing while btminer restarts.
  - Long-term tuning (temperature offset, fan behaviour, ramp-up speed, fast boot) is in
    M(minerops.whatsminer.whatsminer_tuning).
seealso:
  - module: minerops.whatsminer.whatsminer_tuning
  - module: minerops.whatsminer.whatsminer_facts
'''

EXAMPLES = r'''
# Before: mode normal, power limit 3600 W, mining.
- name: Curtail during peak prices
  minerops.whatsminer.whatsminer_power:
    mode: low
    power_limit: 3000
  throttle: 20
# After: mode low, power limit 3000 W; btminer restarted once per write, then both values
# were read back. A second run reports ok (changed=false) and sends nothing.

# Before: mining. After: hash boards off, API still answering.
- name: Stop hashing for a demand-response event
  minerops.whatsminer.whatsminer_power:
    mining: stopped

# Before: stopped, mode low. After: mode normal, then mining again (mining is applied last).
- name: Back to normal operation
  minerops.whatsminer.whatsminer_power:
    mode: normal
    mining: started

# Before: power percent 100 (2025 firmware) or unknown (2022-era firmware).
# After: about 80 % of the stable mining power, without a restart.
- name: Trim power by 20 percent for a few minutes
  minerops.whatsminer.whatsminer_power:
    power_percent: 80
    power_percent_mode: fast

# Before: stopped (hash boards off). After: preheated, then mining; commands shows
# pre_power_on (outcome complete, with the number of polls) followed by power_on.
- name: Start mining after a curtailment, preheating the hash boards first
  minerops.whatsminer.whatsminer_power:
    mining: started
    preheat: true
    preheat_timeout: 900

- name: Underclock by 10 percent, sending the write without waiting for the restart
  minerops.whatsminer.whatsminer_power:
    target_freq_percent: -10
    wait: false

- name: Read the power settings only
  minerops.whatsminer.whatsminer_power:
    state: gathered
  register: power
# power.gathered: {"mode": "normal", "power_limit": 3600, "target_freq_percent": 0,
#                  "power_percent": null, "mining": "started"}
# power.write_only: ["power_percent"] on 2022-era firmware

- name: Show the commands a change would send, without contacting the miner
  minerops.whatsminer.whatsminer_power:
    state: rendered
    mode: high
    power_limit: 3600
'''

RETURN = r'''
before:
  description:
    - The managed settings before the task, as the miner reported them. A write-only setting
      shows what this controller last wrote to that miner, or V(null) when it has no record.
  returned: state is merged
  type: dict
  sample: {"mode": "normal", "power_limit": 3600}
after:
  description:
    - The managed settings after the task, as read back from the miner (as planned in check
      mode, or when O(wait=false) left a restarting write unverified).
  returned: state is merged
  type: dict
  sample: {"mode": "low", "power_limit": 3000}
diff:
  description: The same V(before) and V(after), shown with C(--diff).
  returned: state is merged
  type: dict
  sample: {"before": {"mode": "normal"}, "after": {"mode": "low"}}
commands:
  description:
    - The API writes in the order sent (in check mode, that would be sent).
    - Each has C(command), C(params), the C(settings) it sets, C(restarts) (V(btminer)) for a
      restarting write and, once sent, C(outcome) V(ok) (the miner confirmed) or V(unknown)
      (the miner closed the connection while restarting; the value was then verified by
      reading it back).
    - With O(preheat), C(pre_power_on) comes before C(power_on); its C(outcome) is
      V(complete), V(timeout) or V(unsupported), and C(polls) counts the requests sent.
  returned: state is merged
  type: list
  elements: dict
  sample: [{"command": "set_low_power", "params": {}, "settings": ["mode"], "restarts": "btminer",
            "outcome": "unknown"},
           {"command": "adjust_power_limit", "params": {"power_limit": "3000"}, "settings": ["power_limit"],
            "restarts": "btminer", "outcome": "ok"}]
write_only:
  description: Settings of the task this firmware cannot report back (compared against the controller's record).
  returned: state is merged or gathered
  type: list
  elements: str
  sample: ["power_percent"]
skipped_write_only:
  description: Write-only settings not sent because of O(update_write_only).
  returned: state is merged
  type: list
  elements: str
  sample: []
restarted:
  description: Whether a write restarted btminer.
  returned: when writes were sent (not in check mode)
  type: bool
  sample: true
waited:
  description: Seconds spent waiting for the miner to answer again after restarts.
  returned: when writes were sent (not in check mode)
  type: float
  sample: 74.2
gathered:
  description: Every power setting as read from the miner; V(null) for write-only ones.
  returned: state is gathered
  type: dict
  sample: {"mode": "normal", "power_limit": 3600, "target_freq_percent": 0, "power_percent": 100,
           "mining": "started"}
rendered:
  description: The commands V(merged) would send if every given option differed.
  returned: state is rendered
  type: list
  elements: dict
  sample: [{"command": "set_high_power", "params": {}, "settings": ["mode"], "restarts": "btminer"}]
error:
  description: Machine-readable failure (kind, miner, API code, command, message, hint).
  returned: failure
  type: dict
  sample: {"kind": "not_applied", "miner": "10.1.2.3:4028", "code": null, "command": null,
           "message": "the miner did not apply the change (power_limit: wanted 5000, miner reports 3600)",
           "hint": "The write was sent; the firmware may reject this value silently"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import POWER_SPEC, finish, run_power


def main():
    module = AnsibleModule(argument_spec=POWER_SPEC, supports_check_mode=True)
    finish(module, run_power)


if __name__ == '__main__':
    main()
