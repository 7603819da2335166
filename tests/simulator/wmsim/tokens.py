# -*- coding: utf-8 -*-
"""The miner's token table: 32 live tokens per client IP, 30 minutes each, 16 client IPs.

Why: token exhaustion (Code 136) is the failure real fleets hit, so the simulator enforces the
real limits.  A token is remembered as the sign the client will send (MD5-crypt of key + time
with newsalt, computed with the collection's primitives) and its expiry on the simulated clock.
"""

from __future__ import annotations

import hashlib
import random

from .primitives import CRYPT_ALPHABET, derive_key, derive_sign

TOKENS_PER_IP = 32
MAX_CLIENT_IPS = 16
TOKEN_LIFETIME = 30 * 60
#: Issued v2 tokens and accepted v3 tokens remembered for the ``issued`` control op (the
#: secrets audit looks for them in everything Ansible wrote), newest last.
ISSUED_KEPT = 1000


def salt_for(password, secret):
    """The miner's fixed salt for a password: 8 crypt-alphabet characters."""
    digest = hashlib.sha256(('salt|%s|%s' % (secret, password)).encode('utf-8')).digest()
    return ''.join(CRYPT_ALPHABET[byte % len(CRYPT_ALPHABET)] for byte in digest[:8])


class TokenTable:
    """Live signs per client IP."""

    def __init__(self, secret, seed=0):
        self._secret = secret
        self._random = random.Random('tokens|%s|%s' % (seed, secret))
        self._table = {}
        self._keys = {}
        self.issued = []
        self.v3_accepted = []

    def key_for(self, password):
        """(salt, key) for a password, cached: deriving a key costs an MD5-crypt."""
        if password not in self._keys:
            salt = salt_for(password, self._secret)
            self._keys[password] = (salt, derive_key(password, salt))
        return self._keys[password]

    def _purge(self, now):
        for client in list(self._table):
            live = [entry for entry in self._table[client] if entry[1] > now]
            if live:
                self._table[client] = live
            else:
                del self._table[client]

    def issue(self, client_ip, password, now):
        """A new token for ``client_ip`` as the get_token Msg, or None when the table is full."""
        self._purge(now)
        entries = self._table.get(client_ip)
        if entries is None and len(self._table) >= MAX_CLIENT_IPS:
            return None
        if entries is not None and len(entries) >= TOKENS_PER_IP:
            return None
        salt, key = self.key_for(password)
        time_text = ('%04d' % (int(now) % 10000))
        newsalt = ''.join(self._random.choice(CRYPT_ALPHABET) for dummy in range(8))
        sign = derive_sign(key, time_text, newsalt)
        self._table.setdefault(client_ip, []).append((sign, now + TOKEN_LIFETIME))
        self._remember(self.issued, {'client': client_ip, 'time': time_text, 'salt': salt, 'newsalt': newsalt,
                                     'sign': sign})
        return {'time': time_text, 'salt': salt, 'newsalt': newsalt}

    def accepted_v3(self, cmd, ts, token, digest):
        """Remember a valid API v3 token and its SHA-256 input digest (the AES key of
        encrypted parameters)."""
        self._remember(self.v3_accepted, {'cmd': cmd, 'ts': ts, 'token': token, 'digest': digest.hex()})

    @staticmethod
    def _remember(entries, entry):
        entries.append(entry)
        del entries[:-ISSUED_KEPT]

    def history(self):
        """Every v2 token issued and v3 token accepted (``issued`` control op), and every
        password a key was derived from (the secrets audit derives the keys again)."""
        return {'v2': [dict(entry) for entry in self.issued], 'v3': [dict(entry) for entry in self.v3_accepted],
                'passwords': sorted(self._keys)}

    def check(self, client_ip, sign, now):
        """True when ``sign`` is a live token of ``client_ip``."""
        self._purge(now)
        return any(entry[0] == sign for entry in self._table.get(client_ip, ()))

    def clear(self):
        """Forget every token (reboot, password change)."""
        self._table.clear()

    def snapshot(self, now):
        """{client ip: live token count} for diagnostics."""
        self._purge(now)
        return {client: len(entries) for client, entries in self._table.items()}
