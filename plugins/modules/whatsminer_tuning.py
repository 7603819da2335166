#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Set-and-forget behaviour of a WhatsMiner: temperature offset, fans, ramp-up, fast boot."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_tuning
short_description: Set the cooling and start-up behaviour of WhatsMiner miners
version_added: 0.1.0
description:
  - Declares how a miner cools and starts up. Only the options given are managed; the others
    are left as they are.
  - These settings are usually set once per site or model and then left alone, while
    M(minerops.whatsminer.whatsminer_power) holds the settings changed often (mode, limit,
    frequency, mining on/off). They are a separate module because they behave differently.
    Most of them cannot be read back from the miner (write-only), so idempotency rests on
    the controller's record of what it last wrote (O(update_write_only)); none of them
    restarts btminer. Kept apart, a frequent power change never re-sends or reports the
    write-only tuning values, and a tuning run never risks a restart.
  - Write-only on every firmware - O(temp_offset), O(fan_zero_speed), O(poweroff_cool).
    Write-only on 2022-era firmware (API 2.0.x) and read back on 2025 firmware -
    O(upfreq_speed). Always read back - O(fast_boot).
  - Readable settings are compared, written only when they differ and read back to verify.
    Write-only settings are sent according to O(update_write_only) and never reported as
    changed when nothing was sent.
  - Everything is validated before the miner is contacted; on a value out of range nothing is
    sent and the task fails naming the option and the allowed values.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
  - minerops.whatsminer.whatsminer.write_only
attributes:
  diff_mode:
    description: Shows the managed settings before and after (write-only ones as last written by this controller).
    support: full
options:
  temp_offset:
    description:
      - Offset of the hash boards' target temperature in degrees Celsius, from -30 to 0.
        Lower values keep the boards cooler at the cost of more fan noise and power.
      - Write-only on every firmware.
    type: int
  upfreq_speed:
    description:
      - Speed of the frequency ramp-up after btminer starts, from 0 (normal) to 9 (fastest).
        Faster ramp-up reaches full hash rate sooner but ends with a larger deviation of hash
        rate and power and may affect stability. Cannot be combined with O(fast_boot).
      - Write-only on 2022-era firmware; read back from C(get_miner_info) on 2025 firmware.
    type: int
  fan_zero_speed:
    description:
      - Whether the fans may stop completely (lowest speed 0), for immersion or hydro cooling.
      - Write-only on every firmware.
    type: bool
  poweroff_cool:
    description:
      - Whether the fans keep cooling the miner after mining stops.
      - Write-only on every firmware.
    type: bool
  fast_boot:
    description:
      - Whether btminer starts with the frequencies of its last run instead of tuning them
        again (faster to full hash rate after a restart).
      - Takes effect at the next btminer restart; read back from C(summary)
        C(Btminer Fast Boot).
    type: bool
  state:
    description:
      - V(merged) sets the given options and leaves the others as they are.
      - V(gathered) only reads the tuning settings into RV(gathered) (V(null) for those this
        firmware cannot report, listed in RV(write_only)); no option is needed.
      - V(rendered) contacts no miner and returns the commands V(merged) would send if every
        given option differed, in RV(rendered).
    type: str
    choices: [merged, gathered, rendered]
    default: merged
notes:
  - No tuning write restarts btminer; readable settings are read back for at most 15 seconds
    after the write.
  - A write-only setting changed by another tool (WhatsMinerTool, the web interface) is not
    seen. Use O(update_write_only=always) once to enforce the desired values again.
seealso:
  - module: minerops.whatsminer.whatsminer_power
  - module: minerops.whatsminer.whatsminer_facts
'''

EXAMPLES = r'''
# Before: factory defaults (temp offset 0, fans never stop, fast boot off); no record on
# this controller.
- name: Site cooling profile for the immersion room
  minerops.whatsminer.whatsminer_tuning:
    temp_offset: -5
    fan_zero_speed: true
    poweroff_cool: false
    fast_boot: true
# After: all four sent; fast boot read back as enabled (active from the next restart). A
# second run reports ok (changed=false): fast_boot reads back equal, the write-only values
# equal the controller's record, nothing is sent.

