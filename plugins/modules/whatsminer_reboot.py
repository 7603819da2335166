#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reboot a WhatsMiner, restart btminer, or reset it to factory settings."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_reboot
short_description: Reboot WhatsMiner miners, restart btminer, or reset them to factory settings
version_added: 0.1.0
description:
  - Reboots the control board (O(target=board), command C(reboot)) or restarts only the
    mining software (O(target=btminer), command C(restart_btminer)), then with O(wait=true)
    waits until the miner answers again and reports how long that took in RV(elapsed).
  - A restart is verified, not assumed. A miner may keep answering for a moment after the
    command, so once it answers, its restart counter (summary C(Uptime) for the board,
    C(Elapsed) for btminer) must be smaller than the time since the command was sent.
  - O(factory_reset=true) restores factory settings instead (command C(factory_reset)). This
    switches the write API off, resets the password to C(admin), removes the pools, resets
    the network to DHCP and the power and fan settings to their defaults, then reboots. It is
    refused unless O(confirm) holds the exact sentence given there. Afterwards the
    controller drops its cached write token and its last-applied record of the miner, and
    the wait covers reads only, since writes stay refused until the write API is enabled
    again with WhatsMinerTool.
  - Always reports C(changed), in check mode too, where nothing is sent.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
  - minerops.whatsminer.whatsminer.wait
attributes:
  check_mode:
    description: Sends nothing; reports the command that would be sent and C(changed).
    support: full
  diff_mode:
    description: A restart changes no setting, so there is nothing to show.
    support: none
options:
  target:
    description:
      - V(board) reboots the control board; the API is away for one to a few minutes and
        every write token is forgotten by the miner.
      - V(btminer) restarts the mining software only; hashing stops for about a minute, the
        API front end stays up and write tokens survive.
      - Must be V(board) with O(factory_reset=true).
    type: str
    choices: [board, btminer]
    default: board
  factory_reset:
    description:
      - Restore factory settings (see the description). Needs O(confirm).
      - Afterwards the miner can be read but not written to until its write API is enabled
        again with WhatsMinerTool, and the M(minerops.whatsminer.whatsminer_password) of the
        site must be set again from C(admin).
    type: bool
    default: false
  confirm:
    description:
      - With O(factory_reset=true), must be exactly
        C(I understand this resets the password and disables the write API).
      - Fails the task before anything is sent when it differs or is given without
        O(factory_reset).
    type: str
notes:
  - Use C(serial) or C(throttle) so that a site does not stop hashing all at once.
  - After a factory reset the miner asks DHCP for an address and may come back at another
    one; the wait then fails at the old address although the reset was done. Find the miner
    with the C(minerops.whatsminer.whatsminer) inventory plugin.
seealso:
  - module: minerops.whatsminer.whatsminer_power
  - module: minerops.whatsminer.whatsminer_password
'''

EXAMPLES = r'''
# Before: miner up for 40 days. After: rebooted; elapsed says how long it was away, and
# verified that its uptime restarted.
- name: Reboot ten miners at a time
  minerops.whatsminer.whatsminer_reboot:
  throttle: 10

# Before: btminer running for days. After: btminer restarted (Elapsed near 0), board untouched.
- name: Restart the mining software only
  minerops.whatsminer.whatsminer_reboot:
    target: btminer
    wait_timeout: 180
  register: restart
- name: Show how long it took
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} back after {{ restart.elapsed }} s"

- name: Reboot without waiting for the miners
  minerops.whatsminer.whatsminer_reboot:
    wait: false

# Before: configured miner. After: factory settings, password admin, write API off,
# no pools, DHCP. Nothing else can write to it until the API is enabled with WhatsMinerTool.
- name: Reset a miner that leaves the site
  minerops.whatsminer.whatsminer_reboot:
    factory_reset: true
    confirm: I understand this resets the password and disables the write API
  when: inventory_hostname in decommissioned
'''

RETURN = r'''
miner:
  description: The miner, as C(host:port).
  returned: when the miner was contacted
  type: str
  sample: 10.1.2.3:4028
command:
  description: The API command sent (in check mode, that would be sent).
  returned: always
  type: str
  sample: reboot
restarts:
  description: What restarts, V(board) or V(btminer).
  returned: always
  type: str
  sample: board
commands:
  description:
    - The command as a list entry like the other modules report it, with C(outcome) V(ok)
      (the miner answered first) or V(unknown) (it closed the connection, as most do).
  returned: always
  type: list
  elements: dict
  sample: [{"command": "reboot", "params": {}, "outcome": "unknown"}]
elapsed:
  description:
    - Seconds from sending the command until the miner answered again and had restarted;
      with O(wait=false), the seconds it took to send it.
  returned: always
  type: float
  sample: 74.2
verified:
  description:
    - Whether the restart was seen in the miner's restart counter. V(false) with
      O(wait=false), in check mode, or when the counter could not be read (btminer stopped
      on firmware that then refuses summary); the miner did answer again in that case.
  returned: always
  type: bool
  sample: true
error:
  description: Machine-readable failure (kind, miner, API code, command, message, hint).
  returned: failure
  type: dict
  sample: {"kind": "timeout", "miner": "10.1.2.3:4028", "code": null, "command": null, "phase": "restart",
           "message": "did not answer again within 300s (last: connection refused)",
           "hint": "Raise wait_timeout if this model restarts slowly, or check the miner"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils._reboot import REBOOT_SPEC, run_reboot
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import finish


def main():
    module = AnsibleModule(argument_spec=REBOOT_SPEC, supports_check_mode=True)
    finish(module, run_reboot)


if __name__ == '__main__':
    main()
