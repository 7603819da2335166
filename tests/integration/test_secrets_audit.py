# -*- coding: utf-8 -*-
"""Secrets audit: the playbooks that handle admin passwords, run with ``-vvv``, ANSIBLE_DEBUG
and ANSIBLE_LOG_PATH, never write a password, a derived key, a sign or an AES key anywhere.

Against a fleet of every firmware generation (2022, 2025, API v3), on both execution paths,
the runs cover: a drift check (check mode), converging (module path), the site playbook,
bad input, wrong passwords (code 23 and the password module's probes) and a password
rotation there and back (playbooks/rotate_password.yml on the action path, then back on the
module path). Everything they print or log is
kept in files; afterwards the secrets are computed from what the simulator issued (control
op ``issued``): every admin password used, the key derived from each with every salt a
miner sent, each key's AES key (SHA-256, hex and base64), every v2 sign and every accepted
v3 token with its digest (the AES key of encrypted v3 parameters). None may appear in any
captured file; the controller's state directory may hold signs (that is the token cache) but
none of the rest, and its directories are 0700, its files 0600.
"""

from __future__ import annotations

import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor

from .conftest import loopback_hosts
from .harness import ROOT, SimulatorProcess, ansible_playbook, write_inventory
from .secrets import derived_secrets

ARTIFACTS = ROOT / 'tests' / 'output' / 'reliability'
AUDIT_PASSWORD = 'Aud1t_pw'
NEW_PASSWORD = 'Rot8_aud'
#: Wrong passwords the audited playbooks use (auth_errors.yml, password_wrong.yml).
WRONG_PASSWORDS = ('wrong_pw', 'Wrong_1', 'Wrong_2')
BASELINE = {
    'baseline_pools': [{'url': 'stratum+tcp://btc.pool.example:3333', 'user': 'acct.audit', 'password': 'x'}],
    'baseline_power': {'mode': 'low', 'power_limit': 3100},
    'baseline_tuning': {'temp_offset': -4, 'fast_boot': True},
    'baseline_system': {'timezone': 'CST-8', 'zonename': 'Asia/Shanghai', 'web_pools': False},
    'baseline_led': {'mode': 'auto'},
    'baseline_wait_timeout': 30,
}
#: (label, playbook, extra arguments, module path, inventory); rc 0 expected except for the
#: drift check of an unconverged fleet. The first four write nothing and run side by side;
#: the others run in this order.
RUNS = (
    ('drift', str(ROOT / 'playbooks' / 'drift.yml'), ['-e', 'site_hosts=miners', '-e', 'drift_report={tmp}/drift.json'],
     False, 'first'),
    ('bad-input', 'bad_input.yml', [], False, 'first'),
    ('auth-errors', 'auth_errors.yml', [], False, 'first'),
    ('password-wrong', 'password_wrong.yml', [], False, 'first'),
    ('converge-module', 'converge.yml', [], True, 'first'),
    ('site', str(ROOT / 'playbooks' / 'site.yml'), ['-e', 'site_hosts=miners'], False, 'first'),
    ('rotate', str(ROOT / 'playbooks' / 'rotate_password.yml'), ['-e', 'rotate_hosts=miners'], False, 'first'),
    ('rotate-back-module', 'password_rotate.yml', [], True, 'rotated'),
)


def secrets_from(sim):
    """``{label: text}`` of every secret the runs could have leaked."""
    passwords = (AUDIT_PASSWORD, NEW_PASSWORD) + WRONG_PASSWORDS
    signs, salts, v3 = {}, set(), []
    for host in sim.hosts:
        issued = sim.control.issued(host)
        for entry in issued['v2']:
            signs['sign %s' % entry['sign']] = entry['sign']
            salts.add(entry['salt'])
        v3.extend(issued['v3'])
    found = derived_secrets(passwords, salts, v3)
    return found, signs, len(salts), len(v3)


def leaks(path, secrets):
    text = path.read_text(errors='replace')
    return ['%s: %s' % (path.name, label) for label, value in secrets.items() if value in text]


