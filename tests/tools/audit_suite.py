# -*- coding: utf-8 -*-
"""Secrets audit of the whole integration suite (``make audit``).

Runs every integration test with Ansible at ``-vvv`` (ANSIBLE_VERBOSITY=3), ANSIBLE_DEBUG and
ANSIBLE_LOG_PATH pointing into ``tests/output/audit/``; the harness keeps the output of every
ansible-playbook run there, and every simulator, before it stops, what it issued (v2 signs and
salts, accepted v3 tokens and their digests, the passwords it derived keys from). Then every
kept file is searched for:

- every password: those the simulators held, and every password or secret constant
  (``*_PASSWORD``, ``*_SECRET``: pool passwords too) and playbook ``password:`` /
  ``new_password:`` value of the integration tests (right and wrong ones);
- the MD5-crypt key of each password with each salt a miner sent, and its AES key
  (SHA-256; hex and base64);
- every v2 sign and every accepted v3 token with its digest (hex and base64).

Prints what was run and searched and every hit; exits 1 on a hit. Test failures are reported
but do not decide the verdict: at ``-vvv`` with ANSIBLE_DEBUG some tests that compare output
may fail, and their output is searched all the same. The pytest audit
(tests/integration/test_secrets_audit.py) is the small version that ``make test`` runs.

    .venv/bin/python tests/tools/audit_suite.py [pytest arguments, default: tests/integration]
    .venv/bin/python tests/tools/audit_suite.py --scan-only     # search what the last run kept
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / 'tests' / 'output' / 'audit'
sys.path.insert(0, str(ROOT / 'build' / 'collections'))
sys.path.insert(0, str(ROOT / 'tests'))

from integration.secrets import derived_secrets  # noqa: E402  pylint: disable=wrong-import-position

#: Values that are not secrets although a test passes them as passwords (pool passwords).
NOT_SECRET = {'x', '123'}
#: The factory password, printed in every manual: the keys derived from it are searched, the
#: word itself is not (it is in play names and messages such as "Rotate the admin password").
PUBLIC = {'admin'}
CONSTANT = re.compile(r"""^\s*[A-Z_]*(?:PASSWORDS?|SECRETS?)\s*=\s*(.+)$""", re.M)
PLAYBOOK_PASSWORD = re.compile(r"""^\s*(?:password|new_password|whatsminer_password|whatsminer_new_password):\s*['"]?([^'"\s{]+)""",
                               re.M)
QUOTED = re.compile(r"""'([^']+)'|"([^"]+)\"""")


def test_passwords():
    """Password constants of the integration tests and literal passwords of their playbooks."""
    found = set()
    for path in (ROOT / 'tests' / 'integration').rglob('*.py'):
        for match in CONSTANT.finditer(path.read_text(encoding='utf-8')):
            found.update(a or b for a, b in QUOTED.findall(match.group(1)))
    for path in (ROOT / 'tests' / 'integration' / 'playbooks').rglob('*.yml'):
        found.update(PLAYBOOK_PASSWORD.findall(path.read_text(encoding='utf-8')))
    return found


def secrets(issued_files, passwords):
    """``{label: value}`` of everything that must not appear."""
    signs, salts, v3 = set(), set(), []
    for path in issued_files:
        for entry in json.loads(path.read_text(encoding='utf-8')).values():
            passwords.add(entry['password'])
            passwords.update(entry.get('passwords', ()))
            for token in entry['v2']:
                signs.add(token['sign'])
                salts.add(token['salt'])
            v3.extend(entry['v3'])
    passwords -= NOT_SECRET
    found = derived_secrets(passwords, salts, v3)
    for password in PUBLIC:
        found.pop('password %s' % password, None)
    for sign in signs:
        found['sign %s' % sign] = sign
    return found, len(passwords), len(salts), len(signs), len(v3)


