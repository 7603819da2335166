# -*- coding: utf-8 -*-
"""A converge of a whole simulated fleet in which some miners are faulty.

Used by the pytest version (a few dozen miners, asserts that exactly the faulty ones fail and
that a rerun after the faults clear converges them) and by tests/benchmarks/faulty_fleet.py
(a thousand miners, prints the counts). The play is pools + power + tuning, like a site run.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from ..harness import SimulatorProcess
from .runner import CALLBACKS, PASSWORD, playbook_run

#: Fault kinds given to faulty miners in turn: each makes a converge fail in its own way.
FAILING_FAULTS = ('write_off', 'btminer_down', 'garbage', 'token_full', 'drop', 'never_returns', 'delay')
WAIT_TIMEOUT = 20
DESIRED_POOLS = [{'url': 'stratum+tcp://btc.pool.example:3333', 'user': 'acct.fleet', 'password': 'x'},
                 {'url': 'stratum+ssl://backup.pool.example:443', 'user': 'acct.backup', 'password': 'x'}]


def play():
    return [{
        'name': 'Converge the fleet', 'hosts': 'miners', 'gather_facts': False,
        'module_defaults': {'group/minerops.whatsminer.whatsminer': {'timeout': 5}},
        'tasks': [
            {'name': 'Pools', 'minerops.whatsminer.whatsminer_pools': {'pools': DESIRED_POOLS}},
            {'name': 'Power', 'minerops.whatsminer.whatsminer_power': {'mode': 'low', 'power_limit': 3000,
                                                                       'wait_timeout': WAIT_TIMEOUT}},
            {'name': 'Tuning', 'minerops.whatsminer.whatsminer_tuning': {'temp_offset': -5, 'fast_boot': True}},
        ]}]


def converged(state):
    pools = [{'url': p['url'], 'user': p['user']} for p in state['pools'] if p.get('url')]
    return (pools == [{'url': p['url'], 'user': p['user']} for p in DESIRED_POOLS] and state['power_mode'] == 'Low'
            and int(state['power_limit']) == 3000 and int(state['temp_offset']) == -5 and state['fast_boot'] is True)


class FaultyFleet:
    """A simulator with ``len(hosts)`` miners, ``faulty`` of them given a failing fault."""

    # pylint: disable=too-many-arguments
    def __init__(self, workdir, hosts, faulty, flavor='mixed', kinds=FAILING_FAULTS):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.sim = SimulatorProcess(self.workdir, hosts, flavor, password=PASSWORD, extra=['--state', ''])
        self.names = {host: 'm%04d' % index for index, host in enumerate(hosts)}
        step = max(len(hosts) // max(faulty, 1), 1)
        self.faulty = {}
        for number, host in enumerate(hosts[::step][:faulty]):
            kind = kinds[number % len(kinds)]
            self.sim.control.fault(host, kind, seconds=12 if kind == 'delay' else None)
            self.faulty[self.names[host]] = kind
        self.inventory = self.workdir / 'inventory.json'
        self.inventory.write_text(json.dumps({'all': {'children': {'miners': {'hosts': {
            name: {'ansible_host': host} for host, name in self.names.items()}}}, 'vars': {
            'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
            'whatsminer_port': self.sim.port, 'whatsminer_password': PASSWORD,
            **({'whatsminer_v3_port': self.sim.v3_port} if self.sim.v3_port else {})}}}))
        self.playbook = self.workdir / 'converge.json.yml'
        self.playbook.write_text(json.dumps(play(), indent=1))

    def clear_faults(self):
        by_name = {name: host for host, name in self.names.items()}
        for name in self.faulty:
            self.sim.control.clear_faults(by_name[name])
        deadline = time.monotonic() + 60
        while any(miner['down'] for miner in self.sim.control.hosts()['miners']):
            if time.monotonic() > deadline:
                raise RuntimeError('miners still down a minute after their faults were cleared')
            time.sleep(0.2)

    def converge(self, label, forks=20, module_path=False):
        """One run; returns a dict of figures and per-host outcomes."""
        results = self.workdir / ('results-%s.jsonl' % label)
        started = time.monotonic()
        run = playbook_run(self.playbook, self.inventory, self.workdir / 'state', module_path=module_path, env={
            'ANSIBLE_CALLBACK_PLUGINS': str(CALLBACKS), 'ANSIBLE_CALLBACKS_ENABLED': 'matrix_results',
            'MATRIX_RESULTS_FILE': str(results), 'ANSIBLE_FORKS': str(forks)}, niceness=0)
        wall = time.monotonic() - started
        failures = {}
        changed = Counter()
        for line in results.read_text().splitlines() if results.exists() else []:
            record = json.loads(line)
            result = record['result']
            if record['status'] != 'ok':
                failures[record['host']] = {'task': record['task'], 'kind': (result.get('error') or {}).get('kind'),
                                            'msg': str(result.get('msg'))[:300]}
            elif result.get('changed'):
                changed[record['host']] += 1
        states = {self.names[host]: self.sim.control.state(host) for host in self.sim.hosts}
        return {'label': label, 'rc': run.rc, 'wall': wall, 'output': run.output, 'failures': failures,
                'hosts': len(self.names),
                'changed_hosts': len(changed), 'changed_tasks': sum(changed.values()),
                'converged': sorted(name for name, state in states.items() if converged(state)),
                'traceback': 'Traceback' in run.output}

    def stop(self):
        self.sim.stop()


def outcome_counts(figures):
    """``{'ok': n, 'failed <kind>': n, ...}`` per host."""
    counts = Counter(('failed %s' % failure['kind']) for failure in figures['failures'].values())
    counts['ok'] = figures['hosts'] - len(figures['failures'])
    return dict(counts)
