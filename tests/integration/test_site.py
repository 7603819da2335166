# -*- coding: utf-8 -*-
"""Desired state as data: the baseline role through playbooks/site.yml and playbooks/drift.yml."""

from __future__ import annotations

import json

import pytest

from .conftest import loopback_hosts
from .harness import ROOT, SimulatorProcess, ansible_playbook, write_inventory

DESIRED = {
    'baseline_pools': [{'url': 'stratum+tcp://btc.pool.example:3333', 'user': 'acct.site', 'password': 'x'}],
    'baseline_power': {'mode': 'low', 'power_limit': 3100},
    'baseline_tuning': {'temp_offset': -4, 'fast_boot': True},
    'baseline_system': {'timezone': 'CST-8', 'zonename': 'Asia/Shanghai', 'web_pools': False},
    'baseline_led': {'mode': 'auto'},
    'baseline_wait_timeout': 30,
}


@pytest.fixture
def sim(tmp_path):
    running = SimulatorProcess(tmp_path, loopback_hosts(4), 'mixed')
    yield running
    running.stop()


def inventory_for(tmp_path, sim):
    path = write_inventory(tmp_path / 'inventory.json', sim, DESIRED)
    data = json.loads(path.read_text())
    data['all']['children'] = {'whatsminer': data['all']['children']['miners']}
    path.write_text(json.dumps(data))
    return path


def site(name):
    return str(ROOT / 'playbooks' / name)


def test_converge_rerun_and_drift(sim, tmp_path, private_state):
    inventory = inventory_for(tmp_path, sim)
    drift_file = tmp_path / 'drift.json'

    before = ansible_playbook(site('drift.yml'), inventory, private_state, ['-e', 'drift_report=%s' % drift_file])
    assert before.rc != 0, 'an unconverged fleet must fail the drift check'
    assert drift_file.exists(), before.output
    report = json.loads(drift_file.read_text())
    assert sorted(report['drifted']) == ['miner01', 'miner02', 'miner03', 'miner04']
    assert {'pools', 'tuning', 'power', 'system'} <= {item['section'] for item in report['miners']['miner01']}
    assert sum(sim.counters(h)['write_requests'] for h in sim.hosts) == 0

    first = ansible_playbook(site('site.yml'), inventory, private_state)
    assert first.rc == 0, first.output
    assert first.total('changed') >= 16 and first.total('failed') == 0

    second = ansible_playbook(site('site.yml'), inventory, private_state)
    assert second.rc == 0 and second.total('changed') == 0, second.output

    clean = ansible_playbook(site('drift.yml'), inventory, private_state, ['-e', 'drift_report=%s' % drift_file])
    assert clean.rc == 0, clean.output
    assert json.loads(drift_file.read_text())['drifted'] == []

    # Someone edits one miner's pool on its web page: the drift check names that miner only.
    rogue = [{'url': 'stratum+tcp://rogue.example:3333', 'user': 'thief', 'passwd': 'x'},
             {'url': '', 'user': '', 'passwd': ''}, {'url': '', 'user': '', 'passwd': ''}]
    sim.control.set(sim.hosts[2], pools=rogue)
    drifted = ansible_playbook(site('drift.yml'), inventory, private_state, ['-e', 'drift_report=%s' % drift_file])
    assert drifted.rc != 0
    report = json.loads(drift_file.read_text())
    assert report['drifted'] == ['miner03']
    assert report['miners']['miner03'][0]['before']['pools'][0]['url'] == 'stratum+tcp://rogue.example:3333'
