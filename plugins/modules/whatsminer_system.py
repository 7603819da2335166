#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""System settings of a WhatsMiner: time zone, remote syslog, web pool editing."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_system
short_description: Set the time zone, remote syslog server and web pool editing of WhatsMiner miners
version_added: 0.1.0
description:
  - Declares the system settings of a miner. Only the options given are managed; the others
    are left as they are.
  - None of them can be read back through API v2, so on API v2 firmware all are write-only. A
    write-only setting is sent according to O(update_write_only) - by default when the desired
    value differs from what this controller last wrote to that miner, or when it has no record
    of it - and never reported as changed when nothing was sent. A change made by other tools
    (WhatsMinerTool, the web interface) is not seen.
  - Firmware with API v3 reports the time zone and web pool editing (C(get.system.setting)).
    There they are read, compared and verified like any readable setting, and a change made by
    other tools is found and undone. O(syslog) stays write-only on every firmware.
  - None of them restarts btminer or the board.
  - Everything is validated before the miner is contacted; on a bad value nothing is sent and
    the task fails naming the option and what is allowed.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
  - minerops.whatsminer.whatsminer.write_only
attributes:
  diff_mode:
    description: Shows the managed settings before (as read on API v3, or as last written by this controller) and after.
    support: full
options:
  timezone:
    description:
      - Time zone as POSIX TZ text, such as V(CST-8) (China, UTC+8), V(UTC0) or
        V(EST5EDT,M3.2.0,M11.1.0). Note the POSIX sign - V(CST-8) is eight hours B(ahead) of UTC.
      - Sent together with O(zonename) in one C(set_zone) command, so both must be given.
      - The vendor documents that the time zone takes effect only when the miner's network
        restarts (a reboot or a network change).
      - Write-only on API v2; read back on API v3.
    type: str
  zonename:
    description:
      - Time zone name of the tz database matching O(timezone), such as V(Asia/Shanghai),
        V(UTC) or V(America/New_York).
      - Must be given with O(timezone).
      - Write-only on API v2; read back on API v3.
    type: str
  syslog:
    description:
      - Remote syslog server the miner sends its logs to (command C(load_log)).
      - There is no API command to stop remote logging once configured.
      - Write-only; compared as a whole (a change of any suboption sends all three).
    type: dict
    suboptions:
      ip:
        description: IPv4 address of the syslog server.
        type: str
        required: true
      port:
        description: Port of the syslog server, from 1 to 65535.
        type: int
        default: 514
      proto:
        description: Transport protocol.
        type: str
        choices: [udp, tcp]
        default: udp
  web_pools:
    description:
      - Whether the pools may be edited on the miner's web interface (C(enable_web_pools) /
        C(disable_web_pools)). V(false) keeps the pool configuration under this collection's
        control (M(minerops.whatsminer.whatsminer_pools)).
      - Write-only on API v2; read back on API v3.
    type: bool
  state:
    description:
      - V(merged) sets the given options and leaves the others as they are.
      - V(gathered) lists the settings; those the firmware cannot report (all of them on API
        v2, O(syslog) on API v3) are V(null) and listed in RV(write_only).
      - V(rendered) contacts no miner and returns the commands V(merged) would send, in
        RV(rendered).
    type: str
    choices: [merged, gathered, rendered]
    default: merged
notes:
  - On API v2 firmware the module sends no extra request to find out that these settings
    cannot be read.
seealso:
  - module: minerops.whatsminer.whatsminer_tuning
  - module: minerops.whatsminer.whatsminer_network
'''

EXAMPLES = r'''
# Before: factory time zone CST-8 (Asia/Shanghai), no remote syslog, web pool editing on;
# this controller has no record of any of them.
- name: Site time zone, central syslog, pools only through Ansible
  minerops.whatsminer.whatsminer_system:
    timezone: CET-1CEST,M3.5.0,M10.5.0/3
    zonename: Europe/Berlin
    syslog:
      ip: 10.20.0.5
      port: 514
      proto: udp
    web_pools: false
# After: set_zone, load_log and disable_web_pools were sent once each (changed). A second run
# reports ok (changed=false) and sends nothing, from the controller's last-applied record.

- name: Send the syslog settings again whatever the record says
  minerops.whatsminer.whatsminer_system:
    syslog:
      ip: 10.20.0.5
    update_write_only: always

- name: Show the commands without contacting the miner
  minerops.whatsminer.whatsminer_system:
    state: rendered
    timezone: UTC0
    zonename: UTC
# rendered: [{"command": "set_zone", "params": {"timezone": "UTC0", "zonename": "UTC"},
#             "settings": ["timezone", "zonename"]}]
'''

RETURN = r'''
before:
  description:
    - The managed settings before the task as this controller last wrote them to that miner
      (V(null) when it has no record), since the miner cannot report them.
  returned: state is merged
  type: dict
  sample: {"timezone": null, "zonename": null, "web_pools": true}
after:
  description: The managed settings after the task (as written; as planned in check mode).
  returned: state is merged
  type: dict
  sample: {"timezone": "UTC0", "zonename": "UTC", "web_pools": false}
diff:
  description: The same V(before) and V(after), shown with C(--diff).
  returned: state is merged
  type: dict
  sample: {"before": {"web_pools": true}, "after": {"web_pools": false}}
commands:
  description:
    - The API writes in the order sent (in check mode, that would be sent), each with
      C(command), C(params), the C(settings) it sets and, once sent, C(outcome) V(ok).
    - O(timezone) and O(zonename) travel in one C(set_zone).
  returned: state is merged
  type: list
  elements: dict
  sample: [{"command": "load_log", "params": {"ip": "10.20.0.5", "port": "514", "proto": "udp"},
            "settings": ["syslog"], "outcome": "ok"}]
write_only:
  description: Settings of the task this firmware cannot report back (all of them).
  returned: state is merged or gathered
  type: list
  elements: str
  sample: ["syslog", "web_pools"]
skipped_write_only:
  description: Write-only settings not sent because of O(update_write_only).
  returned: state is merged
  type: list
  elements: str
  sample: []
gathered:
  description: Every system setting; V(null) since none can be read back.
  returned: state is gathered
  type: dict
  sample: {"timezone": null, "zonename": null, "syslog": null, "web_pools": null}
rendered:
  description: The commands V(merged) would send.
  returned: state is rendered
  type: list
  elements: dict
  sample: [{"command": "disable_web_pools", "params": {}, "settings": ["web_pools"]}]
error:
  description: Machine-readable failure (kind, miner, API code, command, message, hint).
  returned: failure
  type: dict
  sample: {"kind": "validation", "miner": "192.168.10.21:4028", "code": null, "command": null,
           "message": "timezone must be given together with zonename", "hint": ""}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils._system import SYSTEM_SPEC, run_system
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import finish


def main():
    module = AnsibleModule(argument_spec=SYSTEM_SPEC, supports_check_mode=True)
    finish(module, run_system)


if __name__ == '__main__':
    main()
