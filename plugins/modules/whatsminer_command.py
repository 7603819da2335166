#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send any WhatsMiner API command: the escape hatch."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_command
short_description: Send any API command to WhatsMiner miners
version_added: 0.1.0
description:
  - Sends one API command with parameters and returns the decoded reply. This is for
    commands no other module of the collection covers, and for looking at raw replies.
    Prefer the declarative modules, which compare before they write and verify after.
  - Reads go out in plaintext. Writes are encrypted with the write token the other modules
    share (API v2), or signed (API v3, for native commands such as C(set.system.led)).
  - A command is a write when it is one of the write commands of API v2, or starts with
    C(set.) (API v3). O(write) overrides this for commands the module does not know.
  - Writes always report C(changed), since the module cannot know whether one changed
    anything. In check mode writes are not sent; the task is reported as skipped. Reads run
    in check mode too.
  - A write that restarts btminer or the board (C(reboot), C(restart_btminer),
    C(set_*_power), C(adjust_power_limit), C(set_target_freq), C(net_config)) usually gets
    no reply (RV(outcome) V(unknown)). With O(wait=true) the task then waits until the miner
    answers again and has restarted, like M(minerops.whatsminer.whatsminer_reboot).
  - Refused before anything is sent. C(factory_reset) goes through
    M(minerops.whatsminer.whatsminer_reboot), which asks for a confirmation.
    C(update_firmware) and C(download_logs) stream data, so they go through
    M(minerops.whatsminer.whatsminer_firmware) and M(minerops.whatsminer.whatsminer_logs).
    C(get_token) is not sent either, since tokens are managed by the collection and each
    one takes a slot on the miner for 30 minutes.
  - Parameters whose name contains C(pass), C(pwd), C(secret), C(token) or C(key), or is
    C(old) or C(new), are masked in the result. Their values (from 3 characters on) are
    also removed from the reply and from error messages.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
  - minerops.whatsminer.whatsminer.wait
attributes:
  check_mode:
    description: Reads are sent; writes are not (the task is reported as skipped).
    support: full
  diff_mode:
    description: The module does not know the state a command changes.
    support: none
options:
  command:
    description:
      - The API command, for example V(summary), V(get_miner_info), V(set_led), or an
        API v3 command such as V(get.device.info). Joined reads such as V(summary+pools)
        are allowed.
    type: str
    required: true
  params:
    description:
      - Parameters of the command, sent as keys beside C(cmd). For API v2, send numbers as
        strings where the vendor document says C(str) (C(percent), C(power_limit)); the
        module sends the values as given.
      - For an API v3 command, its parameter goes in the key C(param).
      - C(cmd), C(command), C(token), C(enc), C(data), C(ts) and C(account) are set by the
        client and refused here.
    type: dict
    default: {}
  write:
    description:
      - Whether the command is a write (encrypted, needs the password, skipped in check
        mode). Detected from the command name when not given.
    type: bool
notes:
  - Secret values in O(params) are masked in the result, but O(params) as a whole is not a
    secret option. Keep real secrets in Ansible Vault, and prefer
    M(minerops.whatsminer.whatsminer_password) for password changes.
seealso:
  - module: minerops.whatsminer.whatsminer_facts
  - module: minerops.whatsminer.whatsminer_reboot
'''

EXAMPLES = r'''
- name: Read the PSU details
  minerops.whatsminer.whatsminer_command:
    command: get_psu
  register: psu
# psu.reply.msg: {"name": "P221B", "vender": "...", "fan_speed": "6800", ...}

- name: Read the network details
  minerops.whatsminer.whatsminer_command:
    command: get_miner_info
    params:
      info: ip,proto,netmask,gateway,dns,hostname,mac,ledstat
  register: info

# Before: LED in auto mode. After: the LED blinks red, so the miner can be found in the rack.
- name: Blink the LED
  minerops.whatsminer.whatsminer_command:
    command: set_led
    params:
      color: red
      period: 1000
      duration: 500
      start: 0

# Before: btminer running. After: restarted, waited for and verified.
- name: Restart btminer through the raw API
  minerops.whatsminer.whatsminer_command:
    command: restart_btminer
    wait_timeout: 180

- name: An API v3 read
  minerops.whatsminer.whatsminer_command:
    command: get.device.info
    params:
      param: miner
'''

RETURN = r'''
miner:
  description: The miner, as C(host:port).
  returned: when the miner was contacted
  type: str
  sample: 10.1.2.3:4028
command:
  description: The command.
  returned: always
  type: str
  sample: set_led
params:
  description: The parameters sent, secret-looking ones masked.
  returned: always
  type: dict
  sample: {"color": "red", "period": 1000, "duration": 500, "start": 0}
write:
  description: Whether the command was treated as a write.
  returned: always
  type: bool
  sample: true
skipped:
  description: V(true) for a write in check mode, which is not sent.
  returned: when a write is skipped in check mode
  type: bool
  sample: true
outcome:
  description:
    - For a write, V(ok) (the miner confirmed) or V(unknown) (the miner closed the
      connection without a reply, as restarting writes do).
  returned: when a write was sent
  type: str
  sample: ok
reply:
  description:
    - The decoded reply, whatever its shape. C(status) (V(S) on success), C(code) (131 for
      most successes), C(msg) (text or data), C(description) and C(when) (the miner's Unix
      time). Replies in the cgminer shape (C(summary), C(pools), C(edevs) on 2022-era
      firmware) also carry their sections, such as C(SUMMARY) or C(POOLS).
    - V(null) when a write got no reply.
  returned: when the command was sent
  type: dict
  sample: {"status": "S", "code": 131, "msg": "API command OK", "description": "", "when": 1773869570}
restarts:
  description: V(board) or V(btminer) for a restarting write.
  returned: when a restarting write was sent
  type: str
  sample: btminer
waited:
  description: Seconds from sending a restarting write until the miner answered again and had restarted.
  returned: when a restarting write was sent and waited for
  type: float
  sample: 61.3
verified:
  description: Whether the restart was seen in the miner's restart counter (see M(minerops.whatsminer.whatsminer_reboot)).
  returned: when a restarting write was sent and waited for
  type: bool
  sample: true
error:
  description: Machine-readable failure (kind, miner, API code, command, message, hint).
  returned: failure
  type: dict
  sample: {"kind": "unsupported", "miner": "10.1.2.3:4028", "code": 14, "command": "get_foo",
           "message": "command not known to this firmware (miner said \"invalid cmd\")",
           "hint": "This firmware does not support the command"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils._command import COMMAND_SPEC, redact, run_command
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import finish


def main():
    module = AnsibleModule(argument_spec=COMMAND_SPEC, supports_check_mode=True)
    finish(module, run_command, redact=redact)


if __name__ == '__main__':
    main()
