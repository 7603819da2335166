# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WhatsMiner API v2 cryptography: key and sign derivation, AES-256-ECB envelopes.

Why this file exists on its own: the same primitives are used by the client (to write) and by
the simulator under tests/ (to play the miner), so they must live exactly once.

The facts (see protocol-notes): the key is the hash part of MD5-crypt (``$1$``) of the admin
password with the miner's ``salt``; the sign is the hash part of MD5-crypt of ``key + time``
with ``newsalt``; the AES key is the raw SHA-256 digest of the key text; requests are padded
with zero bytes and sent as single-line base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import traceback

try:
    from Crypto.Cipher import AES
except ImportError:  # pragma: no cover - reported through missing_required_lib
    AES = None
    AES_IMPORT_ERROR = traceback.format_exc()
else:
    AES_IMPORT_ERROR = None

try:
    from passlib.hash import md5_crypt
except ImportError:  # pragma: no cover - reported through missing_required_lib
    md5_crypt = None
    PASSLIB_IMPORT_ERROR = traceback.format_exc()
else:
    PASSLIB_IMPORT_ERROR = None


class CryptoUnavailable(Exception):
    """A library the write path needs is not installed on the machine running the task."""

    def __init__(self, library, import_error):
        super().__init__(library)
        self.library = library
        self.import_error = import_error


def require_libraries():
    """Raise CryptoUnavailable naming the missing library (pip distribution name)."""
    if AES is None:
        raise CryptoUnavailable('pycryptodome', AES_IMPORT_ERROR)
    if md5_crypt is None:
        raise CryptoUnavailable('libpass', PASSLIB_IMPORT_ERROR)


def md5_crypt_hash(secret, salt):
    """Return the hash part (4th ``$`` field) of ``openssl passwd -1 -salt SALT SECRET``."""
    require_libraries()
    # passlib refuses salts longer than 8 characters; miners never send longer ones.
    full = md5_crypt.using(salt=salt[:8]).hash(secret)
    return full.split('$')[3]


def derive_key(password, salt):
    """Key from the admin password and the miner's fixed ``salt`` (get_token ``salt``)."""
    return md5_crypt_hash(password, salt)


def derive_sign(key, time, newsalt):
    """Sign for one token: MD5-crypt of key + last four characters of ``time``, ``newsalt``."""
    return md5_crypt_hash(key + str(time)[-4:], newsalt)


def aes_key(key):
    """The 32-byte AES key: raw SHA-256 digest of the key text (not its hex form)."""
    return hashlib.sha256(key.encode('utf-8')).digest()


def encrypt(aeskey, plaintext):
    """AES-256-ECB with zero padding, returned as single-line standard base64 text."""
    require_libraries()
    if isinstance(plaintext, str):
        plaintext = plaintext.encode('utf-8')
    pad = (-len(plaintext)) % 16
    cipher = AES.new(aeskey, AES.MODE_ECB)
    return base64.b64encode(cipher.encrypt(plaintext + b'\0' * pad)).decode('ascii')


def decrypt(aeskey, text):
    """Inverse of encrypt(); strips zero padding and PKCS#7 padding. Raises ValueError."""
    require_libraries()
    try:
        raw = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError('not base64: %s' % exc) from exc
    if not raw or len(raw) % 16:
        raise ValueError('ciphertext length %d is not a multiple of 16' % len(raw))
    plain = AES.new(aeskey, AES.MODE_ECB).decrypt(raw)
    plain = plain.rstrip(b'\0')
    if plain and plain[-1] <= 16 and plain.endswith(bytes([plain[-1]]) * plain[-1]):
        plain = plain[:-plain[-1]]
    return plain


def seal_request(aeskey, request):
    """The wire form of an encrypted request: ``{"enc": 1, "data": base64}`` as bytes."""
    text = json.dumps(request, separators=(',', ':'))
    return json.dumps({'enc': 1, 'data': encrypt(aeskey, text)}).encode('utf-8')


def open_reply_text(aeskey, enc_text):
    """Decrypt the ``enc`` field of a miner's encrypted reply into text (not yet parsed)."""
    return decrypt(aeskey, enc_text).decode('utf-8', errors='replace')
