# -*- coding: utf-8 -*-
"""The collection's crypto primitives, loaded by file path.

Why: the simulator must speak exactly the cryptography the collection speaks, so it reuses
``plugins/module_utils/_crypto.py`` instead of re-implementing it.  The file is loaded by path
(not imported as ``ansible_collections...``) so that the simulator runs as a plain script from
a checkout, without an ``ansible_collections`` tree on ``sys.path``.
"""

from __future__ import annotations

import importlib.util
import pathlib

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
CRYPTO_PATH = REPO_ROOT / 'plugins' / 'module_utils' / '_crypto.py'


def _load_crypto():
    """Execute _crypto.py as a private module and return it."""
    spec = importlib.util.spec_from_file_location('wmsim_collection_crypto', str(CRYPTO_PATH))
    if spec is None or spec.loader is None:
        raise ImportError('cannot load the collection crypto primitives from %s' % CRYPTO_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


crypto = _load_crypto()
try:
    crypto.require_libraries()
except crypto.CryptoUnavailable as exc:
    raise ImportError('the WhatsMiner simulator needs the Python package %r (run it with the collection virtualenv, '
                      'e.g. .venv/bin/python)' % exc.library) from None

derive_key = crypto.derive_key
derive_sign = crypto.derive_sign
aes_key = crypto.aes_key
encrypt = crypto.encrypt
decrypt = crypto.decrypt
seal_request = crypto.seal_request
open_reply_text = crypto.open_reply_text

CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
