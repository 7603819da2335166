# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ansible-test on this collection from a physical ``ansible_collections/NS/NAME`` copy.

Usage (with the interpreter of the virtual environment whose ansible-test is wanted):

    .venv/bin/python tests/tools/run_ansible_test.py [--keep] sanity --python 3.11 --color no

Why: ansible-test only runs inside a directory whose real path ends in
``ansible_collections/<namespace>/<name>`` (a symlink is not enough), and the repository root
is the collection root. This script copies the files git knows of (tracked, plus untracked
files that are not ignored) into a temporary tree, runs ansible-test there, copies its
``tests/output`` back to ``tests/output/ansible-core-X.Y/``, and exits with ansible-test's
exit code.

It also puts tests/tools/get_pip_shim.py in ansible-test's cache of the pip bootstrap script
(``~/.ansible/test/cache/get_pip_<version>.py``): the real script is downloaded from a host
that may be unreachable, while pip itself comes from the package index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIM = ROOT / 'tests' / 'tools' / 'get_pip_shim.py'
SHIM_MARKER = 'minerops-whatsminer-get-pip-shim'
SKIP_TOP = ('.git', 'build', 'tests/output')


def log(message):
    print('run_ansible_test.py: %s' % message, flush=True)


def collection_name():
    import yaml  # PyYAML comes with ansible-core

    with open(ROOT / 'galaxy.yml', encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    return galaxy['namespace'], galaxy['name']


def source_files():
    """Relative paths of the files to copy: tracked or untracked-and-not-ignored."""
    try:
        out = subprocess.run(
            ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
            cwd=ROOT, check=True, capture_output=True,
        ).stdout.decode('utf-8', 'surrogateescape')
        paths = sorted({p for p in out.split('\0') if p})
    except (OSError, subprocess.CalledProcessError):
        log('git not available here: copying the whole tree except %s and .venv*' % ', '.join(SKIP_TOP))
        paths = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            rel_dir = os.path.relpath(dirpath, ROOT)
            rel_dir = '' if rel_dir == '.' else rel_dir + '/'
            dirnames[:] = [
                d for d in dirnames
                if (rel_dir + d) not in SKIP_TOP and not d.startswith('.venv') and d != '__pycache__'
            ]
            paths.extend(rel_dir + f for f in filenames)
    return [p for p in paths if not p.startswith(SKIP_TOP) and os.path.lexists(ROOT / p)]


def copy_tree(dest):
    count = 0
    for rel in source_files():
        src = ROOT / rel
        dst = dest / rel
        if src.is_dir() and not src.is_symlink():  # e.g. a submodule
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
        count += 1
    return count


def ansible_test_pip_versions():
    """pip versions whose bootstrap script this ansible-test may ask for."""
    import ansible_test

    source = Path(ansible_test.__file__).parent / '_internal' / 'python_requirements.py'
    versions = set(re.findall(r"\bpip\s*=\s*'([0-9][^']*)'", source.read_text(encoding='utf-8')))
    versions.update(re.findall(r"'pip'\s*:\s*'([0-9][^']*)'", source.read_text(encoding='utf-8')))
    if not versions:
        raise SystemExit('run_ansible_test.py: cannot find the pip version in %s' % source)
    return sorted(versions)


def install_get_pip_shim():
    cache = Path(os.path.expanduser('~/.ansible/test/cache'))
    cache.mkdir(parents=True, exist_ok=True)
    shim = SHIM.read_text(encoding='utf-8')
    for version in ansible_test_pip_versions():
        target = cache / ('get_pip_%s.py' % version.replace('.', '_'))
        if target.exists():
            current = target.read_text(encoding='utf-8', errors='replace')
            if SHIM_MARKER not in current:
                log('keeping the real pip bootstrap script at %s' % target)
                continue
            if current == shim:
                continue
        tmp = target.with_suffix('.tmp%d' % os.getpid())
        tmp.write_text(shim, encoding='utf-8')
        os.replace(tmp, target)
        log('pip %s bootstrap: %s' % (version, target))


def main(argv):
    keep = False
    if argv and argv[0] == '--keep':
        keep, argv = True, argv[1:]
    if not argv:
        raise SystemExit(__doc__)
    namespace, name = collection_name()
    install_get_pip_shim()

    tmp = Path(tempfile.mkdtemp(prefix='ansible-test-%s-%s-' % (namespace, name)))
    dest = tmp / 'ansible_collections' / namespace / name
    dest.mkdir(parents=True)
    count = copy_tree(dest)

    env = dict(os.environ)
    env.pop('ANSIBLE_COLLECTIONS_PATH', None)
    env.pop('ANSIBLE_COLLECTIONS_PATHS', None)
    # The interpreter running this script (a virtual environment's) comes first in PATH, so
    # ansible-test and the ansible-* commands it starts are the ones installed beside it.
    bindir = os.path.dirname(sys.executable)
    env['PATH'] = os.pathsep.join([bindir, env.get('PATH', '')])
    command = [os.path.join(bindir, 'ansible-test')] + argv
    log('%d files copied to %s' % (count, dest))
    log('running: %s' % ' '.join(command))
    started = time.monotonic()
    try:
        rc = subprocess.call(command, cwd=dest, env=env)
    except KeyboardInterrupt:
        rc = 130
    log('ansible-test exited %d after %.0f s' % (rc, time.monotonic() - started))

    output = dest / 'tests' / 'output'
    if output.is_dir():
        # One folder per ansible-core version: `make sanity` runs two versions at once.
        from ansible.release import __version__ as core_version

        target = ROOT / 'tests' / 'output' / ('ansible-core-%s' % '.'.join(core_version.split('.')[:2]))
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(output, target, symlinks=True)
        log('results: %s' % target.relative_to(ROOT))
    if keep:
        log('kept %s' % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
