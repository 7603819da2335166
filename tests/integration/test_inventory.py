# -*- coding: utf-8 -*-
"""The inventory plugin through ``ansible-inventory`` and ``ansible-playbook`` against a
simulated fleet mixing every firmware flavour (2022, 2025, v3), compared with golden files.

The simulator's identities (model, MAC, serial, hostname) are deterministic from the address
and seed, so the fleet lives at fixed addresses: twelve miners in 127.201.1.0/27 with gaps.
Only the ephemeral ports differ from run to run; they are replaced by ``<PORT>`` and
``<V3_PORT>`` before comparing. ``UPDATE_GOLDEN=1`` rewrites the golden files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from .harness import ROOT, SimulatorProcess, ansible_playbook

GOLDEN = Path(__file__).resolve().parent / 'golden'
NETWORK = '127.201.1.0/27'
FLEET = ['127.201.1.%d' % n for n in (2, 3, 5, 6, 9, 10, 13, 17, 18, 21, 26, 29)]
BINDIR = Path(sys.executable).parent


def ansible_inventory(source, state_dir, *args, env_extra=None):
    env = dict(os.environ)
    env.update({'ANSIBLE_COLLECTIONS_PATH': str(ROOT / 'build' / 'collections'), 'ANSIBLE_NOCOLOR': '1',
                'ANSIBLE_FORCE_COLOR': '0', 'ANSIBLE_DEPRECATION_WARNINGS': 'False',
                'MINEROPS_WHATSMINER_STATE_DIR': str(state_dir)})
    env.update(env_extra or {})
    return subprocess.run([str(BINDIR / 'ansible-inventory'), '-i', str(source)] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=120, check=False)


def write_source(path, sim, **options):
    """A ``*.whatsminer.yml`` inventory source for the simulated fleet."""
    config = {'plugin': 'minerops.whatsminer.whatsminer', 'networks': [NETWORK], 'port': sim.port,
              'v3_port': sim.v3_port, 'timeout': 2, 'vars': {'ansible_connection': 'local'}}
    config.update(options)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def normalise(data, sim):
    """The inventory JSON with the ephemeral ports replaced (recursively, by value)."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key == 'whatsminer_port' and value == sim.port:
                value = '<PORT>'
            elif key == 'whatsminer_v3_port' and value == sim.v3_port:
                value = '<V3_PORT>'
            out[key] = normalise(value, sim)
        return out
    if isinstance(data, list):
        return [normalise(item, sim) for item in data]
    return data


def compare_golden(name, actual):
    path = GOLDEN / name
    text = actual if isinstance(actual, str) else json.dumps(actual, indent=2, sort_keys=True) + '\n'
    if os.environ.get('UPDATE_GOLDEN'):
        path.write_text(text)
    assert path.exists(), 'golden file %s missing (run with UPDATE_GOLDEN=1)' % path
    assert text == path.read_text(), 'differs from %s (UPDATE_GOLDEN=1 rewrites it after review)' % path


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    """Twelve miners (2022, 2025, v3 in turn) at fixed addresses of a /27."""
    sim = SimulatorProcess(tmp_path_factory.mktemp('inventory-fleet'), FLEET, 'mixed-v3')
    yield sim
    sim.stop()


def reads_of(sim, hosts):
    return {host: sim.counters(host) for host in hosts}


def test_list_matches_golden(fleet, tmp_path, private_state):
    source = write_source(tmp_path / 'site.whatsminer.yml', fleet)
    run = ansible_inventory(source, private_state, '--list', '-vvv')
    assert run.returncode == 0, run.stderr + run.stdout
    data = json.loads(run.stdout[run.stdout.index('\n{') + 1:] if not run.stdout.startswith('{') else run.stdout)
    compare_golden('inventory_list.json', normalise(data, fleet))
    assert sorted(data['whatsminer']['hosts']) == sorted('WhatsMiner-1-%02d' % int(h.rsplit('.', 1)[1]) for h in FLEET)
    # 30 addresses: 12 miners, 18 refused, each counted once
    assert 'scanned 30 addresses' in run.stdout and '12 miners; skipped: unreachable 18' in run.stdout
    hostvars = data['_meta']['hostvars']
    apis = {name: (vars_['whatsminer_flavour'], vars_['whatsminer_api_version']) for name, vars_ in hostvars.items()}
    assert sorted(set(json.dumps(value, sort_keys=True) for value in apis.values())) == sorted(json.dumps(value) for value in [
        [{'__ansible_unsafe': '2022'}, {'__ansible_unsafe': 'v2'}],
        [{'__ansible_unsafe': '2025'}, {'__ansible_unsafe': 'v2'}],
        [{'__ansible_unsafe': '2025'}, {'__ansible_unsafe': 'v3'}]]), 'every flavour in the fleet'
    counters = reads_of(fleet, FLEET)
    for host, flavour in zip(FLEET, ['2022', '2025', 'v3'] * 4):
        assert counters[host]['write_requests'] == 0 and counters[host]['get_token'] == 0
        commands = dict(counters[host]['commands'])
        expected = {'get_version': 1, 'get_miner_info': 1, 'status': 1}
        if flavour == '2022':
            expected['devdetails'] = 1  # the model is named there on 2022-era firmware
        if flavour == 'v3':
            expected['get.device.info salt'] = 1  # the API v3 probe
        assert commands == expected, (host, commands)
        fleet.control.reset_counters(host)


