#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Download the log archive of a WhatsMiner."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_logs
short_description: Download the log archive of WhatsMiner miners
version_added: 0.1.0
description:
  - Downloads the miner's log archive (a C(.tgz) of btminer and system logs, command
    C(download_logs) on API v2, C(get.log.download) on API v3) into the directory O(dest).
  - The archive is streamed to a hidden temporary file in O(dest), hashed on the way, checked
    against the length the miner announced, then renamed into place. An interrupted download
    leaves no file behind.
  - Files are named C(<prefix>_<port>_<UTC time>.tgz), for example
    C(miner07_4028_20260314T101500Z.tgz), unless O(filename) is given. Files are created
    with mode C(0600) since logs name pools, workers and network settings.
  - Every run downloads a new archive and reports C(changed).
  - The download needs the write token (the command is a write on API v2), so the password
    is needed.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
attributes:
  check_mode:
    description: Downloads nothing and creates no directory; returns the path it would write.
    support: full
  diff_mode:
    description: No diff; the result names the file written.
    support: none
options:
  dest:
    description:
      - Directory for the archive; created (mode C(0700)) when missing.
      - On the machine that runs the task. That is the controller, both through the action
        plugin and when the module runs there. When the task is delegated to another host
        (a site gateway), the file lands on that host; fetch it from there with
        M(ansible.builtin.fetch).
      - Use an absolute path. A relative one is resolved against the working directory of
        the process that runs the task.
    type: path
    required: true
  filename:
    description:
      - File name to write in O(dest) instead of the generated one; a plain name without
        C(/). An existing file of that name is replaced.
    type: str
  prefix:
    description:
      - First part of the generated file name.
      - Defaults to the inventory host name when the task runs against the inventory host
        (no O(host) given), else to O(host). Characters other than letters, digits, C(.),
        C(_) and C(-) become C(_).
    type: str
notes:
  - Run with C(throttle) on large fleets. Each archive is a few megabytes, and miners
    compress it on request.
seealso:
  - module: ansible.builtin.fetch
  - module: minerops.whatsminer.whatsminer_facts
'''

EXAMPLES = r'''
# Before: /srv/miner-logs is empty.
# After: /srv/miner-logs/miner07_4028_20260314T101500Z.tgz (and one file per miner).
- name: Collect the logs of every miner
  minerops.whatsminer.whatsminer_logs:
    dest: /srv/miner-logs
  throttle: 20
  register: logs

- name: List what was written
  ansible.builtin.debug:
    msg: "{{ logs.path }} ({{ logs.size }} bytes, sha256 {{ logs.sha256 }})"

- name: Logs of one miner under a fixed name, for a support ticket
  minerops.whatsminer.whatsminer_logs:
    host: 10.1.2.3
    dest: /tmp/ticket-4711
    filename: miner-10.1.2.3.tgz

- name: Show where the files would go, without downloading
  minerops.whatsminer.whatsminer_logs:
    dest: /srv/miner-logs
  check_mode: true
'''

RETURN = r'''
miner:
  description: The miner, as C(host:port).
  returned: when the miner was contacted
  type: str
  sample: 10.1.2.3:4028
path:
  description: The file written (in check mode, that would be written).
  returned: always
  type: str
  sample: /srv/miner-logs/miner07_4028_20260314T101500Z.tgz
filename:
  description: The file name part of RV(path).
  returned: always
  type: str
  sample: miner07_4028_20260314T101500Z.tgz
size:
  description: Bytes written, equal to the length the miner announced; V(null) in check mode.
  returned: always
  type: int
  sample: 1893274
sha256:
  description: SHA-256 of the file, hex; V(null) in check mode.
  returned: always
  type: str
  sample: 9f2c7d1e0b6f1d6a0b5c0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d
error:
  description: Machine-readable failure (kind, miner, API code, command, message, hint).
  returned: failure
  type: dict
  sample: {"kind": "closed", "miner": "10.1.2.3:4028", "code": null, "command": "download_logs",
           "message": "download ended after 65536 of 1893274 bytes", "hint": null}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils._logs import LOGS_SPEC, run_logs
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import finish


def main():
    module = AnsibleModule(argument_spec=LOGS_SPEC, supports_check_mode=True)
    finish(module, run_logs)


if __name__ == '__main__':
    main()
