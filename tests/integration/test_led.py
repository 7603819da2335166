# -*- coding: utf-8 -*-
"""whatsminer_led with ansible-playbook against the simulator, every flavour, both execution
paths: check mode writes nothing and shows the diff, a manual pattern is set once (mode read
back, pattern write-only), then back to auto."""

from __future__ import annotations

import json

import pytest

from .conftest import loopback_hosts
from .harness import SimulatorProcess, ansible_playbook, write_inventory

PATHS = ('action', 'module')
AUTO = ['-e', json.dumps({'led_args': {'mode': 'auto'}})]


@pytest.fixture
def sim(tmp_path, flavor):
    running = SimulatorProcess(tmp_path, loopback_hosts(2), flavor)
    yield running
    running.stop()


def writes(sim):
    return sum(sim.counters(host)['write_requests'] for host in sim.hosts)


@pytest.mark.parametrize('path', PATHS)
def test_led_pattern_then_auto(sim, tmp_path, private_state, path):
    module_path = path == 'module'
    inv = write_inventory(tmp_path / 'inventory.json', sim)
    check = ansible_playbook('led_pattern.yml', inv, private_state, ['--check', '--diff'], module_path=module_path)
    assert check.rc == 0, check.output
    assert check.total('changed') == 2 and writes(sim) == 0, 'check mode sent a write'
    assert '-    "mode": "auto"' in check.output and '+    "mode": "manual"' in check.output, check.output

    first = ansible_playbook('led_pattern.yml', inv, private_state, module_path=module_path)
    assert first.rc == 0, first.output
    assert first.total('changed') == 2 and first.total('failed') == 0
    for host in sim.hosts:
        state = sim.control.state(host)
        assert (state['led_mode'], state['led_color'], state['led_period'], state['led_duration'],
                state['led_start']) == ('manual', 'green', 2000, 500, 100)
    assert writes(sim) == 2, 'one set_led per miner'

    second = ansible_playbook('led_pattern.yml', inv, private_state, module_path=module_path)
    assert second.rc == 0, second.output
    assert second.total('changed') == 0 and writes(sim) == 2, second.output

    auto = ansible_playbook('led_pattern.yml', inv, private_state, AUTO + ['--diff'], module_path=module_path)
    assert auto.rc == 0, auto.output
    assert auto.total('changed') == 2 and '+    "mode": "auto"' in auto.output
    assert all(sim.control.state(host)['led_mode'] == 'auto' for host in sim.hosts)
    again = ansible_playbook('led_pattern.yml', inv, private_state, AUTO, module_path=module_path)
    assert again.rc == 0 and again.total('changed') == 0, again.output
