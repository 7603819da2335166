# -*- coding: utf-8 -*-
"""Each fault kind produces the bytes (or the silence) it promises; counts and command filters."""

from __future__ import annotations

import json
import socket
import time

import pytest

from wmclient import Client, connect, exchange

HOST = '127.0.0.2'


@pytest.fixture
def fleet(make_fleet):
    return make_fleet([HOST], idle_timeout=0.8)


def fetch(fleet, cmd='status'):
    return exchange(HOST, fleet.port, {'cmd': cmd})


def test_drop_still_executes(fleet):
    miner = fleet.miner(HOST)
    miner.add_fault('drop', commands=['status', 'set_led'])
    assert fetch(fleet) == b''
    assert Client(HOST, fleet.port).write_raw('set_led', color='green', period=100, duration=50, start=0) == b''
    assert miner.state['led_mode'] == 'manual'
    assert fetch(fleet, 'get_version').startswith(b'{')


def test_delay(fleet):
    fleet.miner(HOST).add_fault('delay', seconds=0.5, count=1)
    started = time.monotonic()
    assert json.loads(fetch(fleet))['STATUS'] == 'S'
    assert time.monotonic() - started >= 0.45
    started = time.monotonic()
    fetch(fleet)
    assert time.monotonic() - started < 0.4


def test_delay_past_client_timeout(fleet):
    fleet.miner(HOST).add_fault('delay', seconds=1.0, count=1)
    with connect(HOST, fleet.port, timeout=0.3) as sock:
        sock.sendall(b'{"cmd":"status"}')
        with pytest.raises(socket.timeout):
            sock.recv(100)


def test_garbage(fleet):
    fleet.miner(HOST).add_fault('garbage', count=1)
    raw = fetch(fleet)
    assert raw[:1] == b'\x8f' and len(raw) > 20
    with pytest.raises(ValueError):
        json.loads(raw.decode('utf-8', errors='replace'))
    assert json.loads(fetch(fleet))['STATUS'] == 'S'


def test_truncated(fleet):
    normal = fetch(fleet, 'get_version')
    fleet.miner(HOST).add_fault('truncated', commands=['get_version'])
    raw = fetch(fleet, 'get_version')
    assert 0 < len(raw) < len(normal) and normal.startswith(raw)
    with pytest.raises(ValueError):
        json.loads(raw)


def test_trailing_nul(fleet):
    fleet.miner(HOST).add_fault('trailing_nul')
    raw = fetch(fleet)
    assert raw.endswith(b'}\0') and json.loads(raw[:-1])['STATUS'] == 'S'


def test_trailing_comma(fleet):
    fleet.miner(HOST).add_fault('trailing_comma')
    raw = fetch(fleet)
    assert raw.endswith(b',}')
    with pytest.raises(ValueError):
        json.loads(raw)
    assert json.loads(raw[:-2] + b'}')['STATUS'] == 'S'


def test_newline(fleet):
    fleet.miner(HOST).add_fault('newline')
    raw = fetch(fleet, 'summary')
    assert raw.endswith(b'}\n') and b'\n' not in raw[:-1]


def test_faults_combine_and_apply_to_encrypted_replies(fleet):
    miner = fleet.miner(HOST)
    client = Client(HOST, fleet.port)
    client.login()
    miner.add_fault('trailing_nul', commands=['set_led'])
    miner.add_fault('newline', commands=['set_led'])
    raw = client.write_raw('set_led', param='auto')
    assert raw.endswith(b'}\0\n')
    assert client.decode(raw.rstrip(b'\0\n'))['Code'] == 131


def test_token_expired(fleet):
    fleet.miner(HOST).add_fault('token_expired', count=1)
    client = Client(HOST, fleet.port)
    assert client.write('set_led', param='auto')['Code'] == 135
    assert client.write('set_led', param='auto')['Code'] == 131


def test_token_full(fleet):
    fleet.miner(HOST).add_fault('token_full', count=2)
    assert Client(HOST, fleet.port).get_token()['Msg'] == 'over max connect'
    assert Client(HOST, fleet.port).get_token()['Code'] == 136
    assert Client(HOST, fleet.port).get_token()['Code'] == 134


def test_write_off(fleet):
    fleet.miner(HOST).add_fault('write_off')
    reply = Client(HOST, fleet.port).write('set_led', param='auto')
    assert (reply['Code'], reply['Msg']) == (45, "can't access write cmd")
    fleet.miner(HOST).clear_faults()
    assert Client(HOST, fleet.port).write('set_led', param='auto')['Code'] == 131


def test_silent_wrong_password(fleet):
    fleet.miner(HOST).add_fault('silent_wrong_password')
    client = Client(HOST, fleet.port, password='wrong', timeout=0.3)
    client.login()
    with connect(HOST, fleet.port, timeout=0.3) as sock:
        sock.sendall(client.sealed('set_led', param='auto'))
        with pytest.raises(socket.timeout):
            sock.recv(100)
    # a right password is still answered
    assert Client(HOST, fleet.port).write('set_led', param='auto')['Code'] == 131
    # the miner gives up after its idle timeout, still without a byte
    patient = Client(HOST, fleet.port, password='wrong', timeout=5)
    patient.login()
    started = time.monotonic()
    assert patient.write_raw('set_led', param='auto') == b''
    assert time.monotonic() - started >= 0.7


def test_btminer_down(fleet):
    fleet.miner(HOST).add_fault('btminer_down', count=2)
    assert fetch(fleet) == b'Socket connect failed: Connection refused'
    assert exchange(HOST, fleet.port, {'cmd': 'get_token'}) == b'Socket connect failed: Connection refused'
    assert json.loads(fetch(fleet))['STATUS'] == 'S'


def test_command_filter_and_count(fleet):
    miner = fleet.miner(HOST)
    miner.add_fault('garbage', commands=['summary'], count=1)
    assert json.loads(fetch(fleet, 'status'))['STATUS'] == 'S'
    assert fetch(fleet, 'summary')[:1] == b'\x8f'
    assert 'SUMMARY' in json.loads(fetch(fleet, 'summary'))
    assert miner.faults_active == []


def test_unknown_fault_kind(fleet):
    with pytest.raises(ValueError):
        fleet.miner(HOST).add_fault('meteor_strike')
