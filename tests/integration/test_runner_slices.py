# -*- coding: utf-8 -*-
"""site.yml through ansible-runner (the executor AWX / Automation Controller use), the
inventory split into two slices run side by side the way job slicing does."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import ansible_runner

from .conftest import loopback_hosts
from .harness import ROOT, SimulatorProcess

DESIRED = {
    'baseline_pools': [{'url': 'stratum+tcp://btc.pool.example:3333', 'user': 'acct.sliced', 'password': 'x'}],
    'baseline_power': {'mode': 'low'},
    'baseline_wait_timeout': 30,
}


def slice_inventory(sim, names):
    hosts = {name: {'ansible_host': sim.hosts[int(name[-2:]) - 1]} for name in names}
    variables = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                 'whatsminer_port': sim.port, 'whatsminer_password': 'secret1'}
    variables.update(DESIRED)
    return {'all': {'children': {'whatsminer': {'hosts': hosts}}, 'vars': variables}}


def test_site_in_two_slices_with_ansible_runner(tmp_path, private_state, monkeypatch):
    # ansible-runner finds ansible-playbook on PATH, as in an execution environment.
    monkeypatch.setenv('PATH', '%s:%s' % (Path(sys.executable).parent, os.environ.get('PATH', '')))
    sim = SimulatorProcess(tmp_path, loopback_hosts(6), 'mixed')
    try:
        names = ['miner%02d' % i for i in range(1, 7)]
        slices = [names[0::2], names[1::2]]
        runs = [None, None]

        def run(index):
            data_dir = tmp_path / ('slice%d' % index)
            (data_dir / 'inventory').mkdir(parents=True)
            (data_dir / 'inventory' / 'hosts.json').write_text(json.dumps(slice_inventory(sim, slices[index])))
            runs[index] = ansible_runner.run(
                private_data_dir=str(data_dir), project_dir=str(ROOT / 'playbooks'), playbook='site.yml', quiet=True,
                envvars={'ANSIBLE_COLLECTIONS_PATH': str(ROOT / 'build' / 'collections'),
                         'MINEROPS_WHATSMINER_STATE_DIR': str(private_state)})
        threads = [threading.Thread(target=run, args=(index,)) for index in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)

        for index, runner in enumerate(runs):
            assert runner.status == 'successful' and runner.rc == 0, runner.stdout.read()
            events = list(runner.events)
            stats = [e for e in events if e['event'] == 'playbook_on_stats'][-1]['event_data']
            assert sorted(stats['changed']) == sorted(slices[index]), 'every miner of the slice changed'
            assert not stats.get('failures') and not stats.get('dark')
            changed = {(e['event_data']['host'], e['event_data']['task']) for e in events
                       if e['event'] == 'runner_on_ok' and e['event_data']['res'].get('changed')}
            assert {host for host, _task in changed} == set(slices[index])
            assert {task for _host, task in changed} == {'Pools', 'Power (restarts btminer when mode, power limit or target frequency change)'}
        for host in sim.hosts:
            state = sim.control.state(host)
            assert state['pools'][0]['url'] == 'stratum+tcp://btc.pool.example:3333'
            assert str(state['power_mode']).lower() == 'low'
            assert sim.counters(host)['get_token'] == 1
    finally:
        sim.stop()
