# -*- coding: utf-8 -*-
"""The bad-input matrix: every option's invalid values fail before anything is sent.

One miner per module, one ansible-playbook run for all rows of matrix/bad_input.py (each row a
task with ``ignore_errors``). Per row: the task failed, did not report a change, and its
message names the option and contains the expected fragment; per miner: the simulator saw no
write request, no get_token and no connection at all. Both execution paths; the rows do not
depend on the firmware flavour (nothing is sent), so each path runs one flavour (the module path
2022, as conftest.py keeps it by default) and the module path a selection (module_path_cases).
"""

from __future__ import annotations

import json

import pytest

from .conftest import loopback_hosts
from .harness import ROOT, SimulatorProcess
from .matrix import runner
from .matrix.bad_input import CASES, FIRMWARE, MODULES

ARTIFACTS = ROOT / 'tests' / 'output' / 'reliability'


def case_name(index):
    return 'case-%03d' % index


def module_path_cases():
    """The module path costs a process per task that reaches the module: per module, its
    first two rows and every row the argument spec cannot catch (checked by the module's own
    code: ranges across options, formats, conflicts)."""
    chosen, seen = set(), {}
    for index, case in enumerate(CASES):
        seen[case.module] = seen.get(case.module, 0) + 1
        if seen[case.module] <= 2 or case.kind in ('conflict', 'format') and seen[case.module] <= 4:
            chosen.add(index)
    return chosen


def write_play(workdir, selected):
    """One task file per module (its rows, in order) and the play including them per miner."""
    tasks = workdir / 'tasks'
    tasks.mkdir(parents=True, exist_ok=True)
    for module in MODULES:
        rows = [{'name': case_name(index), 'minerops.whatsminer.whatsminer_%s' % module: case.args,
                 'ignore_errors': True}
                for index, case in enumerate(CASES) if case.module == module and index in selected]
        (tasks / (module + '.yml')).write_text(json.dumps(rows, indent=1))
    play = [{'name': 'Bad input', 'hosts': 'miners', 'gather_facts': False, 'strategy': 'free',
             'tasks': [{'name': 'Rows of this module',
                        'ansible.builtin.include_tasks': str(tasks) + '/{{ mx_module }}.yml'}]}]
    path = workdir / 'bad_input.yml'
    path.write_text(json.dumps(play, indent=1))
    return path


def write_inventory(workdir, sim, addresses):
    afile = workdir / 'a-file'
    afile.write_text('not a directory\n')
    from wmsim.firmware import write_image  # pylint: disable=import-outside-toplevel
    image = workdir / 'firmware.bin'
    write_image(str(image), FIRMWARE, 64 * 1024)
    (workdir / 'logs').mkdir(exist_ok=True)
    hosts = {'bad-%s' % module: {'ansible_host': address, 'mx_module': module, 'mx_file': str(afile),
                                 'mx_dir': str(workdir / 'logs'), 'mx_image': str(image), 'mx_tiny': str(afile)}
             for module, address in zip(MODULES, addresses)}
    data = {'all': {'children': {'miners': {'hosts': hosts}}, 'vars': {
        'ansible_connection': 'local', 'ansible_python_interpreter': runner.sys.executable,
        'whatsminer_port': sim.port, 'whatsminer_password': runner.PASSWORD}}}
    path = workdir / 'inventory.json'
    path.write_text(json.dumps(data, indent=1))
    return path


def check(records, selected):
    """(table rows for the report, problems)."""
    rows, problems = [], []
    for index, case in enumerate(CASES):
        if index not in selected:
            continue
        record = records.get(('bad-%s' % case.module, case_name(index)))
        if record is None:
            problems.append('%s %s %r: no result' % (case.module, case.option, case.args))
            continue
        result = record['result']
        msg = str(result.get('msg') or '')
        option = case.option.split('[')[0].split('.')[-1]
        if record['status'] != 'failed':
            problems.append('%s %s %r was accepted' % (case.module, case.option, case.args))
        elif case.expect not in msg:
            problems.append('%s %s %r: message lacks %r: %s' % (case.module, case.option, case.args, case.expect, msg))
        elif option not in msg:
            problems.append('%s %s %r: message does not name the option: %s' % (case.module, case.option, case.args, msg))
        if result.get('changed'):
            problems.append('%s %s %r reported changed' % (case.module, case.option, case.args))
        if 'Traceback' in json.dumps(result, default=str) or 'internal error' in msg:
            problems.append('%s %s %r: traceback: %s' % (case.module, case.option, case.args, msg))
        rows.append('| %s | %s | %s | `%s` | %s |' % (case.module, case.option, case.kind,
                                                      json.dumps(case.args, sort_keys=True).replace('|', '\\|'),
                                                      msg.replace('|', '\\|').replace('\n', ' ')[:240]))
    return rows, problems


@pytest.mark.parametrize('flavor, path', [('2025', 'action'), ('2022', 'module')])
def test_bad_input_fails_before_any_byte(tmp_path, flavor, path):
    addresses = loopback_hosts(len(MODULES))
    sim = SimulatorProcess(tmp_path, addresses, flavor, password=runner.PASSWORD, extra=['--state', ''])
    try:
        selected = module_path_cases() if path == 'module' else set(range(len(CASES)))
        playbook = write_play(tmp_path, selected)
        inventory = write_inventory(tmp_path, sim, addresses)
        results = tmp_path / 'results.jsonl'
        run = runner.playbook_run(playbook, inventory, tmp_path / 'state', module_path=path == 'module', env={
            'ANSIBLE_CALLBACK_PLUGINS': str(runner.CALLBACKS), 'ANSIBLE_CALLBACKS_ENABLED': 'matrix_results',
            'MATRIX_RESULTS_FILE': str(results), 'ANSIBLE_FORKS': str(len(MODULES))})
        records = {}
        for line in results.read_text().splitlines() if results.exists() else []:
            record = json.loads(line)
            if str(record.get('action', '')).startswith('minerops.whatsminer.'):
                records[(record['host'], record['task'])] = record
        counters = {module: sim.counters(address) for module, address in zip(MODULES, addresses)}
    finally:
        sim.stop()
    rows, problems = check(records, selected)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / ('bad-input-%s-%s.md' % (flavor, path))).write_text(
        '| module | option | kind | arguments | message |\n| --- | --- | --- | --- | --- |\n' + '\n'.join(rows) + '\n')
    for module, seen in counters.items():
        if seen['write_requests'] or seen['get_token'] or seen['connections']:
            seen_counts = {k: seen[k] for k in ('connections', 'get_token', 'write_requests')}
            problems.append('%s: the simulator saw %s' % (module, seen_counts))
    assert 'Traceback' not in run.output, run.output[-3000:]
    assert not problems, '\n'.join(problems)
