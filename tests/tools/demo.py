# -*- coding: utf-8 -*-
"""`make demo`: the collection at work on a simulated fleet.

1. start a simulated fleet of 20 miners (both firmware flavours) on loopback addresses;
2. print a fleet table read through the collection's own client and facts code;
3. build the inventory by scanning the miners' network (minerops.whatsminer.whatsminer);
4. converge it with playbooks/site.yml (changes shown), run it again (no changes),
   check drift (clean), write the fleet report (its path is printed);
5. stop the fleet.

Nothing here needs hardware or network access; the fleet listens on an ephemeral port.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'build' / 'collections'))
sys.path.insert(0, str(ROOT / 'tests'))

# pylint: disable=wrong-import-position
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import V2Client  # noqa: E402
from ansible_collections.minerops.whatsminer.plugins.module_utils._facts import gather_facts  # noqa: E402
from integration.harness import SimulatorProcess, ansible_playbook  # noqa: E402

MINERS = 20
PASSWORD = 'secret1'
DESIRED = {
    'baseline_pools': [{'url': 'stratum+tcp://btc.pool.example:3333', 'user': 'acct.demo', 'password': 'x'},
                       {'url': 'stratum+ssl://backup.pool.example:443', 'user': 'acct.demo', 'password': 'x'}],
    'baseline_power': {'mode': 'low', 'power_limit': 3200},
    'baseline_tuning': {'temp_offset': -5, 'fan_zero_speed': False},
    'baseline_wait_timeout': 60,
}


def banner(text):
    print('\n== %s %s' % (text, '=' * max(3, 76 - len(text))), flush=True)


def fleet_table(sim):
    rows = []
    for host in sim.hosts:
        facts = gather_facts(V2Client(host, port=sim.port, timeout=5), ['summary', 'pools', 'version', 'status'])
        wm = facts['ansible_facts']['whatsminer']
        summary, version, status = wm.get('summary', {}), wm.get('version', {}), wm.get('status', {})
        pools = wm.get('pools') or [{}]
        rows.append((host, version.get('model') or '?', version.get('firmware') or status.get('firmware') or '?',
                     summary.get('hashrate_ths'), summary.get('power_w'), summary.get('power_mode') or status.get('power_mode') or '?',
                     pools[0].get('url') or '-'))
    header = ('miner', 'model', 'firmware', 'TH/s', 'power W', 'mode', 'first pool')
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = '  '.join('%%-%ds' % w for w in widths)
    print(line % header)
    for row in rows:
        print(line % tuple('-' if value is None else (round(value, 1) if isinstance(value, float) else value)
                           for value in row))


def write_inventory(directory, sim):
    """A discovery inventory source scanning the fleet's /27, desired state in group_vars."""
    (directory / 'group_vars').mkdir(parents=True)
    (directory / 'demo.whatsminer.yml').write_text(json.dumps({
        'plugin': 'minerops.whatsminer.whatsminer', 'networks': ['127.42.0.0/27'], 'port': sim.port,
        'timeout': 2, 'keyed_groups': [{'key': 'whatsminer_model', 'prefix': 'model'}],
        'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                 'whatsminer_password': PASSWORD}}, indent=1))
    (directory / 'group_vars' / 'whatsminer.yml').write_text(json.dumps(DESIRED, indent=1))
    return directory


def play(name, inventory, state, extra=()):
    started = time.monotonic()
    run = ansible_playbook(str(ROOT / 'playbooks' / name), inventory, state, list(extra))
    recap = 'changed=%d failed=%d unreachable=%d' % (run.total('changed'), run.total('failed'), run.total('unreachable'))
    print('%s: rc=%d  %s  (%.1fs)' % (name, run.rc, recap, time.monotonic() - started), flush=True)
    return run


def main():
    work = Path(tempfile.mkdtemp(prefix='whatsminer-demo-'))
    hosts = ['127.42.0.%d' % i for i in range(2, 2 + MINERS)]
    banner('Starting a simulated fleet of %d miners (firmware 2022 and 2025)' % MINERS)
    sim = SimulatorProcess(work, hosts, 'mixed', password=PASSWORD)
    ok = True
    try:
        print('listening on %s-%s port %d' % (hosts[0], hosts[-1], sim.port))
        banner('Fleet as read through the collection client')
        fleet_table(sim)
        inventory = write_inventory(work / 'inventory', sim)
        state = work / 'controller-state'
        banner('Inventory by scanning 127.42.0.0/27 (ansible-inventory --graph)')
        graph = subprocess.run([str(Path(sys.executable).parent / 'ansible-inventory'), '-i', str(inventory), '--graph'],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                               env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / 'build' / 'collections')))
        print(graph.stdout.strip())
        banner('site.yml --check --diff --limit WhatsMiner-02: what would change on one miner')
        preview = play('site.yml', inventory, state, ['--check', '--diff', '--limit', 'WhatsMiner-02'])
        print(preview.output.split('PLAY RECAP')[0].strip())
        banner('site.yml: converge the fleet (pools, tuning, power)')
        first = play('site.yml', inventory, state)
        print('PLAY RECAP' + first.output.split('PLAY RECAP')[-1].rstrip())
        banner('site.yml again: nothing to change')
        second = play('site.yml', inventory, state)
        banner('drift.yml: check mode + diff over the fleet')
        drift = play('drift.yml', inventory, state, ['-e', 'drift_report=%s' % (work / 'drift.json')])
        print(json.loads((work / 'drift.json').read_text())['drifted'] and 'drift found' or 'no drift')
        banner('report.yml: fleet report (CSV, JSON, self-contained HTML)')
        report_dir = ROOT / 'build' / 'demo-report'
        report = play('report.yml', inventory, state, ['-e', 'report_dir=%s' % report_dir])
        for line in report.output.splitlines():
            if str(report_dir) in line and ('html' in line or 'csv' in line or 'json' in line):
                print(line.strip().strip('",'))
        banner('Fleet after converging')
        fleet_table(sim)
        tokens = max(sim.counters(h)['get_token'] for h in sim.hosts)
        print('\nwrite tokens fetched per miner over all runs: at most %d' % tokens)
        ok = first.rc == 0 and second.rc == 0 and second.total('changed') == 0 and drift.rc == 0 and report.rc == 0
        if not ok:
            print(first.output[-3000:] if first.rc else second.output[-3000:] if second.rc else drift.output[-3000:])
    finally:
        banner('Stopping the fleet')
        sim.stop()
        if ok and not os.environ.get('KEEP_DEMO'):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print('work directory kept: %s' % work)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
