# -*- coding: utf-8 -*-
"""whatsminer_system with ansible-playbook against the simulator, every flavour, both execution
paths: check mode writes nothing and shows the diff, the first run sends each command once, the
second changes nothing (write-only settings: the controller's last-applied record)."""

from __future__ import annotations

import pytest

from .conftest import loopback_hosts
from .harness import SimulatorProcess, ansible_playbook, write_inventory

PATHS = ('action', 'module')


@pytest.fixture
def sim(tmp_path, flavor):
    running = SimulatorProcess(tmp_path, loopback_hosts(2), flavor)
    yield running
    running.stop()


def writes(sim):
    return sum(sim.counters(host)['write_requests'] for host in sim.hosts)


@pytest.mark.parametrize('path', PATHS)
def test_system_converges_once(sim, tmp_path, private_state, path, flavor):
    module_path = path == 'module'
    inv = write_inventory(tmp_path / 'inventory.json', sim, {'sim_flavor': flavor})
    check = ansible_playbook('system_settings.yml', inv, private_state, ['--check', '--diff'], module_path=module_path)
    assert check.rc == 0, check.output
    assert check.total('changed') == 2 and writes(sim) == 0, 'check mode sent a write'
    # API v2 cannot read the time zone back (unknown before the first write); API v3 reads it
    before = '"Asia/Shanghai"' if flavor == 'v3' else 'null'
    assert '-    "zonename": %s' % before in check.output, check.output
    assert '+    "zonename": "Europe/Berlin"' in check.output, check.output

    first = ansible_playbook('system_settings.yml', inv, private_state, ['--diff'], module_path=module_path)
    assert first.rc == 0, first.output
    assert first.total('changed') == 2 and first.total('failed') == 0
    for host in sim.hosts:
        state = sim.control.state(host)
        assert (state['timezone'], state['zonename']) == ('CET-1CEST,M3.5.0,M10.5.0/3', 'Europe/Berlin')
        assert (state['syslog_ip'], state['syslog_port'], state['syslog_proto']) == ('127.0.0.1', '5514', 'tcp')
        assert state['web_pools'] is False
    sent = writes(sim)
    assert sent == 6, 'set_zone, load_log and disable_web_pools once per miner'

    second = ansible_playbook('system_settings.yml', inv, private_state, module_path=module_path)
    assert second.rc == 0, second.output
    assert second.total('changed') == 0, second.output
    assert writes(sim) == sent
