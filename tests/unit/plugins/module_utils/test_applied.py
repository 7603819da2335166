# -*- coding: utf-8 -*-
"""The last-applied record: merge, forget some settings, forget all."""

from __future__ import annotations

from ansible_collections.minerops.whatsminer.plugins.module_utils._applied import AppliedStore


def test_forget_some_settings_removes_them(tmp_path):
    store = AppliedStore(str(tmp_path / 'applied'))
    store.update('192.0.2.1:4028', {'temp_offset': -5, 'admin_password': 'x'})
    store.forget('192.0.2.1:4028', ['admin_password'])
    assert store.load('192.0.2.1:4028') == {'temp_offset': -5}
    store.forget('192.0.2.1:4028', ['temp_offset'])
    assert store.load('192.0.2.1:4028') == {}


def test_forget_everything(tmp_path):
    store = AppliedStore(str(tmp_path / 'applied'))
    store.update('192.0.2.1:4028', {'temp_offset': -5})
    store.forget('192.0.2.1:4028')
    assert store.load('192.0.2.1:4028') == {}
    store.forget('192.0.2.1:4028')  # nothing to forget: no error
