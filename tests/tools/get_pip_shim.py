# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test creates each sanity-test virtual environment without pip, then runs a cached
``~/.ansible/test/cache/get_pip_<version>.py`` (downloaded from a host this network cannot
reach) as ``__main__`` with pip install arguments such as ``pip==24.2 --no-setuptools
--no-wheel``. tests/tools/run_ansible_test.py copies this file to that cache path. It installs
pip with the interpreter's own ``ensurepip``, then lets that pip install the requested
packages from the package index, and removes setuptools/wheel when asked not to keep them.
"""

from __future__ import annotations

import subprocess
import sys

MARKER = 'minerops-whatsminer-get-pip-shim'  # tests/tools/run_ansible_test.py looks for this


def _installed(name):
    probe = 'import importlib.metadata as m, sys\ntry:\n m.version(sys.argv[1])\nexcept Exception:\n sys.exit(1)'
    return subprocess.call([sys.executable, '-c', probe, name]) == 0


def main(argv):
    drop = {'--no-setuptools': 'setuptools', '--no-wheel': 'wheel'}
    unwanted = [drop[a] for a in argv if a in drop]
    args = [a for a in argv if a not in drop]
    before = {name: _installed(name) for name in unwanted}
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    remove = [name for name in unwanted if not before[name] and _installed(name)]
    if remove:
        subprocess.check_call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--quiet'] + remove)
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet'] + args)


if __name__ == '__main__':
    main(sys.argv[1:])