def modes(state_dir):
    """Problems with the permissions of the controller's state directory."""
    problems = []
    for root, dirs, files in os.walk(state_dir):
        for name in dirs:
            mode = stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode)
            if mode != 0o700:
                problems.append('directory %s is %o, not 700' % (os.path.join(root, name), mode))
        for name in files:
            mode = stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode)
            if mode != 0o600:
                problems.append('file %s is %o, not 600' % (os.path.join(root, name), mode))
    return problems


def test_no_secret_in_any_output_log_or_state(tmp_path):
    sim = SimulatorProcess(tmp_path, loopback_hosts(3), 'mixed-v3', password=AUDIT_PASSWORD)
    captured = tmp_path / 'captured'
    captured.mkdir()
    state_dir = tmp_path / 'controller-state'
    inventories = {
        'first': write_inventory(tmp_path / 'first.json', sim, dict(
            BASELINE, whatsminer_password=AUDIT_PASSWORD, whatsminer_new_password=NEW_PASSWORD)),
        'rotated': write_inventory(tmp_path / 'rotated.json', sim, dict(
            BASELINE, whatsminer_password=NEW_PASSWORD, whatsminer_new_password=AUDIT_PASSWORD)),
    }
    summary = []

    def audited(entry):
        label, playbook, extra, module_path, inventory = entry
        log = captured / ('%s.log' % label)
        run = ansible_playbook(playbook, inventories[inventory], state_dir,
                               ['-vvv'] + [arg.format(tmp=tmp_path) for arg in extra], module_path=module_path,
                               env={'ANSIBLE_DEBUG': '1', 'ANSIBLE_LOG_PATH': str(log)})
        (captured / ('%s.out' % label)).write_text(run.output)
        return label, run, log.stat().st_size if log.exists() else 0

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = list(pool.map(audited, RUNS[:4]))
        done += [audited(entry) for entry in RUNS[4:]]
        for label, run, log_size in done:
            summary.append((label, run.rc, len(run.output), log_size))
            # the drift check of an unconverged fleet fails by design
            assert (run.rc != 0) == (label == 'drift'), '%s: rc %s\n%s' % (label, run.rc, run.output[-5000:])
        assert all(sim.control.state(host)['password'] == AUDIT_PASSWORD for host in sim.hosts), 'rotated back'
        secrets, signs, salts, v3_tokens = secrets_from(sim)
    finally:
        sim.stop()
    assert signs and salts and v3_tokens, 'the runs wrote nothing, so the audit proves nothing'

    found = []
    for path in sorted(captured.iterdir()):
        found.extend(leaks(path, dict(secrets, **signs)))
    state_files = [path for path in state_dir.rglob('*') if path.is_file()]
    for path in state_files:
        allowed_signs = path.parent.name == 'tokens'
        found.extend('state/%s/%s' % (path.parent.name, leak) for leak in leaks(path, secrets if allowed_signs
                                                                                else dict(secrets, **signs)))
    permission_problems = modes(state_dir)
    if stat.S_IMODE(state_dir.stat().st_mode) != 0o700:
        permission_problems.append('state directory %s is %o, not 700' % (state_dir, stat.S_IMODE(state_dir.stat().st_mode)))

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / 'secrets-audit.json').write_text(json.dumps({
        'runs': [{'run': label, 'rc': rc, 'output_bytes': out, 'log_bytes': size} for label, rc, out, size in summary],
        'secrets_checked': len(secrets) + len(signs), 'signs': len(signs), 'salts': salts, 'v3_tokens': v3_tokens,
        'captured_bytes': sum(path.stat().st_size for path in captured.iterdir()),
        'state_files': len(state_files),
        'state_root_mode': oct(stat.S_IMODE(state_dir.stat().st_mode)),
        'leaks': found, 'permission_problems': permission_problems}, indent=1))
    assert not found, 'secrets found:\n' + '\n'.join(found)
    assert not permission_problems, '\n'.join(permission_problems)
    assert {path.parent.name for path in state_files} >= {'tokens', 'applied', 'api'}
