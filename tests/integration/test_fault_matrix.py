# -*- coding: utf-8 -*-
"""The fault matrix: every fault the simulator can inject, against every module family.

One simulator per run with one miner per (family, fault) cell, one ansible-playbook for the
whole matrix (matrix/runner.py), then per cell: the expected outcome (matrix/faults.py
EXPECT), the miner address and the cause in the message, no traceback, ``changed`` only with
a real change, nothing half-applied. Then the faults are cleared and the miners that failed
run again: every one of them must converge.

The observed tables are written to tests/output/reliability/ (docs/reliability.md shows them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from .conftest import loopback_hosts
from .harness import ROOT, SimulatorProcess
from .matrix import families, faults, runner
from .matrix.fleet import FaultyFleet

ARTIFACTS = ROOT / 'tests' / 'output' / 'reliability'
#: WHATSMINER_FULL_MATRIX=1 runs every fault in every flavour and on the module path too
#: (the same switch widens the other integration tests, see conftest.py).
FULL = bool(os.environ.get('WHATSMINER_FULL_MATRIX'))
#: The module path costs a Python process per task (about ten times the action path) and
#: runs the same engine: a converging task and a failing one per family show that the path
#: carries both (results, failures, masking) for every module.
MODULE_PATH_FAULTS = ('none', 'wrong_password')
#: The second flavour differs from the first in the shape of its replies, not in its
#: transport, tokens or errors: its rows are the faults whose handling reads replies back
#: (verification after a lost or late reply, repairs, restarts, btminer down, the firmware
#: version after a reboot).
SHAPE_FAULTS = ('none', 'drop_write', 'delay_write', 'quirks', 'btminer_down', 'never_returns',
                'reply_before_restart', 'boots_old_version')
#: API v3 has its own transport, signing and error codes: by default the rows where its
#: answers differ from API v2 (faults.V3_EXPECT), silence and a miner that never returns.
V3_DEFAULT_FAULTS = ('none', 'token_expired', 'write_off', 'silent_wrong_password', 'never_returns')


def rows(names):
    return [faults.BY_NAME[name] for name in names]


def save(name, text):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_text(text)


def problems_text(report):
    return '\n'.join('%s: %s -> %s' % (name, observed, '; '.join(problems))
                     for name, (observed, problems) in sorted(report.items()) if problems)


def assert_clean_output(run):
    assert 'Traceback' not in run.output, run.output[-4000:]
    assert 'internal error' not in run.output, run.output[-4000:]
    assert runner.PASSWORD not in run.output, 'the admin password reached the output'


def run_matrix(tmp_path, flavor, fault_rows, module_path=False, rerun=True, label=None):  # pylint: disable=too-many-arguments
    """Run the matrix; returns the problems of the faulty run and of the rerun."""
    cells = runner.build_cells(families.available(), fault_rows, loopback_hosts, flavor)
    matrix = runner.start(tmp_path / 'matrix', cells, flavor)
    path = 'module' if module_path else 'action'
    label = label or flavor
    try:
        befores = runner.snapshots(matrix)
        records, run = runner.run(matrix, 'faulty', module_path=module_path)
        assert_clean_output(run)
        report = runner.check_run(matrix, records, befores)
        save('fault-matrix-%s-%s.md' % (label, path),
             runner.markdown(matrix, report, 'Flavour %s, %s path (%d miners, ansible-playbook %.0f s)'
                             % (flavor, path, len(cells), run.seconds)))
        rerun_report = {}
        if rerun:
            # The faults are fixed (cleared, right password, moved miners found): every miner
            # that failed converges on the next run.
            runner.clear(matrix)
            again = [cell for cell in cells if cell.served and records.get(cell.name, {}).get('status') != 'ok']
            befores = runner.snapshots(matrix)
            records, run = runner.run(matrix, 'rerun', faulty=False, cells=again, module_path=module_path)
            assert_clean_output(run)
            rerun_report = runner.check_run(matrix, records, befores, expect=faults.OK, cells=again)
            save('fault-matrix-%s-%s-rerun.md' % (label, path),
                 runner.markdown(matrix, rerun_report, 'Flavour %s, %s path: rerun of the %d failed miners after the '
                                 'faults were cleared (ansible-playbook %.0f s)' % (flavor, path, len(again), run.seconds)))
    finally:
        runner.stop(matrix)
    return report, rerun_report


@pytest.mark.parametrize('half', [0, 1])
def test_fault_matrix_2022_action_path(tmp_path, half):
    """Every fault x every family (in two halves of the fault rows, so that two workers share
    the work), then the failed miners again after the faults are fixed."""
    fault_rows = faults.FAULTS[half::2]
    report, rerun = run_matrix(tmp_path, '2022', fault_rows, label='2022-%d' % half)
    assert len(report) >= 90
    assert not problems_text(report), problems_text(report)
    assert len(rerun) >= 50, 'too few miners failed: the faults did not take'
    assert not problems_text(rerun), 'after the faults were cleared:\n' + problems_text(rerun)


def test_fault_matrix_2025_action_path(tmp_path):
    report, rerun = run_matrix(tmp_path, '2025', faults.FAULTS if FULL else rows(SHAPE_FAULTS), rerun=FULL)
    assert not problems_text(report), problems_text(report)
    assert not problems_text(rerun), 'after the faults were cleared:\n' + problems_text(rerun)


def test_fault_matrix_v3_action_path(tmp_path):
    report, rerun = run_matrix(tmp_path, 'v3', rows(faults.V3_FAULTS if FULL else V3_DEFAULT_FAULTS), rerun=FULL)
    assert not problems_text(report), problems_text(report)
    assert not problems_text(rerun), 'after the faults were cleared:\n' + problems_text(rerun)


def test_fault_matrix_module_path(tmp_path):
    report, _rerun = run_matrix(tmp_path, '2025', faults.FAULTS if FULL else rows(MODULE_PATH_FAULTS),
                                module_path=True, rerun=False)
    assert not problems_text(report), problems_text(report)


def test_faulty_fleet_fails_only_the_faulty_miners_then_converges(tmp_path):
    """A converge of 30 miners (2022 and 2025 alternating) of which 2 are faulty: exactly those
    2 fail; once their faults are cleared, a rerun converges them and changes nothing else
    (tests/benchmarks/faulty_fleet.py runs the same with 1,000 miners)."""
    fleet = FaultyFleet(tmp_path, loopback_hosts(30), faulty=2, kinds=('write_off', 'btminer_down'))
    try:
        first = fleet.converge('faulty')
        fleet.clear_faults()
        second = fleet.converge('cleared')
    finally:
        fleet.stop()
    for figures in (first, second):
        assert not figures['traceback'], figures['output'][-3000:]
    assert sorted(first['failures']) == sorted(fleet.faulty), first['failures']
    assert {failure['kind'] for failure in first['failures'].values()} == {'write_disabled', 'btminer_down'}
    assert len(first['converged']) == 28 and not set(first['converged']) & set(fleet.faulty)
    assert not second['failures'], second['failures']
    assert len(second['converged']) == 30 and second['changed_hosts'] == 2, second['changed_hosts']


def plain(value):
    """A host variable as ansible-inventory prints it (values read from miners are unsafe)."""
    return value.get('__ansible_unsafe') if isinstance(value, dict) else value


def test_inventory_scan_under_faults(tmp_path):
    """The discovery inventory plugin over one miner per fault (matrix/faults.py
    INVENTORY_EXPECT): healthy and quirky miners are hosts, broken ones are counted as skipped
    with their reason, nothing ends in a traceback."""
    names = list(faults.INVENTORY_EXPECT)
    addresses = loopback_hosts(len(names))
    served = [address for name, address in zip(names, addresses) if faults.BY_NAME[name].served]
    sim = SimulatorProcess(tmp_path, served, '2022', password=runner.PASSWORD, extra=['--state', ''])
    try:
        for name, address in zip(names, addresses):
            for kind in faults.BY_NAME[name].kinds:
                sim.control.fault(address, kind, seconds=8 if kind == 'delay' else None)
        source = tmp_path / 'scan.whatsminer.yml'
        source.write_text(json.dumps({'plugin': 'minerops.whatsminer.whatsminer', 'networks': addresses,
                                      'port': sim.port, 'timeout': 2, 'concurrency': len(addresses)}))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / 'build' / 'collections'), ANSIBLE_NOCOLOR='1',
                   MINEROPS_WHATSMINER_STATE_DIR=str(tmp_path / 'state'))
        run = subprocess.run([str(Path(sys.executable).parent / 'ansible-inventory'), '-i', str(source), '--list',
                              '-vvv'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                             timeout=120, check=False)
    finally:
        sim.stop()
    assert run.returncode == 0 and 'Traceback' not in run.stdout + run.stderr, run.stderr[-3000:]
    data = json.loads(run.stdout[run.stdout.index('\n{') + 1:])
    found = {plain(hostvars['ansible_host']) for hostvars in data['_meta']['hostvars'].values()}
    expected = {address for name, address in zip(names, addresses) if faults.INVENTORY_EXPECT[name] == 'discovered'}
    assert found == expected
    skipped = Counter(reason for reason in faults.INVENTORY_EXPECT.values() if reason not in ('discovered', 'absent'))
    summary = next(line for line in run.stdout.splitlines() if 'skipped:' in line)
    for reason, count in skipped.items():
        assert '%s %d' % (reason, count) in summary, summary
