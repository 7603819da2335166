# -*- coding: utf-8 -*-
"""whatsminer_network with ansible-playbook against the simulator, every flavour, both execution
paths: check mode and diff, a static move of every miner to a new loopback address (found and
verified there, changed=0 when run again against the new addresses), back to DHCP, and bad input
of the network, system and LED modules failing before any write."""

from __future__ import annotations

import json

import pytest

from .conftest import loopback_hosts
from .harness import SimulatorProcess, ansible_playbook, write_inventory

PATHS = ('action', 'module')


@pytest.fixture
def sim(tmp_path, flavor):
    running = SimulatorProcess(tmp_path, loopback_hosts(2), flavor)
    yield running
    running.stop()


def inventory(path, sim, addresses, new_ips):
    """The simulator's inventory with ansible_host = ``addresses`` and a new_ip per miner."""
    write_inventory(path, sim)
    data = json.loads(path.read_text())
    hosts = data['all']['children']['miners']['hosts']
    for (name, host), address, new_ip in zip(sorted(hosts.items()), addresses, new_ips):
        host.update({'ansible_host': address, 'new_ip': new_ip})
    path.write_text(json.dumps(data, indent=1))
    return path


def writes(sim, hosts):
    return sum(sim.counters(host)['write_requests'] for host in hosts)


@pytest.mark.parametrize('path', PATHS)
def test_static_move_then_dhcp(sim, tmp_path, private_state, path):
    module_path = path == 'module'
    slots = list(sim.hosts)
    new_ips = loopback_hosts(2)
    old = inventory(tmp_path / 'old.json', sim, slots, new_ips)

    check = ansible_playbook('network_move.yml', old, private_state, ['--check', '--diff'], module_path=module_path)
    assert check.rc == 0, check.output
    assert check.total('changed') == 2 and writes(sim, slots) == 0, 'check mode sent a write'
    for slot, new_ip in zip(slots, new_ips):
        assert '-    "ip": "%s"' % slot in check.output and '+    "ip": "%s"' % new_ip in check.output, check.output
    assert '+    "dhcp": false' in check.output

    first = ansible_playbook('network_move.yml', old, private_state, module_path=module_path)
    assert first.rc == 0, first.output
    assert first.total('changed') == 2 and first.total('failed') == 0
    for index, (slot, new_ip) in enumerate(zip(slots, new_ips), start=1):
        state = sim.control.state(slot)
        assert (state['net_proto'], state['ip'], state['netmask'], state['dns']) == \
            ('static', new_ip, '255.0.0.0', '127.0.0.1 127.0.0.53')
        assert state['hostname'] == 'rack-miner%02d' % index
        assert sim.counters(slot)['commands'].get('net_config', 0) + \
            sim.counters(slot)['commands'].get('set.system.net_config', 0) == 1
    assert sorted(sim.control.hosts()['hosts']) == sorted(new_ips)

    moved = inventory(tmp_path / 'moved.json', sim, new_ips, new_ips)
    second = ansible_playbook('network_move.yml', moved, private_state, module_path=module_path)
    assert second.rc == 0, second.output
    assert second.total('changed') == 0, second.output

    before = writes(sim, new_ips)
    dhcp_check = ansible_playbook('network_dhcp.yml', moved, private_state, ['--check', '--diff'],
                                  module_path=module_path)
    assert dhcp_check.rc == 0, dhcp_check.output
    assert dhcp_check.total('changed') == 2 and writes(sim, new_ips) == before
    assert '-    "dhcp": false' in dhcp_check.output and '+    "dhcp": true' in dhcp_check.output

    dhcp = ansible_playbook('network_dhcp.yml', moved, private_state, module_path=module_path)
    assert dhcp.rc == 0, dhcp.output
    assert dhcp.total('changed') == 2 and dhcp.total('failed') == 0
    assert all(sim.control.state(slot)['net_proto'] == 'dhcp' for slot in slots)
    again = ansible_playbook('network_dhcp.yml', moved, private_state, module_path=module_path)
    assert again.rc == 0 and again.total('changed') == 0, again.output


@pytest.mark.parametrize('path', PATHS)
def test_bad_input_fails_before_any_write(tmp_path, private_state, flavor, path):
    sim = SimulatorProcess(tmp_path, loopback_hosts(1), flavor)
    try:
        inv = write_inventory(tmp_path / 'inventory.json', sim)
        run = ansible_playbook('network_system_led_bad_input.yml', inv, private_state, module_path=path == 'module')
        assert run.rc == 0, run.output
        assert writes(sim, sim.hosts) == 0
        counters = sim.counters(sim.hosts[0])
        assert counters['get_token'] == 0 and counters['connections'] == 0, counters
    finally:
        sim.stop()
