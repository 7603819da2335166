# -*- coding: utf-8 -*-
"""Benchmark: converge a simulated fleet in which some miners are faulty, then again once the
faults are cleared.

Prints, per run, the wall time and the outcome of every miner counted by kind (``ok``,
``failed <error kind>``), whether exactly the faulty miners failed, how many miners reached
the desired state, and whether any output held a traceback. The faults rotate through
write_off, btminer_down, garbage, token_full, drop, never_returns and delay.

Not a test: it asserts nothing (tests/integration/test_fault_matrix.py has the small version
that does); the figures are recorded in docs/reliability.md.

    .venv/bin/python tests/benchmarks/faulty_fleet.py --miners 1000 [--faulty-percent 5] [--forks 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests'))
sys.path.insert(0, str(ROOT / 'build' / 'collections'))

from integration.matrix.fleet import FAILING_FAULTS, FaultyFleet, outcome_counts  # noqa: E402  pylint: disable=wrong-import-position


def hosts_for(count):
    return ['127.78.%d.%d' % (i // 250, i % 250 + 1) for i in range(count)]


def cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(figures, fleet, spent, faulty_run):
    failed = sorted(figures['failures'])
    print('%-8s wall %7.1fs  controller cpu %7.1fs  rc %d  traceback %s'
          % (figures['label'], figures['wall'], spent, figures['rc'], 'yes' if figures['traceback'] else 'no'))
    for outcome, count in sorted(outcome_counts(figures).items()):
        print('    %-28s %5d' % (outcome, count))
    if faulty_run:
        print('    failed exactly the faulty miners: %s (%d failed, %d faulty)'
              % ('yes' if failed == sorted(fleet.faulty) else 'no', len(failed), len(fleet.faulty)))
    print('    miners in the desired state: %d of %d; miners changed: %d'
          % (len(figures['converged']), figures['hosts'], figures['changed_hosts']))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--miners', type=int, default=1000)
    parser.add_argument('--faulty-percent', type=float, default=5.0)
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--flavor', default='mixed')
    parser.add_argument('--keep', action='store_true', help='keep the work directory (inventory, results, output)')
    args = parser.parse_args()
    faulty = int(round(args.miners * args.faulty_percent / 100.0))
    work = Path(tempfile.mkdtemp(prefix='wm-faulty-'))
    fleet = FaultyFleet(work, hosts_for(args.miners), faulty, flavor=args.flavor)
    try:
        print('miners=%d faulty=%d (%s) forks=%d flavor=%s cores=%d'
              % (args.miners, faulty, ', '.join(FAILING_FAULTS), args.forks, args.flavor, os.cpu_count()))
        before = cpu()
        first = fleet.converge('faulty', forks=args.forks)
        report(first, fleet, cpu() - before, True)
        fleet.clear_faults()
        before = cpu()
        second = fleet.converge('cleared', forks=args.forks)
        report(second, fleet, cpu() - before, False)
    finally:
        fleet.stop()
        if args.keep:
            print('work directory: %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
