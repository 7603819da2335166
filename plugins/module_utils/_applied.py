# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What this controller last wrote to each miner, for settings the miner cannot report.

Why: temperature offset, fan zero speed, pool passwords and others are write-only on most
firmware. Without a record, a declarative run must either write them every time (changed
on every run, noise in drift reports) or never (desired state silently not applied). With
the ``on_change`` policy the engine writes such a setting when the desired value differs
from what it last confirmed on that miner, or when it has no record (first run, new
controller, AWX job in a fresh container).

Secrets (pool passwords) are kept only as salted SHA-256 fingerprints. Files live in the
private state directory beside the token cache (0700 / 0600).
"""

from __future__ import annotations

import hashlib
import json
import os
import re

from ._tokens import private_dir, save_private_json, state_root


def fingerprint(value, salt):
    """Stable, non-reversible stand-in for a secret value."""
    text = json.dumps(value, sort_keys=True)
    return 'sha256:' + hashlib.sha256((salt + '\0' + text).encode('utf-8')).hexdigest()


class AppliedStore:
    """One JSON file per miner: ``{setting: value or fingerprint}``."""

    def __init__(self, directory=None):
        self.directory = directory or os.path.join(state_root(), 'applied')

    def _path(self, miner_key):
        return os.path.join(private_dir(self.directory), re.sub(r'[^A-Za-z0-9._-]', '_', miner_key) + '.json')

    def load(self, miner_key):
        try:
            with open(self._path(miner_key), 'r', encoding='utf-8') as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def update(self, miner_key, values):
        """Merge ``values`` into the miner's record (atomic replace; 0600)."""
        if not values:
            return
        record = self.load(miner_key)
        record.update(values)
        self._save(miner_key, record)

    def _save(self, miner_key, record):
        path = self._path(miner_key)
        save_private_json(path, record, sort_keys=True)

    def forget(self, miner_key, names=None):
        """Drop the whole record (factory reset) or some settings."""
        if names is None:
            try:
                os.unlink(self._path(miner_key))
            except FileNotFoundError:
                pass
            return
        record = self.load(miner_key)
        for name in names:
            record.pop(name, None)
        self._save(miner_key, record)