def test_graph_matches_golden(fleet, tmp_path, private_state):
    source = write_source(tmp_path / 'site.whatsminer.yml', fleet)
    run = ansible_inventory(source, private_state, '--graph')
    assert run.returncode == 0, run.stderr
    compare_golden('inventory_graph.txt', run.stdout)


def test_keyed_groups_compose_and_mac_names(fleet, tmp_path, private_state):
    source = write_source(
        tmp_path / 'keyed.whatsminer.yaml', fleet, host_naming='mac', group='miners',
        exclude=['127.201.1.0/30', '127.201.1.26'],
        keyed_groups=[{'key': 'whatsminer_model', 'prefix': 'model'},
                      {'key': 'whatsminer_firmware', 'prefix': 'firmware'},
                      {'key': 'whatsminer_flavour', 'prefix': 'flavour'}],
        groups={'api_v3': "whatsminer_api_version == 'v3'", 'legacy': "whatsminer_api_release is version('2.2', '<')"},
        compose={'rack': "ansible_host.split('.')[-1] | int // 10", 'label': "whatsminer_model ~ '@' ~ ansible_host"},
        vars={'ansible_connection': 'local', 'site': 'lab'})
    listed = ansible_inventory(source, private_state, '--list')
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    compare_golden('inventory_keyed.json', normalise(data, fleet))
    assert len(data['miners']['hosts']) == 9, 'excluded: .2, .3 (in the /30) and .26'
    assert all(name.startswith('c6-07-20-') for name in data['miners']['hosts'])
    graph = ansible_inventory(source, private_state, '--graph')
    assert graph.returncode == 0, graph.stderr
    compare_golden('inventory_keyed_graph.txt', graph.stdout)


def test_cache_serves_the_inventory_with_the_fleet_stopped(tmp_path, private_state):
    sim = SimulatorProcess(tmp_path, ['127.201.2.%d' % n for n in (4, 7, 9)], 'mixed-v3')
    try:
        source = write_source(tmp_path / 'cached.whatsminer.yml', sim, networks=['127.201.2.0/28'], cache=True,
                              cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'),
                              cache_timeout=600)
        first = ansible_inventory(source, private_state, '--list')
        assert first.returncode == 0, first.stderr
        assert len(json.loads(first.stdout)['whatsminer']['hosts']) == 3
        assert list((tmp_path / 'cache').iterdir()), 'the scan was written to the cache'
    finally:
        sim.stop()
    second = ansible_inventory(source, private_state, '--list', '-vvv')
    assert second.returncode == 0, second.stderr
    assert '3 miners from the cache' in second.stdout
    assert json.loads(second.stdout[second.stdout.index('\n{') + 1:]) == json.loads(first.stdout)
    flushed = ansible_inventory(source, private_state, '--list', '--flush-cache')
    assert flushed.returncode == 0, flushed.stderr
    assert 'whatsminer' not in json.loads(flushed.stdout) or not json.loads(flushed.stdout)['whatsminer'].get('hosts')


