# -*- coding: utf-8 -*-
"""One simulated miner: settings, counters, tokens, faults and its up/down life cycle.

Why: tests drive and inspect miners one by one (``fleet.miner(host)``), so everything a miner
is lives on one object.  The public properties return copies; all mutation happens under the
fleet's lock because the event loop thread and the test thread both touch miners.
"""

from __future__ import annotations

import copy
import ipaddress

from . import figures as figuresmod
from . import state as statemod
from .faults import FaultSet
from .primitives import aes_key
from .tokens import TokenTable


class Miner:
    """A miner of the fleet, reachable at ``host`` on the fleet's port."""

    def __init__(self, fleet, slot, identity, settings, counters=None):
        self.fleet = fleet
        self.slot = slot
        self.identity = identity
        self.settings = settings
        self._counters = counters or statemod.new_counters()
        self.tokens = TokenTable(secret='%s|%s' % (fleet.seed, slot), seed=fleet.seed)
        self.faults = FaultSet(seed='%s|%s' % (fleet.seed, slot))
        self.host = slot
        if settings.get('net_proto') == 'static' and is_loopback(settings.get('ip')):
            self.host = settings['ip']
        self.pending_ip = None
        self.preheat_started = None
        self.down_kind = None
        self.down_forever = False
        self.down_handle = None
        self.server = None
        now = fleet.clock.now()
        self.boot_at = now - identity.initial_uptime
        self.btminer_at = self.boot_at + 40

    # ------------------------------------------------------------------ public API for tests

    @property
    def counters(self):
        """Snapshot of the counters: connections, get_token, write_requests, writes_applied, commands."""
        with self.fleet.lock:
            return copy.deepcopy(self._counters)

    @property
    def state(self):
        """Snapshot of the settings."""
        with self.fleet.lock:
            return copy.deepcopy(self.settings)

    @property
    def flavor(self):
        """Current API flavour ('2022' or '2025')."""
        with self.fleet.lock:
            return self.settings['flavor']

    @property
    def down(self):
        """None when up, else 'btminer' (restarting) or 'board' (rebooting)."""
        with self.fleet.lock:
            return self.down_kind

    @property
    def faults_active(self):
        """The active faults as dicts."""
        return self.faults.describe()

    def add_fault(self, kind, commands=None, count=None, seconds=None):
        """Inject a fault (see faults.KINDS); returns its description."""
        return self.faults.add(kind, commands=commands, count=count, seconds=seconds).as_dict()

    def clear_faults(self):
        """Remove all faults; a miner held down by never_returns comes back now."""
        self.faults.clear()
        with self.fleet.lock:
            forever = self.down_kind is not None and self.down_forever
        if forever:
            self.fleet.call_in_loop(self.fleet.come_up, self)

    def set(self, **values):
        """Change settings directly (like WhatsMinerTool would); returns the new state."""
        with self.fleet.lock:
            statemod.check_settable(self.settings, values)
            if 'password' in values and values['password'] != self.settings['password']:
                self.tokens.clear()
            self.settings.update(copy.deepcopy(values))
        self.fleet.save()
        return self.state

    def reset_counters(self):
        """Zero every counter."""
        with self.fleet.lock:
            self._counters = statemod.new_counters()
        self.fleet.save()

    def live_tokens(self):
        """{client ip: live token count}."""
        with self.fleet.lock:
            return self.tokens.snapshot(self.fleet.clock.now())

    def describe(self):
        """Host, slot, flavour, identity and up/down state (control channel ``hosts``)."""
        with self.fleet.lock:
            info = self.identity.as_dict()
            info.update({'host': self.host, 'slot': self.slot, 'flavor': self.settings['flavor'],
                         'firmware_version': self.settings['firmware_version'], 'down': self.down_kind})
            return info

    # ------------------------------------------------------------------ used by the server

    def figures(self, now):
        """Live figures at simulated time ``now``."""
        return figuresmod.compute(self.identity, self.settings, now, now - self.btminer_at, now - self.boot_at)

    def current_key(self):
        """(salt, key, aes key) of the current admin password."""
        salt, key = self.tokens.key_for(self.settings['password'])
        return salt, key, aes_key(key)

    def note_connection(self):
        """Count an accepted TCP connection."""
        self._counters['connections'] += 1

    def note_request(self, name, encrypted, is_write):
        """Count a received request (whatever happens to it afterwards)."""
        counters = self._counters
        commands = counters.setdefault('commands', {})
        commands[name] = commands.get(name, 0) + 1
        if name == 'get_token' and not encrypted:
            counters['get_token'] += 1
        if encrypted or is_write:
            counters['write_requests'] += 1

    def note_applied(self):
        """Count a write that was executed."""
        self._counters['writes_applied'] += 1

    def persistable(self):
        """What goes into the state file for this miner."""
        return {'settings': copy.deepcopy(self.settings), 'counters': copy.deepcopy(self._counters),
                'host': self.host}


def is_loopback(address):
    """True for an IPv4 loopback address (one the simulator can listen on)."""
    try:
        return ipaddress.IPv4Address(str(address)).is_loopback
    except ValueError:
        return False
