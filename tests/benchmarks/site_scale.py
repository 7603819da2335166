# -*- coding: utf-8 -*-
"""Benchmark: playbooks/site.yml on a large simulated fleet (default 1,000 miners).

Prints, for the first converge (changes, restarts), the idempotent rerun and a facts-only
run: wall time, controller CPU per host-task, peak controller memory (ansible-playbook and
its workers, sampled every 0.25 s: the sum of PSS, which counts the pages forked workers share
once, and the sum of RSS, which counts them once per worker), and the ratio to a no-op action
playbook over the same hosts x tasks (site.yml and its role over no-op twins of the modules);
plus get_token calls per miner and TCP connections per miner per idempotent run (simulator
counters). Asserts nothing; figures go to docs/performance.md.

    .venv/bin/python tests/benchmarks/site_scale.py --miners 1000 [--forks 50]
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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'integration'))
sys.path.insert(0, str(ROOT / 'tests' / 'benchmarks'))

# pylint: disable=wrong-import-position
from fleet_run import NOOP_ACTION  # noqa: E402
from harness import SimulatorProcess  # noqa: E402

SITE_VARS = {
    'baseline_pools': [{'url': 'stratum+tcp://btc.pool.example:3333', 'user': 'acct.scale', 'password': 'x'}],
    'baseline_power': {'mode': 'low', 'power_limit': 3000},
    'baseline_tuning': {'temp_offset': -5},
    'baseline_wait_timeout': 120,
}
FACTS_PLAY = '''---
- name: Facts only
  hosts: whatsminer
  gather_facts: false
  tasks:
    - name: Facts
      {ns}.whatsminer_facts:
        gather_subset: [summary, pools, status]
'''


def noop_twin(base):
    """A copy of minerops.whatsminer whose action plugins do nothing: site.yml and its role
    run unchanged over the same hosts and tasks, so the difference is the collection's work."""
    coll = base / 'ansible_collections' / 'minerops' / 'whatsminer'
    for folder in ('roles', 'playbooks', 'meta'):
        shutil.copytree(ROOT / folder, coll / folder)
    (coll / 'galaxy.yml').write_text('namespace: minerops\nname: whatsminer\nversion: 0.0.0\nreadme: README.md\nauthors: [b]\n')
    for kind in ('action', 'modules'):
        (coll / 'plugins' / kind).mkdir(parents=True)
    for module in (ROOT / 'plugins' / 'modules').glob('whatsminer_*.py'):
        (coll / 'plugins' / 'action' / module.name).write_text(NOOP_ACTION)
        (coll / 'plugins' / 'modules' / module.name).write_text('')
    return base


