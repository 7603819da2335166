# -*- coding: utf-8 -*-
"""Benchmark: firmware upload of one image to N simulated miners at once (whatsminer_firmware).

For each image size (default 10 MB and 100 MB) a fresh simulator fleet is started and one
ansible-playbook run upgrades every miner in parallel (forks = miners), on the action path
(the default) or the module path. Prints, per size:

- upload throughput: per miner (MB/s, from the task result) and aggregate (bytes of all
  miners / the longest upload), and the wall time of the play (upload + reboot + verify);
- the controller's peak memory: ru_maxrss of the ansible-playbook process tree (the largest
  single process: the main process or a worker, from wait4), and the peak of the summed
  proportional set size (PSS, shared pages counted once) of all its processes, sampled
  every 0.1 s from /proc;
- the simulator's peak RSS (VmHWM), for reference: it hashes every upload as it streams.

The controller's memory must not grow with the image size: the client streams the file in
64 KiB pieces. Not a test: it asserts nothing but a successful run; the figures are recorded
in docs/performance.md.

    .venv/bin/python tests/benchmarks/firmware_upload.py [--miners 20] [--sizes 10,100] [--module-path]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'integration'))
sys.path.insert(0, str(ROOT / 'tests' / 'simulator'))

from harness import SimulatorProcess  # noqa: E402  pylint: disable=wrong-import-position
from wmsim.firmware import write_image  # noqa: E402  pylint: disable=wrong-import-position

VERSION = '20250301.10.Rel'
MB = 1000 * 1000

PLAY = '''---
- name: Upload firmware to every miner at once
  hosts: miners
  gather_facts: false
  tasks:
    - name: Upgrade
      minerops.whatsminer.whatsminer_firmware:
        src: {image}
        version: {version}
        wait_timeout: 120
      register: upgrade

    - name: Keep the upload figures
      ansible.builtin.copy:
        content: "{{{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'upgrade')
                       | map(attribute='upload'))) | to_json }}}}"
        dest: {figures}
        mode: "0644"
      run_once: true
      delegate_to: localhost
'''


def hosts_for(count):
    return ['127.78.%d.%d' % (i // 250, i % 250 + 2) for i in range(count)]


def _children(pid):
    """Every descendant of ``pid`` (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir('/proc/%d/task' % current)
        except OSError:
            continue
        for task in tasks:
            try:
                with open('/proc/%d/task/%s/children' % (current, task), 'r', encoding='ascii') as handle:
                    kids = [int(kid) for kid in handle.read().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


def _pss_kb(pid):
    try:
        with open('/proc/%d/smaps_rollup' % pid, 'r', encoding='ascii') as handle:
            for line in handle:
                if line.startswith('Pss:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _hwm_kb(pid):
    try:
        with open('/proc/%d/status' % pid, 'r', encoding='ascii') as handle:
            for line in handle:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Peak of the summed PSS of a process and its descendants, and the process count."""

    def __init__(self, pid, interval=0.1):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.peak_processes = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            pids = [self.pid] + _children(self.pid)
            total = sum(_pss_kb(pid) for pid in pids)
            self.peak_kb = max(self.peak_kb, total)
            self.peak_processes = max(self.peak_processes, len(pids))
            self.stop.wait(self.interval)


def run_playbook(playbook, inventory, env):
    """ansible-playbook; returns (rc, output, wall seconds, ru_maxrss KB of its tree, sampler)."""
    cmd = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(inventory), str(playbook)]
    log = tempfile.TemporaryFile()  # pylint: disable=consider-using-with
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)  # pylint: disable=consider-using-with
    sampler = TreeSampler(proc.pid)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    sampler.stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.seek(0)
    output = log.read().decode('utf-8', 'replace')
    log.close()
    return proc.returncode, output, wall, usage.ru_maxrss, sampler


def one_size(work, size_mb, miners, flavor, module_path):
    sim_dir = work / ('sim-%d' % size_mb)
    sim_dir.mkdir()
    sim = SimulatorProcess(sim_dir, hosts_for(miners), flavor)
    try:
        image = write_image(str(work / ('image-%dMB.bin' % size_mb)), VERSION, size_mb * MB)
        figures = work / ('figures-%d.json' % size_mb)
        playbook = work / ('upload-%d.yml' % size_mb)
        playbook.write_text(PLAY.format(image=image, version=VERSION, figures=figures))
        inventory = work / 'inventory.json'
        hosts = {'m%02d' % i: {'ansible_host': h} for i, h in enumerate(sim.hosts)}
        group_vars = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                      'whatsminer_port': sim.port, 'whatsminer_password': 'secret1'}
        if sim.v3_port:
            group_vars['whatsminer_v3_port'] = sim.v3_port
        inventory.write_text(json.dumps({'all': {'children': {'miners': {'hosts': hosts}}, 'vars': group_vars}}))
        env = dict(os.environ, ANSIBLE_FORKS=str(miners), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_COLLECTIONS_PATH=str(ROOT / 'build' / 'collections'),
                   MINEROPS_WHATSMINER_STATE_DIR=str(work / ('state-%d' % size_mb)))
        env.pop('MINEROPS_WHATSMINER_FORCE_MODULE', None)
        if module_path:
            env['MINEROPS_WHATSMINER_FORCE_MODULE'] = '1'
        rc, output, wall, maxrss_kb, sampler = run_playbook(playbook, inventory, env)
        sim_hwm_kb = _hwm_kb(sim.proc.pid)
        if rc != 0:
            failures = [line for line in output.splitlines() if line.startswith(('fatal:', 'failed:'))]
            sys.stderr.write('\n'.join(failures[:20]) or output[-3000:])
            raise SystemExit('ansible-playbook failed (rc %d)' % rc)
        uploads = json.loads(figures.read_text())
        versions = {sim.control.state(host)['firmware_version'] for host in sim.hosts}
        assert versions == {VERSION}, versions
    finally:
        sim.stop()
    rates = [u['throughput_mb_s'] for u in uploads.values()]
    longest = max(u['seconds'] for u in uploads.values())
    total_bytes = sum(u['bytes'] for u in uploads.values())
    return {'size_mb': size_mb, 'wall': wall, 'longest_upload': longest, 'aggregate': total_bytes / MB / longest,
            'rate_median': statistics.median(rates), 'rate_min': min(rates), 'rate_max': max(rates),
            'maxrss_mb': maxrss_kb / 1024.0, 'pss_peak_mb': sampler.peak_kb / 1024.0,
            'processes': sampler.peak_processes, 'sim_hwm_mb': sim_hwm_kb / 1024.0}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--miners', type=int, default=20)
    parser.add_argument('--sizes', default='10,100', help='image sizes in MB (10^6 bytes), comma separated')
    parser.add_argument('--flavor', default='2022')
    parser.add_argument('--module-path', action='store_true', help='force the module path')
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix='wm-fw-bench-'))
    try:
        print('miners=%d forks=%d flavor=%s path=%s cores=%d' % (
            args.miners, args.miners, args.flavor, 'module' if args.module_path else 'action', os.cpu_count()))
        rows = [one_size(work, int(size), args.miners, args.flavor, args.module_path) for size in args.sizes.split(',')]
        print('%8s %8s %12s %14s %22s %14s %14s %10s %12s' % (
            'image MB', 'wall s', 'upload s', 'aggregate MB/s', 'per miner MB/s med/min/max', 'ru_maxrss MB',
            'peak PSS MB', 'processes', 'sim HWM MB'))
        for row in rows:
            print('%8d %8.1f %12.1f %14.1f %22s %14.1f %14.1f %10d %12.1f' % (
                row['size_mb'], row['wall'], row['longest_upload'], row['aggregate'],
                '%.1f / %.1f / %.1f' % (row['rate_median'], row['rate_min'], row['rate_max']),
                row['maxrss_mb'], row['pss_peak_mb'], row['processes'], row['sim_hwm_mb']))
        if len(rows) > 1:
            first, last = rows[0], rows[-1]
            print('controller memory, %d MB image against %d MB: ru_maxrss %+.1f MB, peak PSS %+.1f MB' % (
                last['size_mb'], first['size_mb'], last['maxrss_mb'] - first['maxrss_mb'],
                last['pss_peak_mb'] - first['pss_peak_mb']))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
