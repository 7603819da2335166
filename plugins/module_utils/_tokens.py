# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side cache of write tokens, shared by every process of every play.

Why: a miner gives each client address 32 tokens alive 30 minutes. Every Ansible task runs
in a new process, so a client that fetched a token per task would exhaust the table after
a few runs and be refused (136) for half an hour. One sign is therefore reused by every
task and every concurrent process writing to the same miner until it is 25 minutes old or
the miner refuses it (135).

What is stored: the sign, the miner's ``salt`` (fixed per password, needed to re-derive the
key from the password the task already has) and when it was issued. Never the password,
never the derived key. Directory 0700, files 0600, one lock file per miner (flock) so that
concurrent processes fetch at most one token between them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
import time

MAX_AGE = 25 * 60
ENV_DIR = 'MINEROPS_WHATSMINER_STATE_DIR'


def state_root():
    """``$MINEROPS_WHATSMINER_STATE_DIR`` or ``~/.ansible/minerops_whatsminer``: the
    controller-side directory for token and last-applied records (private, 0700)."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        return os.path.expanduser(configured)
    return os.path.join(os.path.expanduser('~'), '.ansible', 'minerops_whatsminer')


def default_directory():
    """Where the signs are kept: ``<state root>/tokens``."""
    return os.path.join(state_root(), 'tokens')


def private_dir(path):
    """``path`` created 0700 (and the state root too, when ``path`` is in it and it is new:
    ``os.makedirs`` gives new parent directories the default mode)."""
    root = os.path.abspath(state_root())
    if os.path.dirname(os.path.abspath(path)) == root:
        os.makedirs(root, mode=0o700, exist_ok=True)
    os.makedirs(path, mode=0o700, exist_ok=True)
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


@contextlib.contextmanager
def private_file(path, mode='w', prefix='.tmp-', suffix=''):
    """Write ``path`` atomically and privately: yields the handle of a temporary file in the
    same folder, 0600 from its creation; on a clean exit it replaces ``path`` (a concurrent
    reader sees the old file or the new one, never a part), on an error it is removed."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or '.', prefix=prefix, suffix=suffix)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, mode, encoding=None if 'b' in mode else 'utf-8') as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save_private_json(path, data, sort_keys=False):
    """``data`` as JSON in ``path``, written by private_file."""
    with private_file(path) as handle:
        json.dump(data, handle, sort_keys=sort_keys)


class TokenStore:
    """File-backed token cache; ``clock`` is injectable for tests."""

    def __init__(self, directory=None, clock=time.time, max_age=MAX_AGE):
        self.directory = directory or default_directory()
        self.clock = clock
        self.max_age = max_age

    def _paths(self, miner_key):
        name = re.sub(r'[^A-Za-z0-9._-]', '_', miner_key)
        base = os.path.join(private_dir(self.directory), name)
        return base + '.json', base + '.lock'

    def _load(self, path):
        try:
            with open(path, 'r', encoding='utf-8') as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or not entry.get('sign') or not entry.get('salt'):
            return None
        age = self.clock() - float(entry.get('issued', 0))
        if age < 0 or age >= self.max_age:
            return None
        return entry

    def get(self, miner_key):
        """The live cached entry or None (no lock: reading a complete file is atomic)."""
        return self._load(self._paths(miner_key)[0])

    def get_or_fetch(self, miner_key, fetch):
        """Return ``(entry, fetched)``; call ``fetch()`` (-> {sign, salt}) at most once,
        under the miner's lock, only when no live entry exists."""
        path, lock_path = self._paths(miner_key)
        entry = self._load(path)
        if entry:
            return entry, False
        lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            entry = self._load(path)  # another process may have fetched meanwhile
            if entry:
                return entry, False
            fresh = fetch()
            entry = {'sign': fresh['sign'], 'salt': fresh['salt'], 'issued': self.clock()}
            save_private_json(path, entry)
            return entry, True
        finally:
            fcntl.flock(lock_fd, fcntl.LOCK_UN)
            os.close(lock_fd)

    def drop(self, miner_key, sign=None):
        """Forget the miner's entry; with ``sign``, only if it is still that one (so a
        process never throws away a newer token another process just fetched)."""
        path, lock_path = self._paths(miner_key)
        lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            if sign is not None:
                current = self._load(path)
                if current and current.get('sign') != sign:
                    return
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        finally:
            fcntl.flock(lock_fd, fcntl.LOCK_UN)
            os.close(lock_fd)


class MemoryTokenStore:
    """Same interface, kept in memory: for one-off scripts and unit tests."""

    def __init__(self, clock=time.time, max_age=MAX_AGE):
        self.clock = clock
        self.max_age = max_age
        self.entries = {}

    def get(self, miner_key):
        entry = self.entries.get(miner_key)
        if entry and 0 <= self.clock() - entry['issued'] < self.max_age:
            return entry
        return None

    def get_or_fetch(self, miner_key, fetch):
        entry = self.get(miner_key)
        if entry:
            return entry, False
        fresh = fetch()
        entry = {'sign': fresh['sign'], 'salt': fresh['salt'], 'issued': self.clock()}
        self.entries[miner_key] = entry
        return entry, True

    def drop(self, miner_key, sign=None):
        current = self.entries.get(miner_key)
        if current and (sign is None or current.get('sign') == sign):
            del self.entries[miner_key]
