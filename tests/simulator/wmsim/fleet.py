# -*- coding: utf-8 -*-
"""A fleet of simulated miners served by one asyncio event loop in a background thread.

Why: tests and playbooks need many miners at once (one loopback address each, all on the same
TCP port, like a real site on port 4028) without a process per miner.  The fleet owns the loop,
the listeners, the shared simulated clock, the state file and the restart/reboot timers; it
also moves a miner to a new loopback address after net_config.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import threading

from . import state as statemod
from .clock import SimClock
from .control import serve_control
from .hostspec import parse_hosts
from .identity import Identity
from .miner import Miner, is_loopback
from .server import serve_connection
from . import v3_wire

LOG = logging.getLogger('wmsim')


class Fleet:
    """Many miners on loopback addresses sharing one port.

    ``Fleet(hosts, port=0, password='secret', flavor='2022', state_path=None,
    restart_seconds=2.0, reboot_seconds=3.0, seed=0)``; ``flavor`` is '2022', '2025', 'v3',
    'mixed' (alternating 2022/2025 per host), 'mixed-v3' (2022, 2025, v3, ...) or a {host: flavor}
    dict.  Extra keywords: ``write_api`` (initial write switch), ``idle_timeout`` (10 s),
    ``control_port`` (None: no control channel; 0: ephemeral on 127.0.0.1), ``v3_port`` (shared
    API v3 port of the ``v3`` miners; None or 0: ephemeral, only when there are ``v3`` miners;
    see v3_wire.py).
    """

    def __init__(self, hosts, port=0, password='secret', flavor='2022', state_path=None, restart_seconds=2.0,
                 reboot_seconds=3.0, seed=0, write_api=True, idle_timeout=10.0, control_port=None, v3_port=None):
        self.requested_port = int(port)
        self.port = None
        self.password = password
        self.seed = seed
        self.restart_seconds = float(restart_seconds)
        self.reboot_seconds = float(reboot_seconds)
        self.idle_timeout = float(idle_timeout)
        self.requested_control_port = control_port
        self.control_port = None
        self.requested_v3_port = v3_port
        self.v3_port = None
        self.v3_idle_timeout = v3_wire.IDLE_TIMEOUT
        self.v3_servers = {}
        self.v3_clients = {}
        self.lock = threading.RLock()
        self.clock = SimClock()
        self.state_file = statemod.StateFile(state_path) if state_path else None
        self._loop = None
        self._thread = None
        self._control_server = None
        self._extra_state = {}
        self._miners = []
        self._build(parse_hosts(hosts), flavor, write_api)

    # ------------------------------------------------------------------ construction

    def _build(self, slots, flavor, write_api):
        saved = self.state_file.load() if self.state_file else {}
        for index, slot in enumerate(slots):
            if isinstance(flavor, dict):
                wanted = flavor.get(slot, '2022')
            elif flavor == 'mixed':
                wanted = statemod.FLAVORS[index % 2]
            elif flavor == 'mixed-v3':
                wanted = statemod.FLAVORS[index % 3]
            else:
                wanted = flavor
            wanted = str(wanted)
            if wanted not in statemod.FLAVORS:
                raise ValueError('unknown flavor %r for %s' % (wanted, slot))
            identity = Identity(slot, self.seed)
            settings = statemod.default_settings(identity, wanted, self.password, write_api)
            counters = None
            record = saved.pop(slot, None)
            if record:
                settings = statemod.merge_settings(settings, record.get('settings'))
                counters = statemod.new_counters()
                counters.update(record.get('counters') or {})
            miner = Miner(self, slot, identity, settings, counters)
            if any(other.host == miner.host for other in self._miners) or \
                    (miner.host != slot and miner.host in slots):
                miner.host = slot
            self._miners.append(miner)
        self._extra_state = saved

    # ------------------------------------------------------------------ lookup

    @property
    def miners(self):
        """All miners, in the order the hosts were given."""
        return list(self._miners)

    @property
    def hosts(self):
        """Current addresses of the miners."""
        return [miner.host for miner in self._miners]

    @property
    def flavors(self):
        """{current address: flavour}."""
        with self.lock:
            return {miner.host: miner.settings['flavor'] for miner in self._miners}

    def miner(self, host):
        """The miner answering at ``host`` (or, failing that, the one first configured there)."""
        for miner in self._miners:
            if miner.host == host:
                return miner
        for miner in self._miners:
            if miner.slot == host:
                return miner
        raise KeyError('no simulated miner at %s' % host)

    def advance_clock(self, seconds):
        """Move the simulated clock (token lifetimes, When, uptime, pre_power_on) forward."""
        return self.clock.advance(seconds)

    # ------------------------------------------------------------------ persistence

    def save(self):
        """Write the state file (when there is one)."""
        if not self.state_file:
            return
        with self.lock:
            data = copy.deepcopy(self._extra_state)
            for miner in self._miners:
                data[miner.slot] = miner.persistable()
            self.state_file.save(data)

    # ------------------------------------------------------------------ life cycle

    def start(self, timeout=30.0):
        """Bind every listener; returns once all of them accept connections."""
        if self._thread is not None:
            raise RuntimeError('fleet already started')
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name='wmsim-loop', daemon=True)
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start_async(), self._loop)
        try:
            future.result(timeout)
        except BaseException:
            self._shutdown_loop()
            raise
        return self

    def _run_loop(self):
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    async def _listen(self, miner, host, port):
        handler = functools.partial(serve_connection, self, miner)
        return await asyncio.start_server(handler, host, port, reuse_address=True, backlog=128)

    async def _start_async(self):
        attempts = 8 if self.requested_port == 0 else 1
        for attempt in range(attempts):
            servers = []
            try:
                first = self._miners[0]
                server = await self._listen(first, first.host, self.requested_port)
                servers.append(server)
                port = server.sockets[0].getsockname()[1]
                for miner in self._miners[1:]:
                    servers.append(await self._listen(miner, miner.host, port))
            except OSError:
                for server in servers:
                    server.close()
                if attempt == attempts - 1:
                    raise
                continue
            for miner, server in zip(self._miners, servers):
                miner.server = server
            self.port = port
            break
        await v3_wire.start_listeners(self)
        if self.requested_control_port is not None:
            handler = functools.partial(serve_control, self)
            self._control_server = await asyncio.start_server(handler, '127.0.0.1', int(self.requested_control_port),
                                                              reuse_address=True)
            self.control_port = self._control_server.sockets[0].getsockname()[1]
        LOG.info('%d miners listening on port %s', len(self._miners), self.port)

    async def _stop_async(self):
        for miner in self._miners:
            if miner.down_handle is not None:
                miner.down_handle.cancel()
                miner.down_handle = None
            if miner.server is not None:
                miner.server.close()
                miner.server = None
        v3_wire.stop_listeners(self)
        if self._control_server is not None:
            self._control_server.close()
            self._control_server = None
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self, timeout=10.0):
        """Close every listener and connection, stop the loop, write the state file."""
        if self._loop is None:
            return
        if self._loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self._stop_async(), self._loop)
            try:
                future.result(timeout)
            except (asyncio.TimeoutError, TimeoutError):
                LOG.warning('fleet did not stop cleanly within %s s', timeout)
        self._shutdown_loop()
        self.save()

    def _shutdown_loop(self):
        loop = self._loop
        if loop is None:
            return
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        if not loop.is_running():
            loop.close()
        self._loop = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # ------------------------------------------------------------------ restarts and reboots

    def call_in_loop(self, function, *args):
        """Run ``function(*args)`` in the event loop thread (or now, when not running)."""
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(function, *args)
        else:
            function(*args)

    def begin_down(self, miner, kind):
        """btminer restarts (``kind='btminer'``) or the board reboots (``'board'``); loop thread."""
        with self.lock:
            forever = miner.faults.take('never_returns') is not None
            miner.down_kind = kind
            miner.down_forever = forever
            if kind == 'board':
                miner.tokens.clear()
                miner.preheat_started = None
            if miner.down_handle is not None:
                miner.down_handle.cancel()
                miner.down_handle = None
            seconds = self.reboot_seconds if kind == 'board' else self.restart_seconds
            if not forever and self._loop is not None:
                miner.down_handle = self._loop.call_later(seconds, self.come_up, miner)
        LOG.info('%s: %s down%s', miner.host, kind, ' until the never_returns fault is cleared' if forever else
                 ' for %.1f s' % seconds)
        self.save()

    def come_up(self, miner):
        """End of a restart or reboot (loop thread); may move the miner to a new address first."""
        with self.lock:
            if miner.down_kind is None:
                return
            miner.down_handle = None
            new_ip = miner.pending_ip if miner.down_kind == 'board' else None
            miner.pending_ip = None
        if new_ip and new_ip != miner.host and is_loopback(new_ip) and \
                not any(other.host == new_ip for other in self._miners if other is not miner):
            task = self._loop.create_task(self._rebind(miner, new_ip))
            task.add_done_callback(lambda done: self._mark_up(miner))
        else:
            self._mark_up(miner)

    def _mark_up(self, miner):
        with self.lock:
            kind = miner.down_kind
            if kind is None:
                return
            now = self.clock.now()
            miner.btminer_at = now
            if kind == 'board':
                miner.boot_at = now
            miner.down_kind = None
            miner.down_forever = False
        LOG.info('%s: up again after %s restart', miner.host, kind)

    async def _rebind(self, miner, new_ip):
        try:
            server = await self._listen(miner, new_ip, self.port)
        except OSError as exc:
            LOG.warning('%s: cannot listen on %s:%s (%s); staying at the old address', miner.host, new_ip, self.port, exc)
            return
        old = miner.server
        miner.server = server
        await v3_wire.rebind(self, miner, new_ip)
        old_host = miner.host
        miner.host = new_ip
        if old is not None:
            old.close()
        LOG.info('%s: now answering at %s', old_host, new_ip)
