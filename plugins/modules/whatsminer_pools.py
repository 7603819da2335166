#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mining pools of a WhatsMiner: the three slots in priority order."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_pools
short_description: Set the mining pools of WhatsMiner miners
version_added: 0.1.0
description:
  - Declares the pools of a miner as a list of up to three entries; the order is the
    priority (first = highest). Slots beyond the list are cleared.
  - Compares the URL and worker of each slot with what the miner reports; when any differs,
    writes all three slots in one C(update_pools) command, then reads them back.
  - Pool passwords cannot be read from a miner; O(update_password) says when they are sent.
  - Everything is validated before the miner is contacted; on bad input nothing is sent.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
attributes:
  diff_mode:
    description: Shows the pools before and after (URL and worker; never passwords).
    support: full
options:
  pools:
    description:
      - The pools, highest priority first. One to three entries.
      - Required with O(state=replaced) and O(state=rendered).
    type: list
    elements: dict
    suboptions:
      url:
        description:
          - Pool address as C(scheme://host:port), scheme one of C(stratum+tcp),
            C(stratum+ssl), C(stratum2+tcp); at most 255 characters.
        type: str
        required: true
      user:
        description:
          - Worker name, usually C(account.worker); 1 to 127 characters without spaces.
        type: str
        required: true
      password:
        description:
          - Worker password (pools mostly ignore it; C(x) is common). At most 63 characters.
          - Not treated as a secret, so that a password such as C(x) does not blank every
            C(x) in the output; it is masked in RV(commands) all the same.
        type: str
        default: ''
  update_password:
    description:
      - V(on_change) sends the pools when URL or worker differ, or when the passwords
        differ from those this controller last wrote to that miner (kept as salted
        fingerprints in the controller's private state directory), or when there is no
        such record.
      - V(always) sends the pools on every run; the task then always reports C(changed).
    type: str
    choices: [on_change, always]
    default: on_change
  state:
    description:
      - V(replaced) makes the miner's pools exactly O(pools).
      - V(gathered) only reads the pools into RV(gathered).
      - V(rendered) contacts no miner and returns the command that V(replaced) would send
        if everything differed, in RV(rendered).
    type: str
    choices: [replaced, gathered, rendered]
    default: replaced
seealso:
  - module: minerops.whatsminer.whatsminer_facts
'''

EXAMPLES = r'''
# Before: slot 1 stratum+tcp://old.pool:3333 / acct.m01, slots 2-3 empty.
- name: Point the miners at the site pools
  minerops.whatsminer.whatsminer_pools:
    pools:
      - url: stratum+tcp://btc.pool.example:3333
        user: "acct.{{ inventory_hostname | replace('.', 'x') }}"
        password: x
      - url: stratum+tcp://backup.pool.example:443
        user: acct.backup
        password: x
# After: slot 1 btc.pool.example, slot 2 backup.pool.example, slot 3 empty.
# A second run reports ok (changed=false): nothing is sent.

- name: Set connection options once for every module of the collection
  module_defaults:
    group/minerops.whatsminer.whatsminer:
      password: "{{ vault_whatsminer_admin_password }}"
      timeout: 5
  block:
    - name: Pools for this room
      minerops.whatsminer.whatsminer_pools:
        pools: "{{ room_pools }}"

- name: Read the pools only
  minerops.whatsminer.whatsminer_pools:
    state: gathered
  register: current

- name: Show the write that would be sent, without contacting the miner
  minerops.whatsminer.whatsminer_pools:
    state: rendered
    pools:
      - url: stratum+tcp://btc.pool.example:3333
        user: acct.worker1
'''

RETURN = r'''
before:
  description: Pools the miner reported before the task (URL and worker, priority order).
  returned: state is replaced
  type: dict
  sample: {"pools": [{"url": "stratum+tcp://old.pool:3333", "user": "acct.m01"}]}
after:
  description: Pools after the task, as read back from the miner (as planned in check mode).
  returned: state is replaced
  type: dict
  sample: {"pools": [{"url": "stratum+tcp://btc.pool.example:3333", "user": "acct.m01"}]}
commands:
  description: The API writes sent (in check mode, that would be sent); passwords masked.
  returned: state is replaced
  type: list
  elements: dict
  sample: [{"command": "update_pools", "params": {"pool1": "stratum+tcp://btc.pool.example:3333",
            "worker1": "acct.m01", "passwd1": "********", "pool2": "", "worker2": "", "passwd2": "",
            "pool3": "", "worker3": "", "passwd3": ""}, "settings": ["pools"], "outcome": "ok"}]
gathered:
  description: The pools read from the miner.
  returned: state is gathered
  type: dict
  sample: {"pools": [{"url": "stratum+tcp://btc.pool.example:3333", "user": "acct.m01"}]}
rendered:
  description: The command that would be sent.
  returned: state is rendered
  type: list
  elements: dict
error:
  description: Machine-readable failure (kind, miner, API code, command, hint).
  returned: failure
  type: dict
  sample: {"kind": "write_disabled", "miner": "10.1.2.3:4028", "code": 45, "command": "update_pools",
           "message": "write API is switched off", "hint": "enable it once with WhatsMinerTool"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import POOLS_REQUIRED_IF, POOLS_SPEC, finish, run_pools


def main():
    module = AnsibleModule(argument_spec=POOLS_SPEC, required_if=POOLS_REQUIRED_IF, supports_check_mode=True)
    finish(module, run_pools)


if __name__ == '__main__':
    main()
