#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rotate the admin password of a WhatsMiner."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_password
short_description: Rotate the admin password of WhatsMiner miners
version_added: 0.1.0
description:
  - Makes O(new_password) the password of the miner's API account (C(admin) on API v2,
    C(super) on API v3), using the current one, O(password), to change it.
  - Idempotent. A password cannot be read from a miner, so the module proves it by
    signing a write that changes nothing with O(new_password). It re-sends the btminer
    fast-boot setting the miner reports, or C(set_led auto) when the LED is in auto mode
    and btminer does not answer. When that write is accepted, the password is already
    rotated and nothing is sent.
  - Otherwise it sends C(update_pwd) with both passwords, signed with O(password), then
    proves O(new_password) the same way. The cached write token of the old password is
    dropped; the new one is kept for the next tasks.
  - Each probe with a wrong password costs one of the 32 write tokens the miner gives a
    client address for 30 minutes, so the module never probes in a loop. A run costs at most
    three tokens, a rerun after a rotation none.
  - Passwords never appear in any output, including C(-vvv) and the result of a failure.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
attributes:
  check_mode:
    description:
      - Proving a password takes a write, so check mode contacts no miner. It relies on the
        controller's record of the last rotation it made or proved on that miner (a salted
        PBKDF2 hash in the private state directory, never the password). It reports
        C(changed) when there is no such record, for example for a rotation made by another
        controller.
    support: full
  diff_mode:
    description: Shows which of the two options holds the password in force before and after; never a password.
    support: full
options:
  new_password:
    description:
      - The password the miner must have after the task.
      - 1 to 8 characters, each a letter, a digit or an underscore; the miner accepts
        nothing else. Anything else fails the task before the miner is contacted.
      - Keep it in Ansible Vault. After the rotation, make it the O(password) of the
        following plays (host variable C(whatsminer_password)).
    type: str
    required: true
  password:
    description:
      - The current password, needed to change it. Required (here, or through the
        C(whatsminer_password) host variable).
      - When the miner already has O(new_password), this value is not used.
    type: str
notes:
  - The miner's write API must be enabled (WhatsMinerTool); a factory-reset miner has it
    switched off and the password C(admin).
  - To rotate a fleet, run in batches with C(serial) and keep both passwords in the vault
    until every miner is done (see C(playbooks/rotate_password.yml) in the collection). A
    miner that missed the rotation still has the old password, and a rerun with both
    passwords completes it.
  - O(new_password) is masked in all output, like O(password). Short or common values make
    that masking blank out unrelated text (a password C(admin) hides every word C(admin)).
seealso:
  - module: minerops.whatsminer.whatsminer_reboot
'''

EXAMPLES = r'''
# group_vars/miners/vault.yml (encrypted with ansible-vault encrypt):
#   vault_whatsminer_password: Old_pw1
#   vault_whatsminer_new_password: N3w_pw42
# group_vars/miners/vars.yml:
#   whatsminer_password: "{{ vault_whatsminer_password }}"
# Or inline, from: ansible-vault encrypt_string 'N3w_pw42' --name vault_whatsminer_new_password

# Before: the miners' password is Old_pw1 (whatsminer_password).
# After: it is N3w_pw42. A second run proves N3w_pw42 with a harmless write and reports ok.
- name: Rotate the admin password, ten miners at a time
  hosts: miners
  gather_facts: false
  serial: 10
  tasks:
    - name: Rotate
      minerops.whatsminer.whatsminer_password:
        new_password: "{{ vault_whatsminer_new_password }}"

# Afterwards: set vault_whatsminer_password to the new value (ansible-vault edit) and drop
# vault_whatsminer_new_password, so that later plays use the new password.

# Before: factory-reset miner (password admin, write API enabled again with WhatsMinerTool).
# After: the site password.
- name: Replace the factory password of re-installed miners
  hosts: reinstalled_miners
  gather_facts: false
  tasks:
    - name: Set the site password
      minerops.whatsminer.whatsminer_password:
        password: admin
        new_password: "{{ vault_whatsminer_password }}"
'''

RETURN = r'''
miner:
  description: The miner, as C(host:port).
  returned: always
  type: str
  sample: 10.1.2.3:4028
proof:
  description:
    - The write that proved O(new_password) (C(enable_btminer_fast_boot),
      C(disable_btminer_fast_boot) or C(set_led)), or V(record) in check mode when the
      controller's record says the miner has it.
  returned: success
  type: str
  sample: enable_btminer_fast_boot
commands:
  description:
    - The password change sent (in check mode, that would be sent), with both passwords
      masked, and its C(outcome) (V(ok), or V(unknown) when the miner did not answer and the
      new password was then proven to work). Empty when the password was already rotated.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "update_pwd", "params": {"old": "********", "new": "********"}, "outcome": "ok"}]
diff:
  description: Which option holds the password in force, before and after.
  returned: always
  type: dict
  sample: {"before": {"password_in_force": "password"}, "after": {"password_in_force": "new_password"}}
error:
  description: Machine-readable failure (kind, miner, API code, command, message, hint).
  returned: failure
  type: dict
  sample: {"kind": "auth", "miner": "10.1.2.3:4028", "code": 23, "command": "update_pwd",
           "message": "the miner accepts neither new_password nor password (the current one)",
           "hint": "The miner password is wrong"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils._password import PASSWORD_SPEC, run_password
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import finish


def main():
    module = AnsibleModule(argument_spec=PASSWORD_SPEC, supports_check_mode=True)
    finish(module, run_password)


if __name__ == '__main__':
    main()
