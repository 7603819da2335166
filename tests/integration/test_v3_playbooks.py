# -*- coding: utf-8 -*-
"""ansible-playbook against fleets that mix API v2 and API v3 firmware.

The rest of the integration suite already runs every module against the ``v3`` flavour
(conftest.FLAVORS); these tests cover what only a mix shows: per-miner detection in one play,
the ``whatsminer_api_version`` host variable overriding it, and a forced ``api_version: v3``
failing clearly on firmware without API v3.
"""

from __future__ import annotations

import json

import pytest

from .conftest import loopback_hosts
from .harness import SimulatorProcess, ansible_playbook, write_inventory

PATHS = ('action', 'module')


@pytest.fixture
def mixed(tmp_path):
    running = SimulatorProcess(tmp_path, loopback_hosts(3), 'mixed-v3')
    yield running
    running.stop()


def host_vars(path, values):
    """Add per-host variables (``{index: {var: value}}``) to an inventory of write_inventory."""
    data = json.loads(path.read_text())
    hosts = data['all']['children']['miners']['hosts']
    for index, extra in values.items():
        hosts['miner%02d' % (index + 1)].update(extra)
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize('path', PATHS)
def test_mixed_fleet_converges_with_detection_per_miner(mixed, tmp_path, private_state, path):
    inventory = write_inventory(tmp_path / 'inventory.json', mixed)
    module_path = path == 'module'
    check = ansible_playbook('converge.yml', inventory, private_state, ['--check'], module_path=module_path)
    assert check.rc == 0 and check.total('changed') == 9, check.output
    assert sum(mixed.counters(host)['write_requests'] for host in mixed.hosts) == 0
    first = ansible_playbook('converge.yml', inventory, private_state, module_path=module_path)
    assert first.rc == 0 and first.total('changed') == 9, first.output
    second = ansible_playbook('converge.yml', inventory, private_state, module_path=module_path)
    assert second.rc == 0 and second.total('changed') == 0, second.output
    v2_2022, v2_2025, v3 = (mixed.counters(host) for host in mixed.hosts)
    assert v2_2022['get_token'] == 1 and v2_2025['get_token'] == 1
    assert v3['get_token'] == 0 and v3['commands']['set.miner.pools'] == 1
    for host in mixed.hosts:
        assert mixed.control.state(host)['power_mode'] == 'Low'


def test_facts_name_the_api_each_miner_speaks(mixed, tmp_path, private_state):
    inventory = write_inventory(tmp_path / 'inventory.json', mixed)
    host_vars(inventory, {0: {'expected_api_prefix': r'^2\.0'}, 1: {'expected_api_prefix': r'^2\.2'},
                          2: {'expected_api_prefix': r'^3\.'}})
    run = ansible_playbook('v3_facts.yml', inventory, private_state)
    assert run.rc == 0 and run.total('failed') == 0, run.output


def test_host_variable_forces_v2_on_v3_firmware(tmp_path, private_state):
    sim = SimulatorProcess(tmp_path, loopback_hosts(2), 'v3')
    try:
        inventory = write_inventory(tmp_path / 'inventory.json', sim,
                                    {'whatsminer_api_version': 'v2', 'expected_api_prefix': r'^2\.2'})
        facts = ansible_playbook('v3_facts.yml', inventory, private_state, module_path=True)
        assert facts.rc == 0, facts.output
        run = ansible_playbook('converge.yml', inventory, private_state)
        assert run.rc == 0 and run.total('changed') == 6, run.output
        for host in sim.hosts:
            counters = sim.counters(host)
            assert counters['get_token'] == 1 and 'get.device.info salt' not in counters['commands']
    finally:
        sim.stop()


def test_forced_v3_on_old_firmware_fails_clearly(tmp_path, private_state):
    sim = SimulatorProcess(tmp_path, loopback_hosts(2), '2022')
    try:
        inventory = write_inventory(tmp_path / 'inventory.json', sim)
        for module_path in (False, True):
            run = ansible_playbook('v3_forced.yml', inventory, private_state, module_path=module_path)
            assert run.rc == 0 and run.total('failed') == 0, run.output
    finally:
        sim.stop()
