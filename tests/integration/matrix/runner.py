# -*- coding: utf-8 -*-
"""Run a fault matrix: one simulator, one miner per (family, fault) cell, one ansible-playbook.

Why one run for the whole matrix: an ansible-playbook start costs more than most cells, and
faults mostly cost waiting (timeouts, restarts), which overlaps when every miner runs at once.
The play uses the ``free`` strategy and includes one task file per family, so each miner runs
exactly its own family's task, independently of the others, and nothing is skipped.

The checks of each cell (``evaluate``):
- the task ended as expected (``ok``, or ``failed`` with the error kind and a message that
  names the miner address and contains the cause phrase);
- no traceback and no "internal error" in the result;
- ``changed`` true only when the miner really changed (simulator state, reboots, files);
- an ``ok`` task left the miner in the desired state;
- nothing half-applied: the state is all old or all new, except for families that send
  several independent writes, where a partial state must be disclosed by the result;
- a failed task after which the miner did change says so (``changed``, a command whose
  outcome is ``unknown``, or ``error.outcome: unknown``);
- no admin password in the result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..harness import ROOT, Run, SimulatorProcess
from . import faults as faults_table
from .families import FAMILIES, FIRMWARE

IMAGE_BYTES = 256 * 1024

CALLBACKS = Path(__file__).resolve().parent / 'callback_plugins'
PASSWORD = 'secret1'


class Cell:
    """One miner of the matrix: a family under a fault."""

    def __init__(self, family, fault, name, address, flavor=None):  # pylint: disable=too-many-arguments
        self.family = family
        self.fault = fault
        self.name = name
        self.address = address
        self.extra = {}
        self.expect = faults_table.expect(fault, family, flavor)

    @property
    def served(self):
        return self.fault.served


class Matrix:
    """Cells, the simulator serving them and the results of the runs."""

    # pylint: disable=too-many-instance-attributes
    def __init__(self, workdir, cells, flavor, sim):
        self.workdir = Path(workdir)
        self.cells = cells
        self.flavor = flavor
        self.sim = sim
        self.before = {}
        self.runs = []

    def cell(self, name):
        return next(cell for cell in self.cells if cell.name == name)


def build_cells(families, fault_rows, allocate, flavor=None):
    """Cells for every family x fault that applies; ``allocate(n)`` gives n free loopback
    addresses (the miner's own, plus a spare one for the network family's new address)."""
    cells = []
    pairs = [(family, fault) for fault in fault_rows for family in families if fault.applies(family)]
    addresses = allocate(len(pairs) * 2)
    for index, (family, fault) in enumerate(pairs):
        cell = Cell(family, fault, '%s__%s' % (family.name, fault.name), addresses[2 * index], flavor)
        cell.extra['new_ip'] = addresses[2 * index + 1]
        cells.append(cell)
    return cells


def start(workdir, cells, flavor):
    """Simulator serving the cells (not the unreachable ones), faults armed."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    served = [cell.address for cell in cells if cell.served]
    # No state file: with a few hundred miners, rewriting it after every write costs the
    # simulator more CPU than answering (the control channel shows the state instead).
    sim = SimulatorProcess(workdir, served, flavor, password=PASSWORD, extra=['--state', ''])
    matrix = Matrix(workdir, cells, flavor, sim)
    for cell in cells:
        cell.extra['logs_dir'] = str(workdir / 'logs' / cell.name)
        cell.extra['flavor'] = flavor
        size = cell.fault.image_bytes or IMAGE_BYTES
        image = workdir / ('firmware-%d.bin' % size)
        cell.extra['image'] = str(image)
        if cell.family.name == 'firmware' and not image.exists():
            from wmsim.firmware import write_image  # pylint: disable=import-outside-toplevel
            write_image(str(image), FIRMWARE[flavor], size)
        if cell.served:
            arm(sim, cell)
        matrix.before[cell.name] = snapshot(sim, cell)
    return matrix


def arm(sim, cell):
    fault = cell.fault
    if fault.settings:
        sim.control.set(cell.address, **fault.settings)
    for kind in fault.kinds:
        sim.control.fault(cell.address, kind, commands=fault.commands(cell.family), count=fault.count,
                          seconds=fault.seconds)


