# -*- coding: utf-8 -*-
"""Benchmark: an idempotent fleet run (facts + pools + power) on N simulated miners.

Prints wall time and controller CPU per host-task for three ways of running the same play:
- action: the collection's in-process action plugins (the default);
- module: the same tasks forced through the module path (a Python process per host-task);
- floor:  no-op action plugins of a throw-away collection, same hosts, tasks, arguments and
  module_defaults: what ansible-playbook itself costs.

Not a test: it asserts nothing; the figures are recorded in docs/performance.md.

    .venv/bin/python tests/benchmarks/fleet_run.py --miners 200 [--forks 10] [--skip-module]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'integration'))
sys.path.insert(0, str(ROOT / 'tests' / 'simulator'))

from harness import SimulatorProcess  # noqa: E402  pylint: disable=wrong-import-position

PLAY = '''---
- name: Idempotent fleet run
  hosts: miners
  gather_facts: false
  module_defaults:
    group/{group}:
      password: secret1
      timeout: 5
  tasks:
    - name: Facts
      {ns}.whatsminer_facts:
        gather_subset: [summary, status]
    - name: Pools
      {ns}.whatsminer_pools:
        pools:
          - url: stratum+tcp://btc.pool.example:3333
            user: acct.worker
            password: x
    - name: Power
      {ns}.whatsminer_power:
        mode: low
        power_limit: 3000
'''

NOOP_ACTION = '''from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        result['changed'] = False
        return result
'''


def hosts_for(count):
    return ['127.77.%d.%d' % (i // 250, i % 250 + 1) for i in range(count)]


def floor_collection(base):
    """bench.floor: no-op action plugins with the same names and an action group."""
    coll = base / 'ansible_collections' / 'bench' / 'floor'
    (coll / 'plugins' / 'action').mkdir(parents=True)
    (coll / 'plugins' / 'modules').mkdir(parents=True)
    (coll / 'meta').mkdir()
    (coll / 'galaxy.yml').write_text('namespace: bench\nname: floor\nversion: 1.0.0\nreadme: README.md\nauthors: [b]\n')
    names = ['whatsminer_facts', 'whatsminer_pools', 'whatsminer_power']
    (coll / 'meta' / 'runtime.yml').write_text('requires_ansible: ">=2.15"\naction_groups:\n  floor:\n'
                                               + ''.join('    - %s\n' % n for n in names))
    for name in names:
        (coll / 'plugins' / 'action' / (name + '.py')).write_text(NOOP_ACTION)
        (coll / 'plugins' / 'modules' / (name + '.py')).write_text('')
    return base


def run(playbook, inventory, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run([str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(inventory), str(playbook)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        failures = [line for line in proc.stdout.splitlines() if line.startswith(('fatal:', 'failed:'))]
        sys.stderr.write('\n'.join(failures[:20]) or proc.stdout[-3000:])
        raise SystemExit('ansible-playbook failed (rc %d)' % proc.returncode)
    return wall, cpu, proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--miners', type=int, default=200)
    parser.add_argument('--forks', type=int, default=10)
    parser.add_argument('--flavor', default='mixed')
    parser.add_argument('--skip-module', action='store_true', help='skip the (slow) module path')
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix='wm-bench-'))
    sim = SimulatorProcess(work, hosts_for(args.miners), args.flavor)
    try:
        inventory = work / 'inventory.json'
        hosts = {'m%04d' % i: {'ansible_host': h} for i, h in enumerate(sim.hosts)}
        inventory.write_text(json.dumps({'all': {'children': {'miners': {'hosts': hosts}}, 'vars': {
            'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
            'whatsminer_port': sim.port}}}))
        floor_collection(work / 'floor')
        env = dict(os.environ, ANSIBLE_FORKS=str(args.forks), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_COLLECTIONS_PATH='%s:%s' % (ROOT / 'build' / 'collections', work / 'floor'),
                   MINEROPS_WHATSMINER_STATE_DIR=str(work / 'state'))
        env.pop('MINEROPS_WHATSMINER_FORCE_MODULE', None)
        real = work / 'real.yml'
        real.write_text(PLAY.format(ns='minerops.whatsminer', group='minerops.whatsminer.whatsminer'))
        floor = work / 'floor.yml'
        floor.write_text(PLAY.format(ns='bench.floor', group='bench.floor.floor'))
        tasks = args.miners * 3
        print('miners=%d forks=%d flavor=%s host-tasks=%d cores=%d'
              % (args.miners, args.forks, args.flavor, tasks, os.cpu_count()))
        wall = run(real, inventory, env)[0]
        print('converge (first run, action path): wall %.1fs' % wall)
        rows = []
        wall, cpu, out = run(real, inventory, env)
        assert 'changed=0' in out
        rows.append(('action', wall, cpu))
        if not args.skip_module:
            wall, cpu, out = run(real, inventory, dict(env, MINEROPS_WHATSMINER_FORCE_MODULE='1'))
            rows.append(('module', wall, cpu))
        wall, cpu = run(floor, inventory, env)[:2]
        rows.append(('floor', wall, cpu))
        floor_wall, floor_cpu = rows[-1][1], rows[-1][2]
        print('%-8s %10s %12s %16s %12s %12s' % ('path', 'wall s', 'cpu s', 'cpu s/host-task', 'wall/floor', 'cpu/floor'))
        for name, wall, cpu in rows:
            print('%-8s %10.1f %12.1f %16.4f %12.2f %12.2f' % (name, wall, cpu, cpu / tasks, wall / floor_wall, cpu / floor_cpu))
        tokens = [sim.counters(h)['get_token'] for h in sim.hosts]
        conns = [sim.counters(h)['connections'] for h in sim.hosts]
        print('get_token per miner over all runs: max %d' % max(tokens))
        print('TCP connections per miner over all runs: mean %.1f' % (sum(conns) / len(conns)))
    finally:
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
