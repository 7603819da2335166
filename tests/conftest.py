# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the collection importable as ``ansible_collections.minerops.whatsminer`` in tests.

The repository root IS the collection root, so it is not at a path ending in
``ansible_collections/minerops/whatsminer``. ``make collection`` creates the symlink
``build/collections/ansible_collections/minerops/whatsminer -> ../../../..``; this file
creates it too when it is missing (pytest run without make), puts ``build/collections`` first
on ``sys.path`` and first in ``ANSIBLE_COLLECTIONS_PATH`` (for ansible-playbook started by
tests).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE, NAME = 'minerops', 'whatsminer'


def _collections_dir() -> Path:
    """Return the directory that holds ``ansible_collections`` for this tree."""
    # Already installed at a proper path (ansible-test copy, ansible-galaxy install)?
    if ROOT.parts[-3:] == ('ansible_collections', NAMESPACE, NAME):
        return ROOT.parents[2]
    collections = ROOT / 'build' / 'collections'
    link = collections / 'ansible_collections' / NAMESPACE / NAME
    target = os.path.relpath(ROOT, link.parent)
    if link.is_symlink() and link.resolve() == ROOT:
        return collections
    if link.exists() and not link.is_symlink():
        raise RuntimeError('%s exists and is not a symlink to %s: run `make clean`' % (link, ROOT))
    link.parent.mkdir(parents=True, exist_ok=True)
    # Atomic replace: pytest-xdist workers may get here at the same time.
    tmp = link.parent / ('.%s.%d' % (NAME, os.getpid()))
    if tmp.is_symlink():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)
    return collections


COLLECTIONS = _collections_dir()
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
_paths = [p for p in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) if p]
if str(COLLECTIONS) not in _paths:
    os.environ['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join([str(COLLECTIONS)] + _paths)