def run_suite(args):
    """The integration tests in audit mode; prints their outcome."""
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    env = dict(os.environ, WHATSMINER_AUDIT_DIR=str(OUT), ANSIBLE_VERBOSITY='3', ANSIBLE_DEBUG='1',
               ANSIBLE_LOG_PATH=str(OUT / 'ansible.log'))
    started = time.monotonic()
    cmd = [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-n', '2',
           '--junitxml', str(OUT / 'junit.xml')] + args
    print('running: %s' % ' '.join(cmd), flush=True)
    tests = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           check=False)
    (OUT / 'pytest.txt').write_text(tests.stdout)
    summary = [line for line in tests.stdout.splitlines() if re.search(r'\d+ (passed|failed)', line)]
    failures = [line for line in tests.stdout.splitlines() if line.startswith(('FAILED', 'ERROR'))]
    print('pytest: rc %d in %.0f s: %s' % (tests.returncode, time.monotonic() - started, summary[-1] if summary else '?'))
    for line in failures:
        print('  %s' % line)


def search(files, found):
    """``[(file name, label)]`` of every secret in ``files``: one pass of ``grep -F`` (many fixed
    strings at once) over gigabytes of -vvv/ANSIBLE_DEBUG output, then the labels of what it
    printed."""
    patterns = OUT / 'patterns.txt'
    by_value = {}
    for label, value in found.items():
        by_value.setdefault(value, []).append(label)
    patterns.write_text('\n'.join(by_value) + '\n', encoding='utf-8')
    hits = set()
    for path in files:
        proc = subprocess.run(['grep', '-a', '-o', '-F', '-f', str(patterns), str(path)], stdout=subprocess.PIPE,
                              check=False)
        if proc.returncode > 1:
            raise SystemExit('grep failed on %s' % path)
        for value in set(proc.stdout.decode('utf-8', 'replace').splitlines()):
            hits.update((path.name, label) for label in by_value.get(value, [value]))
        # grep -o prints one match where secrets overlap: look again for the others, in Python,
        # only in files that already hold a leak
        if proc.stdout:
            text = path.read_text(encoding='utf-8', errors='replace')
            hits.update((path.name, label) for label, value in found.items() if value in text)
    patterns.unlink()
    return sorted(hits)


def main():
    args = sys.argv[1:]
    if args[:1] != ['--scan-only']:
        run_suite(args or ['tests/integration'])
    issued = sorted(OUT.glob('issued-*.txt'))
    found, passwords, salts, signs, v3 = secrets(issued, test_passwords())
    searched = sorted(path for path in OUT.iterdir() if path.is_file() and not path.name.startswith('issued-')
                      and path.name not in ('junit.xml', 'pytest.txt', 'patterns.txt'))
    outputs = [path for path in searched if path.name.startswith('output-')]
    size = sum(path.stat().st_size for path in searched)
    print('searched %d files (%d ansible-playbook outputs and the shared -vvv/ANSIBLE_DEBUG log), %.0f MB'
          % (len(searched), len(outputs), size / 1e6))
    print('secrets: %d strings (%d passwords, %d salts, %d v2 signs, %d v3 tokens) from %d simulators'
          % (len(found), passwords, salts, signs, v3, len(issued)))
    if not outputs or not signs:
        print('nothing was captured: the audit proves nothing')
        return 1
    # the search itself is checked: a file holding one secret of each kind must be reported
    canary = OUT / 'canary.txt'
    kinds = {}
    for label, value in found.items():
        kinds.setdefault(label.split(' ')[0] + (' ' + label.split(' ')[1] if label.startswith(('aes', 'v3')) else ''),
                         (label, value))
    canary.write_text('\n'.join('... %s ...' % value for _label, value in kinds.values()), encoding='utf-8')
    missed = set(label for label, _value in kinds.values()) - set(label for _name, label in search([canary], found))
    canary.unlink()
    print('search checked on a planted file holding one secret of each of %d kinds: %s'
          % (len(kinds), 'all found' if not missed else 'MISSED %s' % sorted(missed)))
    if missed:
        return 1
    hits = search(searched, found)
    for name, label in hits:
        print('  LEAK %s: %s' % (name, label))
    print('leaks: %d' % len(hits))
    return 1 if hits else 0


if __name__ == '__main__':
    sys.exit(main())