def snapshot(sim, cell):
    """What the simulator (and the cell's log folder) shows of the cell's miner now."""
    folder = Path(cell.extra['logs_dir'])
    files = sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []
    if not cell.served:
        return {'state': None, 'counters': None, 'files': files}
    return {'state': sim.control.state(cell.address), 'counters': sim.control.counters(cell.address), 'files': files}


def clear(matrix, timeout=30.0):
    """Faults cleared, behaviour switches reset; returns once every miner is up again (a
    never_returns miner comes back when its fault is cleared, restarts finish)."""
    for cell in matrix.cells:
        if cell.served:
            matrix.sim.control.clear_faults(cell.address)
            if cell.fault.settings:
                matrix.sim.control.set(cell.address, **{key: False for key in cell.fault.settings})
    deadline = time.monotonic() + timeout
    while any(miner['down'] for miner in matrix.sim.control.hosts()['miners']):
        if time.monotonic() > deadline:
            raise AssertionError('simulated miners still down %ss after the faults were cleared' % timeout)
        time.sleep(0.2)


def current_addresses(matrix):
    """{configured address: current address} (the network family moves miners)."""
    return {miner['slot']: miner['host'] for miner in matrix.sim.control.hosts()['miners']}


def write_inventory(matrix, path, faulty=True, cells=None):
    """One host per cell; ``faulty=False`` leaves out the wrong passwords (the rerun after the
    faults are fixed) and points moved miners at their new address."""
    moved = current_addresses(matrix) if not faulty else {}
    hosts = {}
    for cell in cells or matrix.cells:
        args = cell.family.args(cell.extra)
        entry = {'ansible_host': moved.get(cell.address, cell.address), 'mx_family': cell.family.name,
                 'mx_args': cell.fault.task_args(cell.family, args) if faulty else args}
        if faulty and cell.fault.password:
            entry['whatsminer_password'] = cell.fault.password
        hosts[cell.name] = entry
    data = {'all': {'children': {'miners': {'hosts': hosts}}, 'vars': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
        'whatsminer_port': matrix.sim.port, 'whatsminer_password': PASSWORD}}}
    if matrix.sim.v3_port:
        data['all']['vars']['whatsminer_v3_port'] = matrix.sim.v3_port
    Path(path).write_text(json.dumps(data, indent=1))
    return path


def write_play(matrix):
    """The play (free strategy, one include per miner) and one task file per family."""
    tasks = matrix.workdir / 'tasks'
    tasks.mkdir(exist_ok=True)
    for family in {cell.family.name: cell.family for cell in matrix.cells}.values():
        (tasks / (family.name + '.yml')).write_text(json.dumps([
            {'name': 'mx %s' % family.name, family.fqcn: '{{ mx_args }}'}]))
    play = [{
        'name': 'Fault matrix', 'hosts': 'miners', 'gather_facts': False, 'strategy': 'free',
        'tasks': [{'name': 'Family task', 'ansible.builtin.include_tasks': str(tasks) + '/{{ mx_family }}.yml'}],
    }]
    path = matrix.workdir / 'matrix.yml'
    path.write_text(json.dumps(play, indent=1))
    return path


def run(matrix, label, faulty=True, module_path=False, cells=None, env=None, forks=30):  # pylint: disable=too-many-arguments
    """One ansible-playbook over every cell (or ``cells``); returns ``({cell name: result
    record}, Run)``, also kept in ``matrix.runs``."""
    inventory = write_inventory(matrix, matrix.workdir / ('inventory-%s.json' % label), faulty=faulty, cells=cells)
    playbook = write_play(matrix)
    results_file = matrix.workdir / ('results-%s.jsonl' % label)
    if results_file.exists():
        results_file.unlink()
    environment = {'ANSIBLE_CALLBACK_PLUGINS': str(CALLBACKS), 'ANSIBLE_CALLBACKS_ENABLED': 'matrix_results',
                   'MATRIX_RESULTS_FILE': str(results_file), 'ANSIBLE_FORKS': str(forks)}
    environment.update(env or {})
    started = time.monotonic()
    outcome = playbook_run(playbook, inventory, matrix.workdir / 'state', env=environment, module_path=module_path)
    outcome.seconds = time.monotonic() - started
    records = {}
    if results_file.exists():
        for line in results_file.read_text().splitlines():
            record = json.loads(line)
            if str(record.get('action', '')).startswith('minerops.whatsminer.'):
                records[record['host']] = record
    matrix.runs.append({'label': label, 'run': outcome, 'records': records})
    return records, outcome


