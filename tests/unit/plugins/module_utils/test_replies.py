# -*- coding: utf-8 -*-
"""Reply decoding: strict first, the real-firmware repairs, the three shapes, typed errors."""

from __future__ import annotations

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _errors as e
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply, parse_json, raise_for_error


@pytest.mark.parametrize('raw, expected', [
    (b'{"a": 1}\x00', {'a': 1}),
    (b'{"a": 1}\n', {'a': 1}),
    (b'{"a": 1,}', {'a': 1}),
    (b'{"a": [1, 2,], "b": {"c": 3,},}', {'a': [1, 2], 'b': {'c': 3}}),
    (b'{"t": inf, "n": nan}', {'t': None, 'n': None}),
    (b'{"Msg": {"error_code": ["329":"2022-01-17 11:28:11", "2010":"2022-01-18 10:00:00"]}}',
     {'Msg': {'error_code': [{'329': '2022-01-17 11:28:11'}, {'2010': '2022-01-18 10:00:00'}]}}),
    (b'{"Msg": {"vender": "7" "temp0": "33.5"}}', {'Msg': {'vender': '7', 'temp0': '33.5'}}),
    (b'{"Msg": "line one\nline two"}', {'Msg': 'line one\nline two'}),
])
def test_repairs(raw, expected):
    assert parse_json(raw) == expected


def test_valid_json_is_never_repaired():
    raw = b'{"text": "a,} and inf, \\"q\\"", "x": 1}'
    assert parse_json(raw) == {'text': 'a,} and inf, "q"', 'x': 1}


@pytest.mark.parametrize('raw', [b'{"STATUS":"S","Msg":{"a":', b'\x8f\x01garbage', b'[1, 2]'])
def test_unrepairable_is_a_protocol_error(raw):
    with pytest.raises(e.ProtocolError) as err:
        parse_json(raw, miner='m:1', command='summary')
    assert 'miner m:1, command summary' in str(err.value)


def test_socket_connect_failed_means_btminer_down():
    with pytest.raises(e.BtminerDownError) as err:
        parse_json(b'Socket connect failed: Connection refused\n', miner='m:1')
    assert 'btminer is not running' in str(err.value)


def test_cgminer_and_flat_and_2025_shapes():
    cg = Reply({'STATUS': [{'STATUS': 'S', 'Code': 11, 'Msg': 'Summary'}], 'SUMMARY': [{'Power': 3500}], 'id': 1})
    assert cg.ok and cg.record('SUMMARY') == {'Power': 3500}
    flat = Reply({'STATUS': 'S', 'Code': 131, 'Msg': {'Power': 3384.65}})
    assert flat.ok and flat.record('SUMMARY') == {'Power': 3384.65}
    boards = Reply({'STATUS': 'S', 'Code': 131, 'Msg': {'DEVS': [{'Slot': 0}, {'Slot': 1}]}})
    assert [b['Slot'] for b in boards.records('DEVS')] == [0, 1]


@pytest.mark.parametrize('raw, error, text', [
    ({'STATUS': 'E', 'Code': 23, 'Msg': 'enc json load err'}, e.AuthError, 'miner password is wrong'),
    ({'STATUS': 'E', 'Code': 45, 'Msg': "can't access write cmd"}, e.WriteDisabledError, 'WhatsMinerTool'),
    ({'STATUS': 'E', 'Code': 136, 'Msg': 'over max connect'}, e.TokenLimitError, 'frees within 30 minutes'),
    ({'STATUS': 'E', 'Code': 135, 'Msg': 'check token err'}, e.TokenExpiredError, 'token refused'),
    ({'STATUS': 'E', 'Code': 14, 'Msg': 'invalid cmd'}, e.UnsupportedError, 'not known to this firmware'),
    ({'STATUS': 'E', 'Code': 132, 'Msg': 'This command is deprecated.'}, e.UnsupportedError, 'deprecated'),
    ({'STATUS': 'E', 'Code': 132, 'Msg': 'invalid percent'}, e.CommandError, 'invalid percent'),
])
def test_error_replies_are_typed_with_hints(raw, error, text):
    with pytest.raises(error) as err:
        raise_for_error(Reply(raw), miner='10.0.0.5:4028', command='x')
    assert text in str(err.value)
    assert err.value.as_dict()['miner'] == '10.0.0.5:4028'