# Before (2025 firmware): upfreq speed 0. After: 3, read back.
# On 2022-era firmware the value is write-only and follows update_write_only.
- name: Faster ramp-up after restarts
  minerops.whatsminer.whatsminer_tuning:
    upfreq_speed: 3
    fast_boot: false

- name: Re-send the write-only settings even if this controller wrote them before
  minerops.whatsminer.whatsminer_tuning:
    temp_offset: -5
    fan_zero_speed: true
    update_write_only: always

- name: Read what the firmware can report
  minerops.whatsminer.whatsminer_tuning:
    state: gathered
  register: tuning
# tuning.gathered: {"temp_offset": null, "upfreq_speed": 3, "fan_zero_speed": null,
#                   "poweroff_cool": null, "fast_boot": false}
# tuning.write_only: ["fan_zero_speed", "poweroff_cool", "temp_offset"] on 2025 firmware

- name: Show the commands without contacting the miner
  minerops.whatsminer.whatsminer_tuning:
    state: rendered
    temp_offset: -5
    poweroff_cool: true
'''

RETURN = r'''
before:
  description:
    - The managed settings before the task. Readable ones as the miner reported them;
      write-only ones as this controller last wrote them to that miner, or V(null) when it has
      no record.
  returned: state is merged
  type: dict
  sample: {"temp_offset": null, "fast_boot": false}
after:
  description:
    - The managed settings after the task; readable ones as read back from the miner (as
      planned in check mode).
  returned: state is merged
  type: dict
  sample: {"temp_offset": -5, "fast_boot": true}
diff:
  description: The same V(before) and V(after), shown with C(--diff).
  returned: state is merged
  type: dict
  sample: {"before": {"temp_offset": null}, "after": {"temp_offset": -5}}
commands:
  description:
    - The API writes in the order sent (in check mode, that would be sent), each with
      C(command), C(params), the C(settings) it sets and, once sent, C(outcome).
  returned: state is merged
  type: list
  elements: dict
  sample: [{"command": "set_temp_offset", "params": {"temp_offset": "-5"}, "settings": ["temp_offset"],
            "outcome": "ok"},
           {"command": "enable_btminer_fast_boot", "params": {}, "settings": ["fast_boot"], "outcome": "ok"}]
write_only:
  description: Settings of the task this firmware cannot report back (compared against the controller's record).
  returned: state is merged or gathered
  type: list
  elements: str
  sample: ["temp_offset"]
skipped_write_only:
  description: Write-only settings not sent because of O(update_write_only).
  returned: state is merged
  type: list
  elements: str
  sample: ["temp_offset"]
restarted:
  description: Whether a write restarted btminer (never for tuning writes).
  returned: when writes were sent (not in check mode)
  type: bool
  sample: false
waited:
  description: Seconds spent waiting for restarts (always 0 for tuning writes).
  returned: when writes were sent (not in check mode)
  type: float
  sample: 0.0
gathered:
  description: Every tuning setting as read from the miner; V(null) for write-only ones.
  returned: state is gathered
  type: dict
  sample: {"temp_offset": null, "upfreq_speed": null, "fan_zero_speed": null, "poweroff_cool": null,
           "fast_boot": false}
rendered:
  description: The commands V(merged) would send if every given option differed.
  returned: state is rendered
  type: list
  elements: dict
  sample: [{"command": "set_poweroff_cool", "params": {"poweroff_cool": "1"}, "settings": ["poweroff_cool"]}]
error:
  description: Machine-readable failure (kind, miner, API code, command, message, hint).
  returned: failure
  type: dict
  sample: {"kind": "write_disabled", "miner": "10.1.2.3:4028", "code": null, "command": "set_temp_offset",
           "message": "write API is switched off", "hint": "enable it once with WhatsMinerTool"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import TUNING_SPEC, finish, run_tuning


def main():
    module = AnsibleModule(argument_spec=TUNING_SPEC, supports_check_mode=True)
    finish(module, run_tuning)


if __name__ == '__main__':
    main()