def playbook_run(playbook, inventory, state_dir, env=None, module_path=False, extra_args=(), niceness=10):  # pylint: disable=too-many-arguments
    """ansible-playbook as harness.ansible_playbook runs it, but at a lower CPU priority than
    the simulator: a few dozen forks on two cores must not starve the miners' replies into
    false timeouts."""
    environment = dict(os.environ)
    environment.update({
        'ANSIBLE_COLLECTIONS_PATH': str(ROOT / 'build' / 'collections'),
        'ANSIBLE_HOST_KEY_CHECKING': 'False', 'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0', 'ANSIBLE_DEPRECATION_WARNINGS': 'False',
        'ANSIBLE_LOCALHOST_WARNING': 'False', 'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
        'MINEROPS_WHATSMINER_STATE_DIR': str(state_dir),
    })
    environment.pop('MINEROPS_WHATSMINER_FORCE_MODULE', None)
    if module_path:
        environment['MINEROPS_WHATSMINER_FORCE_MODULE'] = '1'
    environment.update(env or {})
    cmd = [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(inventory), str(playbook)]
    proc = subprocess.run(cmd + list(extra_args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=environment, timeout=900, check=False,
                          preexec_fn=(lambda: os.nice(niceness)) if niceness else None)  # pylint: disable=subprocess-popen-preexec-fn
    return Run(proc)


# -- evaluation -------------------------------------------------------------------------------------
def _norm(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, list):
        return [_norm(item) for item in value]
    if isinstance(value, dict):
        return {key: _norm(item) for key, item in value.items()}
    return value


def classify(cell, before, after):
    """``old`` (as in ``before``), ``new`` (as desired) or ``partial: ...`` for the cell's
    miner in the snapshot ``after``."""
    family = cell.family
    if family.evidence == 'file':
        added = [name for name in after['files'] if name not in before['files']]
        if any(name.endswith('.part') or name.startswith('.') for name in added):
            return 'partial: stray partial file'
        return 'new' if any(name.endswith('.tgz') for name in added) else 'old'
    if before['state'] is None or after['state'] is None:
        return 'old'
    if family.evidence == 'restart':
        return 'new' if after['counters']['writes_applied'] > before['counters']['writes_applied'] else 'old'
    if family.evidence == 'none':
        changed = [key for key in sorted(after['state']) if _norm(before['state'].get(key)) != _norm(after['state'][key])]
        return 'partial: %s' % ', '.join(changed) if changed else 'old'
    keys = family.keys(cell.extra)
    new, old, other = [], [], []
    for key, want in keys.items():
        now = _norm(after['state'].get(key))
        if now == _norm(before['state'].get(key)):
            old.append(key)
        elif now == _norm(want):
            new.append(key)
        else:
            other.append('%s=%r' % (key, after['state'].get(key)))
    if other or (new and old):
        return 'partial: %s' % ', '.join(new + other)
    return 'new' if new else 'old'


def disclosed(result):
    """The result tells the operator that the miner may have changed."""
    if result.get('changed'):
        return True
    if result.get('outcome') in ('ok', 'unknown') or (result.get('error') or {}).get('outcome') == 'unknown':
        return True
    return any(isinstance(entry, dict) and entry.get('outcome') in ('ok', 'unknown')
               for entry in result.get('commands') or [])


def observed(record, state):
    """One line for the report: ``ok changed``, ``failed closed``, ... and the state."""
    if record is None:
        return 'no result'
    result = record['result']
    if record['status'] == 'ok':
        text = 'ok changed' if result.get('changed') else 'ok'
    else:
        text = 'failed %s' % ((result.get('error') or {}).get('kind') or '?')
        if result.get('changed'):
            text += ' changed'
    return '%s (%s)' % (text, state)


def evaluate(cell, record, original, before, after, expect, secrets=(PASSWORD,)):
    """Problems of one cell after a run (empty: the cell passes). ``original``: the snapshot
    before the first run (what old means); ``before``: the snapshot before this run (what
    this run changed)."""
    if record is None:
        return ['no result for the family task']
    problems = []
    result = record['result'] if isinstance(record.get('result'), dict) else {}
    status = record['status']
    msg = str(result.get('msg') or '')
    text = json.dumps(result, default=str)
    if 'Traceback' in text or 'internal error' in text:
        problems.append('traceback or internal error: %s' % msg[:300])
    for secret in secrets:
        if secret and secret in text:
            problems.append('the admin password appears in the result')
    state = classify(cell, original, after)
    this_run = classify(cell, before, after)
    changed = bool(result.get('changed'))
    if expect.outcome == 'ok':
        if status != 'ok':
            problems.append('expected ok, got %s: %s' % (status, msg[:300]))
    elif status != 'failed':
        problems.append('expected failed %s, got %s (changed=%s)' % (expect.kind, status, changed))
    else:
        if cell.address not in msg and cell.extra.get('new_ip', '-') not in msg:
            problems.append('message does not name the miner %s: %s' % (cell.address, msg[:300]))
        if expect.phrase and expect.phrase not in msg:
            problems.append('message lacks %r: %s' % (expect.phrase, msg[:300]))
        kind = (result.get('error') or {}).get('kind')
        if expect.kind and kind != expect.kind:
            problems.append('error kind %r, expected %r: %s' % (kind, expect.kind, msg[:300]))
    if cell.family.evidence == 'none':
        if changed:
            problems.append('a read-only task reported changed')
        if state != 'old':
            problems.append('a read-only task changed the miner (%s)' % state)
        return problems
    if changed and this_run == 'old' and (cell.family.idempotent or not disclosed(result)):
        problems.append('changed reported, but the miner did not change')
    if status == 'ok':
        if state != 'new':
            problems.append('ok, but the miner is not in the desired state (%s)' % state)
        if not changed and this_run != 'old':
            problems.append('the miner changed (%s), but the task says not changed' % this_run)
    elif this_run != 'old' and not disclosed(result):
        problems.append('failed, the miner changed (%s), and the result does not say so' % this_run)
    if state.startswith('partial') and not cell.family.partial_ok:
        problems.append('half-applied: %s' % state)
    return problems


def check_run(matrix, records, befores, expect=None, cells=None):
    """``{cell name: (observed, problems)}`` for one run (of ``cells``, default all);
    ``befores``: snapshots taken just before it; ``expect``: an expectation for every cell
    instead of the table's (the rerun)."""
    report = {}
    for cell in cells or matrix.cells:
        after = snapshot(matrix.sim, cell)
        record = records.get(cell.name)
        original = matrix.before[cell.name]
        problems = evaluate(cell, record, original, befores[cell.name], after, expect or cell.expect)
        report[cell.name] = (observed(record, classify(cell, original, after)), problems)
    return report


def snapshots(matrix):
    return {cell.name: snapshot(matrix.sim, cell) for cell in matrix.cells}


def stop(matrix):
    matrix.sim.stop()


# -- reports ------------------------------------------------------------------------------------------
def short(observed_text):
    """``failed closed (old)`` -> ``closed``; ``ok changed (new)`` -> ``ok, changed``."""
    head, _sep, state = observed_text.partition(' (')
    state = state.rstrip(')')
    words = head.split()
    if words[:1] == ['ok']:
        text = 'ok, changed' if 'changed' in words else 'ok'
    elif words[:1] == ['failed']:
        text = 'failed: ' + (words[1] if len(words) > 1 else '?')
        if 'changed' in words:
            text += ', changed'
    else:
        text = head
    if state.startswith('partial'):
        text += ' (%s)' % state
    elif words[:1] == ['failed'] and state == 'new':
        text += ' (applied)'
    return text


def markdown(matrix, report, title):
    """The observed outcomes as a table: faults down, families across."""
    family_names = [family.name for family in FAMILIES if any(c.family is family for c in matrix.cells)]
    fault_names = []
    for cell in matrix.cells:
        if cell.fault.name not in fault_names:
            fault_names.append(cell.fault.name)
    lines = ['### %s' % title, '', '| fault | %s |' % ' | '.join(family_names),
             '| --- |%s' % (' --- |' * len(family_names))]
    for fault in fault_names:
        row = []
        for family in family_names:
            name = '%s__%s' % (family, fault)
            if name not in report:
                row.append('n/a')
                continue
            text, problems = report[name]
            row.append(short(text) + (' **PROBLEM**' if problems else ''))
        lines.append('| %s | %s |' % (fault, ' | '.join(row)))
    return '\n'.join(lines) + '\n'