def test_silent_addresses_cost_one_timeout_in_parallel(tmp_path, private_state):
    """Miners that accept the connection but never answer (delay fault) are skipped as
    timeouts; with enough threads the scan takes one timeout, not one per address."""
    hosts = ['127.201.3.%d' % n for n in range(2, 10)]
    sim = SimulatorProcess(tmp_path, hosts, '2022')
    try:
        for host in hosts[:6]:
            sim.control.fault(host, 'delay', seconds=8)
        source = write_source(tmp_path / 'slow.whatsminer.yml', sim, networks=['127.201.3.2-9'], timeout=1,
                              concurrency=8, detect_api_version=False)
        started = time.monotonic()
        run = ansible_inventory(source, private_state, '--list', '-vvv')
        elapsed = time.monotonic() - started
        assert run.returncode == 0, run.stderr
        assert '2 miners; skipped: timeout 6' in run.stdout
        assert elapsed < 6, 'six silent addresses were waited for one after the other (%.1fs)' % elapsed
        data = json.loads(run.stdout[run.stdout.index('\n{') + 1:])
        assert sorted(data['whatsminer']['hosts']) == ['WhatsMiner-3-08', 'WhatsMiner-3-09']
        assert 'whatsminer_api_version' not in data['_meta']['hostvars']['WhatsMiner-3-08']
    finally:
        sim.stop()


def test_bad_options_fail_before_any_address_is_contacted(fleet, tmp_path, private_state):
    for host in FLEET:
        fleet.control.reset_counters(host)
    for options, words in (({'networks': ['127.0.0.0/8']}, 'more than max_addresses (65536)'),
                           ({'networks': ['127.201.1.9-2']}, 'networks: the range'),
                           ({'host_naming': 'serial'}, "'host_naming'"),  # ansible-core checks choices
                           ({'host_naming': 'serial'}, 'Valid values are: hostname, mac, ip'),
                           ({'concurrency': 0}, 'concurrency must be from 1 to 1024')):
        source = write_source(tmp_path / 'bad.whatsminer.yml', fleet, **options)
        run = ansible_inventory(source, private_state, '--list',
                                env_extra={'ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED': 'True'})
        assert run.returncode != 0
        assert words in ' '.join(run.stderr.split()), run.stderr
    assert all(fleet.counters(host)['connections'] == 0 for host in FLEET)


PLAY = '''---
- name: Miners found by the inventory plugin
  hosts: whatsminer
  gather_facts: false
  tasks:
    - name: Facts through the discovered variables (port, API version, v3 port)
      minerops.whatsminer.whatsminer_facts:
        gather_subset: [version, network]
    - name: The facts agree with the inventory
      ansible.builtin.assert:
        that:
          - ansible_facts.whatsminer.version.firmware == whatsminer_firmware
          - ansible_facts.whatsminer.version.model == whatsminer_model
          - ansible_facts.whatsminer.network.mac == whatsminer_mac
    - name: A hostname read from the miner is text, never a template
      ansible.builtin.debug:
        msg: "hostname=[{{ whatsminer_hostname }}]"
    - name: Set the power mode (a write, with the password from the plugin's vars)
      minerops.whatsminer.whatsminer_power:
        mode: low
'''


@pytest.mark.parametrize('path', ('action', 'module'))
def test_playbook_over_discovered_miners(tmp_path, private_state, path):
    hosts = ['127.201.4.%d' % n for n in (2, 3, 4)] if path == 'action' else ['127.201.5.%d' % n for n in (2, 3, 4)]
    sim = SimulatorProcess(tmp_path, hosts, 'mixed-v3')
    try:
        evil = "{{ lookup('ansible.builtin.pipe', 'echo INJECTED') }}"
        sim.control.set(hosts[0], hostname=evil)
        source = write_source(tmp_path / 'play.whatsminer.yml', sim, networks=[hosts[0] + '-' + hosts[-1]],
                              vars={'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                                    'whatsminer_password': 'secret1'})
        playbook = tmp_path / 'play.yml'
        playbook.write_text(PLAY)
        module_path = path == 'module'
        check = ansible_playbook(str(playbook), source, private_state, ['--check'], module_path=module_path)
        assert check.rc == 0 and check.total('changed') == 3, check.output
        assert all(sim.counters(host)['write_requests'] == 0 for host in hosts), 'check mode wrote'
        first = ansible_playbook(str(playbook), source, private_state, module_path=module_path)
        assert first.rc == 0, first.output
        assert first.total('changed') == 3 and first.total('failed') == 0, first.output
        assert 'hostname=[%s]' % evil in first.output and 'INJECTED' not in first.output.replace(evil, '')
        assert 'named by their address: %s' % hosts[0] in ' '.join(first.output.split())
        for host in hosts:
            assert sim.control.state(host)['power_mode'] == 'Low'
        second = ansible_playbook(str(playbook), source, private_state, module_path=module_path)
        assert second.rc == 0 and second.total('changed') == 0, second.output
    finally:
        sim.stop()
