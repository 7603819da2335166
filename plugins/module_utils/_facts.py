# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts of one miner in one normalised shape, whatever the firmware flavour.

Why normalise: 2022-era firmware (API 2.0.x) answers ``summary``/``pools``/``edevs`` in the
cgminer shape with hash rates in MH/s and real booleans; 2025 firmware moves them into
``Msg``, sends numbers as floats, booleans as ``"true"``/``"false"`` and per-board hash
rates in TH/s. Playbooks and reports must not care: every fact has one name and one unit
(hash rates TH/s, power W, temperatures C, voltages V, currents A, efficiency J/TH), and a
value a firmware does not report is ``None``, never a missing key.

Reads: each subset maps to the commands it needs; each command is read at most once (one
TCP connection per command). ``devdetails`` answers 132 "deprecated" on 2025 firmware (the
client raises UnsupportedError): treated as absent. A command answered by "btminer is not
running" (a stopped miner on some firmware), or failing on its own (a lost reply, garbage),
leaves its facts empty and is listed in ``unavailable`` (with the reason in ``read_errors``):
one bad command must not cost a report everything else about the miner. When no command
answers at all (miner unreachable, wrong address) the task fails with that error.
"""

from __future__ import annotations

from . import _values as v
from ._errors import BtminerDownError, UnsupportedError, ValidationError, WhatsminerError
from ._fact_sections import BUILDERS

#: Subsets in the order they are reported; ``all`` means every one of them.
SUBSETS = ('summary', 'pools', 'devices', 'psu', 'version', 'status', 'network', 'errors')
#: Fact key of each subset (``devices`` fills ``boards``: the hash boards).
KEYS = {'devices': 'boards'}


def resolve_subsets(requested):
    """``gather_subset`` -> subsets to gather, in SUBSETS order.

    ``all`` selects every subset, ``!name`` removes one; a list of only exclusions starts
    from all (``['!errors']`` = everything but errors).
    """
    include, exclude = set(), set()
    for entry in requested or ['all']:
        name = str(entry).strip()
        negate = name.startswith('!')
        base = name[1:].strip() if negate else name
        if base != 'all' and base not in SUBSETS:
            raise ValidationError('gather_subset entries must be one of all, %s (or !name to exclude), got %r'
                                  % (', '.join(SUBSETS), entry))
        (exclude if negate else include).update(SUBSETS if base == 'all' else (base,))
    if not include:
        include = set(SUBSETS)
    return [name for name in SUBSETS if name in include and name not in exclude]


class Reads:
    """Each command read at most once; absent (None) when unsupported or btminer is down."""

    def __init__(self, client):
        self.client = client
        self.replies = {}
        self.unavailable = set()
        self.errors = {}
        self.answered = 0

    def get(self, command, **params):
        if command not in self.replies:
            try:
                self.replies[command] = self.client.read(command, **params)
                self.answered += 1
            except UnsupportedError:
                self.replies[command] = None
                self.answered += 1
            except BtminerDownError:
                self.replies[command] = None
                self.unavailable.add(command)
                self.answered += 1
            except WhatsminerError as exc:
                self.replies[command] = None
                self.unavailable.add(command)
                self.errors[command] = exc
        return self.replies[command]

    def record(self, command, section=None, **params):
        reply = self.get(command, **params)
        record = reply.record(section) if reply is not None else {}
        return record if isinstance(record, dict) else {}

    def records(self, command, section):
        reply = self.get(command)
        return [r for r in reply.records(section) if isinstance(r, dict)] if reply is not None else []

    def cgminer_shape(self, command):
        """True when the reply came in the cgminer shape (2022-era units)."""
        reply = self.replies.get(command)
        return reply is not None and isinstance(reply.raw.get('STATUS'), list)

    def miner_type(self):
        """Model as ``get_version`` names it (``miner_type``, 2025 firmware only)."""
        return v.to_text(self.record('get_version').get('miner_type')) or None

    def board_models(self):
        """``{slot: model}`` from ``devdetails`` (2022-era firmware; empty when deprecated)."""
        return {v.to_int(d.get('ID', d.get('DEVDETAILS'))): v.to_text(d.get('Model'))
                for d in self.records('devdetails', 'DEVDETAILS')}


#: version first: its ``miner_type`` spares the (deprecated) devdetails read on 2025 firmware.
_GATHER_ORDER = ('version',) + tuple(name for name in SUBSETS if name != 'version')


def gather_facts(client, subsets):
    """The result of whatsminer_facts: ``changed`` and ``ansible_facts`` only."""
    wanted = resolve_subsets(subsets)
    reads = Reads(client)
    facts = {}
    for name in _GATHER_ORDER:
        if name in wanted:
            facts[KEYS.get(name, name)] = BUILDERS[name](reads)
    ordered = {'gather_subset': wanted}
    ordered.update((KEYS.get(name, name), facts[KEYS.get(name, name)]) for name in wanted)
    if reads.errors and not reads.answered:
        raise next(iter(reads.errors.values()))
    ordered['unavailable'] = sorted(reads.unavailable)
    ordered['read_errors'] = {command: str(exc) for command, exc in sorted(reads.errors.items())}
    return {'changed': False, 'ansible_facts': {'whatsminer': ordered}}
