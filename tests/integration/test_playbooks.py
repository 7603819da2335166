# -*- coding: utf-8 -*-
"""ansible-playbook against the simulator, both firmware flavours, both execution paths
(in-process action plugin and forced module path)."""

from __future__ import annotations

import pytest

from .conftest import loopback_hosts
from .harness import SimulatorProcess, ansible_playbook, write_inventory

PATHS = ('action', 'module')


@pytest.fixture
def sim(tmp_path, flavor):
    running = SimulatorProcess(tmp_path, loopback_hosts(3), flavor)
    yield running
    running.stop()


@pytest.fixture
def inventory(tmp_path, sim):
    return write_inventory(tmp_path / 'inventory.json', sim)


def writes(sim):
    return sum(sim.counters(host)['write_requests'] for host in sim.hosts)


@pytest.mark.parametrize('path', PATHS)
def test_converge_idempotent_check_and_diff(sim, inventory, private_state, path, flavor):
    module_path = path == 'module'
    check = ansible_playbook('converge.yml', inventory, private_state, ['--check', '--diff'], module_path=module_path)
    assert check.rc == 0, check.output
    assert check.total('changed') == 9  # three tasks would change each of three miners
    assert writes(sim) == 0, 'check mode sent a write'
    assert '-  "mode": "normal"' in check.output or '"mode": "normal"' in check.output
    assert '+  "mode": "low"' in check.output or '"mode": "low"' in check.output

    first = ansible_playbook('converge.yml', inventory, private_state, module_path=module_path)
    assert first.rc == 0, first.output
    assert first.total('changed') == 9 and first.total('failed') == 0
    for host in sim.hosts:
        state = sim.control.state(host)
        assert state['pools'][0]['url'] == 'stratum+tcp://btc.pool.example:3333'

    second = ansible_playbook('converge.yml', inventory, private_state, module_path=module_path)
    assert second.rc == 0, second.output
    assert second.total('changed') == 0, second.output
    for host in sim.hosts:
        counters = sim.counters(host)
        if flavor == 'v3':
            # API v3 has no token table: detected once, salt read once (by the probe), cached
            assert counters['get_token'] == 0 and counters['commands'].get('get.device.info salt') == 1, counters
        else:
            assert counters['get_token'] == 1, 'pools + power + tuning, twice, must cost one token'


@pytest.mark.parametrize('path', PATHS)
def test_bad_input_fails_before_any_write(sim, inventory, private_state, path):
    run = ansible_playbook('bad_input.yml', inventory, private_state, module_path=path == 'module')
    assert run.rc == 0, run.output
    assert writes(sim) == 0
    assert all(sim.counters(host)['get_token'] == 0 for host in sim.hosts)


def test_wrong_password_hint_and_masking(sim, inventory, private_state):
    run = ansible_playbook('auth_errors.yml', inventory, private_state, ['-v'])
    assert run.rc == 0, run.output
    assert 'wrong_pw' not in run.output.split('TASK [Wrong password]')[1].split('TASK [The wrong')[0]


def test_write_api_off_hint(sim, inventory, private_state):
    for host in sim.hosts:
        sim.control.fault(host, 'write_off')
    run = ansible_playbook('converge.yml', inventory, private_state)
    assert run.rc != 0
    assert run.total('failed') == 3
    assert 'WhatsMinerTool' in run.output
    assert 'secret1' not in run.output
