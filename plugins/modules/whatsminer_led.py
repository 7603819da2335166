#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LED of a WhatsMiner: automatic, or a manual pattern to find the miner on a rack."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_led
short_description: Blink the LED of WhatsMiner miners to locate them, or give it back to the firmware
version_added: 0.1.0
description:
  - Sets the front LED to automatic control (O(mode=auto), the firmware shows the miner's
    status) or to a manual pattern (O(mode=manual)), typically to find one miner in a row of
    racks.
  - The miner reports only whether its LED is automatic or manual (C(get_miner_info)
    C(ledstat)), which is compared and read back. The manual pattern (O(color), O(period),
    O(duration), O(start)) cannot be read back - it is write-only and sent according to
    O(update_write_only), compared with what this controller last wrote to that miner.
  - The whole pattern travels in one C(set_led) command, whichever part differs.
  - Nothing restarts. Everything is validated before the miner is contacted; on a bad value
    nothing is sent and the task fails naming the option and what is allowed.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
  - minerops.whatsminer.whatsminer.write_only
attributes:
  diff_mode:
    description: Shows the LED mode (as reported) and pattern (as last written by this controller) before and after.
    support: full
options:
  mode:
    description:
      - V(auto) gives the LED back to the firmware; no pattern option may be given then.
      - V(manual) blinks the pattern of O(color), O(period), O(duration) and O(start). Giving
        any of them without O(mode) means V(manual); those not given take their defaults.
    type: str
    choices: [auto, manual]
  color:
    description: Color of the manual pattern. Default V(red) with O(mode=manual).
    type: str
    choices: [red, green]
  period:
    description:
      - Length of one blink cycle in milliseconds, from 1 to 60000. Default V(1000) with
        O(mode=manual).
    type: int
  duration:
    description:
      - How long the LED is on in each cycle, in milliseconds, from 1 to O(period). Default
        V(500) with O(mode=manual).
    type: int
  start:
    description:
      - When the LED turns on within each cycle, in milliseconds from the cycle's start, from 0
        to less than O(period). Default V(0) with O(mode=manual).
    type: int
  state:
    description:
      - V(merged) sets the given options.
      - V(gathered) only reads the LED mode into RV(gathered) (the pattern is V(null) and listed
        in RV(write_only)); no option is needed.
      - V(rendered) contacts no miner and returns the command V(merged) would send, in
        RV(rendered).
    type: str
    choices: [merged, gathered, rendered]
    default: merged
notes:
  - A pattern changed by other tools while the LED stays manual is not seen; use
    O(update_write_only=always) to send the pattern again anyway.
seealso:
  - module: minerops.whatsminer.whatsminer_facts
'''

EXAMPLES = r'''
# Before: LED on automatic control.
- name: Blink the LED of the miner to replace
  minerops.whatsminer.whatsminer_led:
    mode: manual
    color: red
    period: 1000
    duration: 500
  when: inventory_hostname == 'rack3-slot21'
# After: LED manual, red, on 500 ms of every second (one set_led with period, duration and start
# as integers). A second run reports ok (changed=false) and sends nothing.

# Before: LED manual (blinking). After: LED on automatic control.
- name: Give the LED back to the firmware
  minerops.whatsminer.whatsminer_led:
    mode: auto

# Before: LED manual red (as last written by this controller). After: green, same cycle.
- name: Switch the locate pattern to green
  minerops.whatsminer.whatsminer_led:
    color: green
    period: 1000
    duration: 500

- name: Read the LED mode only
  minerops.whatsminer.whatsminer_led:
    state: gathered
  register: led
# led.gathered: {"mode": "auto", "color": null, "period": null, "duration": null, "start": null}
'''

RETURN = r'''
before:
  description:
    - The managed settings before the task. O(mode) as the miner reported it; the pattern as
      this controller last wrote it to that miner (V(null) when it has no record).
  returned: state is merged
  type: dict
  sample: {"mode": "auto", "color": null, "period": null, "duration": null, "start": null}
after:
  description: The managed settings after the task (O(mode) read back; as planned in check mode).
  returned: state is merged
  type: dict
  sample: {"mode": "manual", "color": "red", "period": 1000, "duration": 500, "start": 0}
diff:
  description: The same V(before) and V(after), shown with C(--diff).
  returned: state is merged
  type: dict
  sample: {"before": {"mode": "auto"}, "after": {"mode": "manual"}}
commands:
  description:
    - The API writes in the order sent (in check mode, that would be sent), each with
      C(command), C(params), the C(settings) it sets and, once sent, C(outcome) V(ok).
  returned: state is merged
  type: list
  elements: dict
  sample: [{"command": "set_led", "params": {"color": "red", "period": 1000, "duration": 500, "start": 0},
            "settings": ["mode", "color", "period", "duration", "start"], "outcome": "ok"}]
write_only:
  description: Settings of the task this firmware cannot report back (the pattern).
  returned: state is merged or gathered
  type: list
  elements: str
  sample: ["color", "duration", "period", "start"]
skipped_write_only:
  description: Write-only settings not sent because of O(update_write_only).
  returned: state is merged
  type: list
  elements: str
  sample: []
gathered:
  description: The LED mode as read from the miner; the pattern is V(null).
  returned: state is gathered
  type: dict
  sample: {"mode": "manual", "color": null, "period": null, "duration": null, "start": null}
rendered:
  description: The command V(merged) would send.
  returned: state is rendered
  type: list
  elements: dict
  sample: [{"command": "set_led", "params": {"param": "auto"}, "settings": ["mode"]}]
error:
  description: Machine-readable failure (kind, miner, API code, command, message, hint).
  returned: failure
  type: dict
  sample: {"kind": "validation", "miner": "192.168.10.21:4028", "code": null, "command": null,
           "message": "duration must be at most period (1000 ms), got 1500", "hint": ""}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils._led import LED_SPEC, run_led
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import finish


def main():
    module = AnsibleModule(argument_spec=LED_SPEC, supports_check_mode=True)
    finish(module, run_led)


if __name__ == '__main__':
    main()
