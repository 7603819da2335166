# -*- coding: utf-8 -*-
"""The strings a secrets audit searches for, computed from what the simulators issued.

Shared by tests/integration/test_secrets_audit.py (a few playbooks, in ``make test``) and
tests/tools/audit_suite.py (the whole integration suite, ``make audit``).
"""

from __future__ import annotations

import base64
import hashlib

from ansible_collections.minerops.whatsminer.plugins.module_utils import _crypto


def derived_secrets(passwords, salts, v3_tokens):
    """``{label: text}``: each password; its MD5-crypt key with each salt and that key's AES key
    (SHA-256, hex and base64); each accepted v3 token and its digest (the AES key of encrypted
    v3 parameters, hex and base64). ``v3_tokens``: entries of the simulator's ``issued`` op."""
    found = {'password %s' % password: password for password in passwords}
    for salt in sorted(salts):
        for password in sorted(passwords):
            key = _crypto.derive_key(password, salt)
            digest = hashlib.sha256(key.encode('utf-8')).digest()
            found['key %s/%s' % (password, salt)] = key
            found['aes hex %s/%s' % (password, salt)] = digest.hex()
            found['aes base64 %s/%s' % (password, salt)] = base64.b64encode(digest).decode('ascii')
    for entry in v3_tokens:
        digest = bytes.fromhex(entry['digest'])
        found['v3 token %s %s' % (entry['cmd'], entry['ts'])] = entry['token']
        found['v3 aes hex %s %s' % (entry['cmd'], entry['ts'])] = digest.hex()
        found['v3 aes base64 %s %s' % (entry['cmd'], entry['ts'])] = base64.b64encode(digest).decode('ascii')
    return found