def _memory_kb(pid):
    """(RSS, PSS) of one process in kB. PSS divides each shared page among the processes
    sharing it: forked Ansible workers share most of their memory with the parent, so the sum
    of their RSS counts those pages once per worker, the sum of PSS once in all."""
    rss = pss = None
    try:
        with open('/proc/%d/smaps_rollup' % pid, encoding='ascii') as handle:
            for line in handle:
                if line.startswith('Rss:'):
                    rss = int(line.split()[1])
                elif line.startswith('Pss:'):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    if rss is None:
        try:
            with open('/proc/%d/statm' % pid, encoding='ascii') as handle:
                rss = int(handle.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') // 1024
        except (OSError, ValueError, IndexError):
            return 0, 0
    return rss, pss if pss is not None else rss


def tree_memory_kb(root_pid):
    """(sum of RSS, sum of PSS) of a process and all its descendants (Linux /proc)."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry, encoding='ascii', errors='replace') as handle:
                ppid = int(handle.read().rsplit(')', 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    rss = pss = 0
    stack = [root_pid]
    while stack:
        pid = stack.pop()
        one_rss, one_pss = _memory_kb(pid)
        rss += one_rss
        pss += one_pss
        stack.extend(children.get(pid, []))
    return rss, pss


def run(playbook, inventory, env):
    """(wall s, cpu s, peak tree PSS MiB, peak tree RSS MiB, output) of one ansible-playbook run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen([str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(inventory), str(playbook)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    peak = [0, 0]

    def sample():
        while proc.poll() is None:
            rss, pss = tree_memory_kb(proc.pid)
            peak[0] = max(peak[0], pss)
            peak[1] = max(peak[1], rss)
            time.sleep(0.25)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.communicate()[0]
    sampler.join()
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 2):
        sys.stderr.write(output[-3000:])
        raise SystemExit('ansible-playbook failed (rc %d)' % proc.returncode)
    return wall, cpu, peak[0] / 1024.0, peak[1] / 1024.0, output


def recap(output):
    changed = sum(int(part.split('=')[1]) for part in output.split() if part.startswith('changed='))
    failed = sum(int(part.split('=')[1]) for part in output.split() if part.startswith('failed='))
    return changed, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--miners', type=int, default=1000)
    parser.add_argument('--forks', type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix='wm-scale-'))
    hosts = ['127.78.%d.%d' % (i // 250, i % 250 + 1) for i in range(args.miners)]
    # No state file: rewriting 1,000 miners' state after every write would cost the simulator
    # (which shares the 2 cores) tens of ms per write; counters and state come over the control channel.
    sim = SimulatorProcess(work, hosts, 'mixed', extra=['--state', ''])
    try:
        inventory = work / 'inventory.json'
        inv_hosts = {'m%04d' % i: {'ansible_host': h} for i, h in enumerate(sim.hosts)}
        variables = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                     'whatsminer_port': sim.port, 'whatsminer_password': 'secret1'}
        variables.update(SITE_VARS)
        inventory.write_text(json.dumps({'all': {'children': {'whatsminer': {'hosts': inv_hosts}}, 'vars': variables}}))
        noop_twin(work / 'floor')
        (work / 'facts.yml').write_text(FACTS_PLAY.format(ns='minerops.whatsminer'))
        env = dict(os.environ, ANSIBLE_FORKS=str(args.forks), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_COLLECTIONS_PATH=str(ROOT / 'build' / 'collections'),
                   MINEROPS_WHATSMINER_STATE_DIR=str(work / 'state'))
        env.pop('MINEROPS_WHATSMINER_FORCE_MODULE', None)
        floor_env = dict(env, ANSIBLE_COLLECTIONS_PATH=str(work / 'floor'))
        site = ROOT / 'playbooks' / 'site.yml'
        print('miners=%d forks=%d cores=%d' % (args.miners, args.forks, os.cpu_count()), flush=True)
        rows = []
        for label, playbook, tasks in (('converge', site, 3), ('idempotent', site, 3), ('facts', work / 'facts.yml', 1)):
            conns_before = sum(sim.counters(h)['connections'] for h in sim.hosts)
            wall, cpu, peak, peak_rss, out = run(playbook, inventory, env)
            conns = (sum(sim.counters(h)['connections'] for h in sim.hosts) - conns_before) / args.miners
            fwall, fcpu, fpeak = run(playbook, inventory, floor_env)[:3]  # floor: PSS
            changed, failed = recap(out)
            host_tasks = args.miners * tasks  # the module tasks; skipped and set_fact tasks ride along
            rows.append((label, wall, cpu, cpu / host_tasks, peak, peak_rss, wall / fwall, cpu / fcpu, fpeak, conns, changed,
                         failed))
            print('%s done: wall %.1fs changed=%d failed=%d' % (label, wall, changed, failed), flush=True)
        print('\n%-10s %7s %7s %14s %9s %9s %10s %9s %10s %12s %8s %6s' % (
            'run', 'wall s', 'cpu s', 'cpu/host-task', 'PSS MiB', 'RSS MiB', 'wall/floor', 'cpu/floor', 'floor PSS',
            'conns/miner', 'changed', 'failed'))
        for row in rows:
            print('%-10s %7.1f %7.1f %14.4f %9.0f %9.0f %10.2f %9.2f %10.0f %12.1f %8d %6d' % row)
        print('PSS/RSS: peak sum over ansible-playbook and its workers (PSS counts shared pages once)')
        tokens = [sim.counters(h)['get_token'] for h in sim.hosts]
        print('\nget_token per miner over all runs: max %d, mean %.2f' % (max(tokens), sum(tokens) / len(tokens)))
    finally:
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
