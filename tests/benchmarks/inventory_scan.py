# -*- coding: utf-8 -*-
"""Benchmark: the inventory plugin scanning a /20 (4,096 addresses) that holds 1,000 simulated miners.

Runs ``ansible-inventory --list`` the way an operator would and prints wall time, addresses
per second and miners found, for:

- full: the whole /20; the addresses without a miner refuse the connection, which is instant
  on loopback (on a real network an empty address costs up to ``timeout``);
- slice: one /24 of it in which some miners are made silent (they accept the connection but
  never answer, the simulator's ``delay`` fault), scanned with a short timeout: what silent
  addresses cost, and that they are waited for in parallel, not one after the other.

Not a test: it asserts nothing but the miner counts; the figures are recorded in
docs/performance.md.

    .venv/bin/python tests/benchmarks/inventory_scan.py [--miners 1000] [--concurrency 128]
        [--flavor mixed-v3] [--silent 32] [--slice-timeout 0.5]
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
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

NETWORK = ipaddress.ip_network('127.210.0.0/20')
SCANNED = re.compile(r'scanned (\d+) addresses in ([\d.]+)s with (\d+) threads: (\d+) miners; skipped: (.*)')


def miner_addresses(count):
    """``count`` addresses spread evenly over the /20 (deterministic)."""
    hosts = list(NETWORK.hosts())
    step = len(hosts) / float(count)
    return [str(hosts[int(index * step)]) for index in range(count)]


def scan(source, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run([str(Path(sys.executable).parent / 'ansible-inventory'), '-i', str(source), '--list', '-vvv'],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit('ansible-inventory failed (rc %d)' % proc.returncode)
    data = json.loads(proc.stdout[proc.stdout.index('\n{') + 1:])
    found = len(data.get('whatsminer', {}).get('hosts', []))
    match = SCANNED.search(proc.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {'wall': wall, 'cpu': cpu, 'found': found, 'scan_seconds': float(match.group(2)) if match else None,
            'addresses': int(match.group(1)) if match else None, 'skipped': match.group(5) if match else '?'}


def source_file(path, sim, networks, concurrency, timeout):
    config = {'plugin': 'minerops.whatsminer.whatsminer', 'networks': networks, 'port': sim.port,
              'timeout': timeout, 'concurrency': concurrency, 'vars': {'ansible_connection': 'local'}}
    if sim.v3_port:
        config['v3_port'] = sim.v3_port
    path.write_text(json.dumps(config))
    return path


def report(name, result):
    rate = result['addresses'] / result['scan_seconds'] if result['scan_seconds'] else float('nan')
    print('%-6s addresses=%-5s miners found=%-5d scan %.2fs (%.0f addresses/s)  ansible-inventory wall %.2fs cpu %.2fs'
          % (name, result['addresses'], result['found'], result['scan_seconds'] or float('nan'), rate,
             result['wall'], result['cpu']))
    print('       skipped: %s' % result['skipped'])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--miners', type=int, default=1000)
    parser.add_argument('--concurrency', type=int, default=128)
    parser.add_argument('--timeout', type=float, default=3.0, help='timeout of the full scan')
    parser.add_argument('--flavor', default='mixed-v3')
    parser.add_argument('--silent', type=int, default=32, help='miners of the slice made silent')
    parser.add_argument('--slice-timeout', type=float, default=0.5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix='wm-inventory-bench-'))
    hosts = miner_addresses(args.miners)
    started = time.monotonic()
    sim = SimulatorProcess(work, hosts, args.flavor)
    try:
        print('simulator: %d miners (%s) in %s, started in %.1fs; %d cores'
              % (len(hosts), args.flavor, NETWORK, time.monotonic() - started, os.cpu_count()))
        env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=str(ROOT / 'build' / 'collections'),
                   MINEROPS_WHATSMINER_STATE_DIR=str(work / 'state'))
        full = scan(source_file(work / 'full.whatsminer.yml', sim, [str(NETWORK)], args.concurrency, args.timeout), env)
        report('full', full)
        assert full['found'] == len(hosts), 'found %d of %d miners' % (full['found'], len(hosts))

        block = ipaddress.ip_network('%s/24' % hosts[len(hosts) // 2], strict=False)
        scanned = set(str(address) for address in block.hosts())  # not the network and broadcast addresses
        in_block = [host for host in hosts if host in scanned]
        silent = in_block[:args.silent]
        for host in silent:
            sim.control.fault(host, 'delay', seconds=args.slice_timeout * 20 + 5)
        part = scan(source_file(work / 'slice.whatsminer.yml', sim, [str(block)], args.concurrency, args.slice_timeout),
                    env)
        print('slice: %s, %d miners of which %d silent, timeout %.1fs'
              % (block, len(in_block), len(silent), args.slice_timeout))
        report('slice', part)
        assert part['found'] == len(in_block) - len(silent)
    finally:
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
