# -*- coding: utf-8 -*-
"""State file, identities, host parsing and the Python API of the fleet."""

from __future__ import annotations

import json

import pytest

from wmclient import Client
from wmsim import Fleet
from wmsim.hostspec import parse_hosts
from wmsim.identity import Identity


def test_parse_hosts():
    assert parse_hosts('127.0.0.2-127.0.0.5') == ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']
    assert parse_hosts('127.0.0.2-4,127.0.0.9') == ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.9']
    cidr = parse_hosts('127.0.1.0/28')
    assert cidr[0] == '127.0.1.1' and cidr[-1] == '127.0.1.14' and len(cidr) == 14
    assert parse_hosts(['127.0.0.2', '127.0.0.2']) == ['127.0.0.2']
    with pytest.raises(ValueError):
        parse_hosts('127.0.0.9-127.0.0.2')


def test_identity_is_deterministic():
    first = Identity('127.0.0.2', seed=7)
    again = Identity('127.0.0.2', seed=7)
    other = Identity('127.0.0.2', seed=8)
    assert first.as_dict() == again.as_dict()
    assert first.as_dict() != other.as_dict()
    assert first.hostname == 'WhatsMiner-02'
    assert first.model in ('M30S+VE40', 'M50VH20', 'M60SVK30')
    assert len(first.mac.split(':')) == 6
    models = {Identity('127.0.0.%d' % index).model for index in range(2, 40)}
    assert models == {'M30S+VE40', 'M50VH20', 'M60SVK30'}


def test_state_file_persists_and_reloads(tmp_path):
    path = tmp_path / 'state.json'
    with Fleet(['127.0.0.2', '127.0.0.3'], state_path=str(path), flavor='mixed') as fleet:
        client = Client('127.0.0.2', fleet.port)
        assert client.write('set_hostname', hostname='persisted')['Code'] == 131
        data = json.loads(path.read_text())
        assert data['miners']['127.0.0.2']['settings']['hostname'] == 'persisted'
        assert data['miners']['127.0.0.2']['counters']['writes_applied'] == 1
        fleet.miner('127.0.0.3').set(power_mode='Low')
    with Fleet(['127.0.0.2', '127.0.0.3'], state_path=str(path), flavor='2022') as fleet:
        assert fleet.miner('127.0.0.2').state['hostname'] == 'persisted'
        assert fleet.miner('127.0.0.2').counters['writes_applied'] == 1
        assert fleet.miner('127.0.0.3').state['power_mode'] == 'Low'
        # the persisted flavour wins over the constructor's
        assert fleet.miner('127.0.0.3').flavor == '2025'
        info = Client('127.0.0.2', fleet.port).read('get_miner_info', info='hostname')
        assert info['Msg'] == {'hostname': 'persisted'}


def test_state_file_keeps_other_miners(tmp_path):
    path = tmp_path / 'state.json'
    with Fleet(['127.0.0.2', '127.0.0.3'], state_path=str(path)) as fleet:
        fleet.miner('127.0.0.3').set(hostname='kept')
    with Fleet(['127.0.0.2'], state_path=str(path)) as fleet:
        fleet.miner('127.0.0.2').set(hostname='changed')
    data = json.loads(path.read_text())
    assert data['miners']['127.0.0.3']['settings']['hostname'] == 'kept'
    assert data['miners']['127.0.0.2']['settings']['hostname'] == 'changed'


def test_python_api(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], flavor={'127.0.0.2': '2025', '127.0.0.3': '2022'}, seed=3)
    assert fleet.flavors == {'127.0.0.2': '2025', '127.0.0.3': '2022'}
    assert fleet.port > 0
    miner = fleet.miner('127.0.0.2')
    assert set(miner.counters) == {'connections', 'get_token', 'write_requests', 'writes_applied', 'commands'}
    with pytest.raises(ValueError):
        miner.set(no_such_setting=1)
    with pytest.raises(KeyError):
        fleet.miner('127.0.0.99')
    before = fleet.clock.now()
    assert fleet.advance_clock(100) >= before + 100
    Client('127.0.0.2', fleet.port).read('status')
    assert miner.counters['commands'] == {'status': 1}
    miner.reset_counters()
    assert miner.counters['connections'] == 0


def test_port_shared_by_all_hosts(make_fleet):
    fleet = make_fleet(parse_hosts('127.0.2.0/29'))
    assert len(fleet.hosts) == 6
    for host in fleet.hosts:
        assert Client(host, fleet.port).read('get_miner_info', info='ip')['Msg'] == {'ip': host}
