# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key/sign derivation and the AES envelope against the protocol-notes vectors and openssl."""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
import string
import subprocess

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _crypto

CRYPT_ALPHABET = './' + string.digits + string.ascii_uppercase + string.ascii_lowercase

KEY = 'RxmaDUO33TS7O26yeMHZ81'


def test_derive_key_vector():
    assert _crypto.derive_key('admin', 'BQ5hoXV9') == KEY


@pytest.mark.parametrize('time, newsalt, sign', [
    ('5039', 'P5NTAcEp', 'W7vZynrBZBwIIjR5dvDJb0'),
    ('5626', 'jbzkfQls', 'w.BNbkCV6n1aNWgiBWLzT/'),
])
def test_derive_sign_vectors(time, newsalt, sign):
    assert _crypto.derive_sign(KEY, time, newsalt) == sign


def test_derive_sign_uses_last_four_characters_of_time():
    assert _crypto.derive_sign(KEY, '1700005039', 'P5NTAcEp') == 'W7vZynrBZBwIIjR5dvDJb0'
    assert _crypto.derive_sign(KEY, 1700005626, 'jbzkfQls') == 'w.BNbkCV6n1aNWgiBWLzT/'


def test_aes_key_is_raw_sha256_of_key_text():
    aeskey = _crypto.aes_key(KEY)
    assert len(aeskey) == 32
    assert aeskey.hex() == '199e0a202039bb7b558db7a54697dca29cb278055b7e659a127fb844d5a2fbf6'


def _openssl_md5_crypt_hash(password, salt):
    out = subprocess.run(
        ['openssl', 'passwd', '-1', '-salt', salt, '-stdin'],
        input=password + '\n', capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert out.startswith('$1$%s$' % salt), out
    return out.split('$')[3]


@pytest.mark.skipif(shutil.which('openssl') is None, reason='openssl command not installed')
def test_derive_key_matches_openssl_passwd_for_random_inputs():
    seed = int(os.environ.get('WHATSMINER_TEST_SEED') or random.SystemRandom().randrange(2 ** 32))
    rng = random.Random(seed)
    for dummy in range(30):
        password = ''.join(rng.choices(CRYPT_ALPHABET, k=rng.randint(1, 24)))
        salt = ''.join(rng.choices(CRYPT_ALPHABET, k=rng.randint(1, 8)))
        expected = _openssl_md5_crypt_hash(password, salt)
        assert _crypto.derive_key(password, salt) == expected, (
            'password=%r salt=%r (reproduce with WHATSMINER_TEST_SEED=%d)' % (password, salt, seed))


AESKEY = _crypto.aes_key(KEY)


@pytest.mark.parametrize('length', [1, 2, 15, 16, 17, 31, 32, 33, 100])
def test_encrypt_decrypt_round_trip_with_zero_padding(length):
    plaintext = ('{"cmd":"x"' + 'a' * length)[:length].encode('ascii')
    text = _crypto.encrypt(AESKEY, plaintext)
    assert '\n' not in text
    raw = base64.b64decode(text)
    assert len(raw) % 16 == 0
    assert len(raw) == ((length + 15) // 16) * 16
    # zero padding, not PKCS#7
    from Crypto.Cipher import AES
    padded = AES.new(AESKEY, AES.MODE_ECB).decrypt(raw)
    assert padded == plaintext + b'\0' * (len(raw) - length)
    assert _crypto.decrypt(AESKEY, text) == plaintext


def test_encrypt_accepts_text():
    assert _crypto.decrypt(AESKEY, _crypto.encrypt(AESKEY, '{"cmd":"summary"}')) == b'{"cmd":"summary"}'


@pytest.mark.parametrize('length', [1, 15, 16, 17, 32, 45])
def test_decrypt_strips_pkcs7_padding(length):
    from Crypto.Cipher import AES
    from Crypto.Util.Padding import pad
    plaintext = ('{"STATUS":"S","Code":131' + 'b' * length)[:length].encode('ascii')
    raw = AES.new(AESKEY, AES.MODE_ECB).encrypt(pad(plaintext, 16))
    assert _crypto.decrypt(AESKEY, base64.b64encode(raw).decode('ascii')) == plaintext


@pytest.mark.parametrize('bad', ['', 'QUJD', '!!!notbase64', base64.b64encode(b'x' * 17).decode('ascii')])
def test_decrypt_rejects_garbage(bad):
    with pytest.raises(ValueError):
        _crypto.decrypt(AESKEY, bad)


def test_seal_request_and_open_reply_round_trip():
    request = {'cmd': 'set_led', 'param': 'auto', 'token': 'W7vZynrBZBwIIjR5dvDJb0'}
    wire = json.loads(_crypto.seal_request(AESKEY, request))
    assert wire['enc'] == 1
    assert json.loads(_crypto.open_reply_text(AESKEY, wire['data'])) == request


def test_wrong_key_does_not_decrypt_to_the_request():
    wire = json.loads(_crypto.seal_request(AESKEY, {'cmd': 'reboot'}))
    other = _crypto.aes_key(_crypto.derive_key('wrong', 'BQ5hoXV9'))
    assert _crypto.open_reply_text(other, wire['data']) != '{"cmd":"reboot"}'
