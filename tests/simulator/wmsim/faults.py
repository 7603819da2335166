# -*- coding: utf-8 -*-
"""Fault injection: per miner, optionally limited to some commands and a number of occurrences.

Why: real miners drop connections, answer late, emit broken JSON, run out of tokens, refuse
writes, lose uploads and sometimes never come back; a client is only robust if each of these
can be provoked on demand.  Reply faults shape the bytes of an otherwise normal reply (the
command itself is still executed: the reply is what gets lost or damaged); the other kinds
change what the miner decides.
"""

from __future__ import annotations

import random
import threading

# kind: what it does (also the README table)
KINDS = {
    'drop': 'close the connection without a reply (the command is still executed)',
    'delay': 'sleep `seconds` (default 12) before replying',
    'garbage': 'answer random non-JSON bytes instead of the reply',
    'truncated': 'answer only the first half of the reply',
    'trailing_nul': 'append a NUL byte to the reply',
    'trailing_comma': 'insert a comma before the final brace: `...,}`',
    'newline': 'append a newline to the reply',
    'token_expired': 'encrypted commands answer 135 check token err',
    'token_full': 'get_token answers 136 over max connect',
    'write_off': 'the write switch reads as off: encrypted writes answer 45 "can\'t access write cmd"',
    'silent_wrong_password': 'a request that fails to decrypt gets no reply at all (socket held open until the idle timeout)',
    'btminer_down': 'every command answers `Socket connect failed: Connection refused`',
    'upload_interrupted': 'update_firmware: the miner closes the socket half way through the upload',
    'boots_old_version': 'update_firmware: the upload is accepted, the board reboots into the old version',
    'never_returns': 'after the next restarting write the miner stays down until the fault is cleared',
}

REPLY_KINDS = ('garbage', 'truncated', 'trailing_comma', 'trailing_nul', 'newline')
DEFAULT_DELAY = 12.0


class Fault:
    """One injected fault."""

    def __init__(self, kind, commands=None, count=None, seconds=None):
        if kind not in KINDS:
            raise ValueError('unknown fault kind %r (known: %s)' % (kind, ', '.join(sorted(KINDS))))
        if isinstance(commands, str):
            commands = [commands]
        self.kind = kind
        self.commands = frozenset(commands) if commands else None
        self.count = None if count is None else int(count)
        if self.count is not None and self.count < 1:
            raise ValueError('fault count must be at least 1')
        self.seconds = None if seconds is None else float(seconds)

    def matches(self, name):
        """True when the fault applies to command ``name`` (None matches only unfiltered faults)."""
        return self.commands is None or (name is not None and name in self.commands)

    def as_dict(self):
        """JSON-friendly description."""
        return {
            'kind': self.kind,
            'commands': sorted(self.commands) if self.commands else None,
            'count': self.count,
            'seconds': self.seconds,
        }


class FaultSet:
    """The active faults of one miner; taking a fault uses up one of its occurrences."""

    def __init__(self, seed=0):
        self._faults = []
        self._lock = threading.Lock()
        self.random = random.Random('faults|%s' % (seed,))

    def add(self, kind, commands=None, count=None, seconds=None):
        """Add a fault; returns it."""
        fault = Fault(kind, commands, count, seconds)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        """Remove every fault."""
        with self._lock:
            self._faults = []

    def active(self, kind, name=None):
        """True when a fault of ``kind`` applies to ``name``, without using it up."""
        with self._lock:
            return any(fault.kind == kind and fault.matches(name) for fault in self._faults)

    def take(self, kind, name=None):
        """Use up one occurrence of the first matching fault of ``kind``; return it or None."""
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind and fault.matches(name):
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def describe(self):
        """List of active faults as dicts."""
        with self._lock:
            return [fault.as_dict() for fault in self._faults]

    def shape_reply(self, name, data):
        """Apply the reply-shaping faults that match ``name`` to the reply bytes."""
        if self.take('garbage', name):
            length = self.random.randint(24, 96)
            data = bytes([0x8f]) + bytes(self.random.randrange(256) for dummy in range(length))
        if self.take('truncated', name):
            data = data[:max(1, len(data) // 2)]
        if self.take('trailing_comma', name) and data.endswith(b'}'):
            data = data[:-1] + b',}'
        if self.take('trailing_nul', name):
            data = data + b'\0'
        if self.take('newline', name):
            data = data + b'\n'
        return data
