# -*- coding: utf-8 -*-
"""The TCP side of API v3: length-prefixed JSON frames, many requests per connection.

Why: v3 clients keep one connection for many requests, frame every message as a 4-byte
little-endian length plus JSON, send four zero bytes as a heartbeat, and must cope with the
miner's limits (at most 10 clients, idle close after 300 s).  Every miner of the ``v3``
flavour listens on its own address at the fleet's shared v3 port (``fleet.v3_port``), beside
its reduced v2 on the v2 port, from the same state.

While the board reboots or btminer restarts, v3 connections are accepted and closed at once
(and an open one is closed at its next request).  Restarting writes close the connection with
no reply unless ``reply_before_restart`` is set, as on v2.  Faults apply where they make sense:
drop, delay, garbage, truncated, btminer_down, token_expired, write_off,
silent_wrong_password, upload_interrupted, boots_old_version, never_returns.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import struct

from . import v3
from .faults import DEFAULT_DELAY
from .server import _close, _receive_firmware, _send

LOG = logging.getLogger('wmsim')

MAX_CLIENTS = 10
IDLE_TIMEOUT = 300.0
MAX_FRAME = 64 * 1024


def frame(obj):
    """A reply object as one frame."""
    body = json.dumps(obj, separators=(',', ':')).encode('utf-8')
    return struct.pack('<I', len(body)) + body


async def _read_exact(reader, size, idle_timeout):
    """Exactly ``size`` bytes, or None on end of stream, reset or idle timeout."""
    try:
        return await asyncio.wait_for(reader.readexactly(size), idle_timeout)
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError, OSError):
        return None


def _counted_name(request):
    """Counter name of a request: the command, with ``salt`` reads told apart."""
    cmd = request.get('cmd') if isinstance(request, dict) else None
    if not isinstance(cmd, str) or not cmd:
        return '?'
    if cmd == 'get.device.info' and request.get('param') == 'salt':
        return 'get.device.info salt'
    return cmd


def _shape(miner, cmd, data):
    """Reply faults on a frame: (bytes to send, close afterwards)."""
    if miner.faults.take('garbage', cmd):
        length = miner.faults.random.randint(24, 96)
        return bytes([0x8f]) + bytes(miner.faults.random.randrange(256) for dummy in range(length)), True
    if miner.faults.take('truncated', cmd):
        return data[:max(5, len(data) // 2)], True
    return data, False


async def serve_v3(fleet, miner, reader, writer):
    """Handle one v3 connection of ``miner`` until the client or the miner closes it."""
    peer = writer.get_extra_info('peername')
    client_ip = peer[0] if peer else '127.0.0.1'
    idle = getattr(fleet, 'v3_idle_timeout', IDLE_TIMEOUT)
    restart = None
    counted = False
    with fleet.lock:
        miner.note_connection()
        refuse = miner.down_kind is not None or miner.settings['flavor'] != 'v3'
        if not refuse and fleet.v3_clients.get(miner.slot, 0) >= MAX_CLIENTS:
            LOG.info('%s: v3 client limit (%d) reached, closing', miner.host, MAX_CLIENTS)
            refuse = True
        if not refuse:
            fleet.v3_clients[miner.slot] = fleet.v3_clients.get(miner.slot, 0) + 1
            counted = True
    try:
        if refuse:
            return
        while True:
            head = await _read_exact(reader, 4, idle)
            if head is None:
                return
            length = struct.unpack('<I', head)[0]
            if length == 0:
                continue  # heartbeat
            if length > MAX_FRAME:
                return
            body = await _read_exact(reader, length, idle)
            if body is None:
                return
            try:
                request = json.loads(body.decode('utf-8'))
                if not isinstance(request, dict):
                    raise ValueError('not an object')
            except (UnicodeDecodeError, ValueError):
                await _send(writer, frame(v3.reply(fleet.clock.now(), -1, 'invalid json', '')))
                continue
            cmd = request.get('cmd') if isinstance(request.get('cmd'), str) else None
            with fleet.lock:
                miner.note_request(_counted_name(request), False, bool(cmd and cmd.startswith('set.')))
                down = miner.down_kind is not None
            LOG.debug('%s <- %s v3 %s', miner.host, client_ip, cmd)
            if down or miner.faults.take('btminer_down', cmd):
                return
            with fleet.lock:
                action = v3.respond(miner, request, client_ip, fleet.clock.now())
            if action.applied:
                fleet.save()
            restart = action.restart
            if action.hold:
                await _hold(reader, idle)
                return
            if miner.faults.take('drop', cmd):
                return
            delay = miner.faults.take('delay', cmd)
            if delay:
                await asyncio.sleep(delay.seconds if delay.seconds is not None else DEFAULT_DELAY)
            if action.data is not None:
                data, broken = _shape(miner, cmd, frame(action.data))
                await _send(writer, data)
                if broken:
                    return
            if action.stream == 'logs':
                await asyncio.sleep(0.01)
                await _send(writer, action.payload)
            elif action.stream == 'firmware':
                restart = 'board'
                await _receive_firmware(fleet, miner, reader, writer, b'')
                with fleet.lock:
                    result = miner.settings.get('last_firmware') or {}
                    complete = result.get('expected') is not None and result.get('received') == result.get('expected')
                if complete:
                    final = v3.reply(fleet.clock.now(), 0, 'ok', cmd) if result.get('accepted') or result.get('note') \
                        else v3.reply(fleet.clock.now(), -2, 'invalid param: not a firmware image', cmd)
                    try:
                        await _send(writer, frame(final))
                    except (ConnectionError, OSError):
                        pass
                return
            if restart:
                return
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        pass
    except asyncio.CancelledError:  # the fleet stops while a client keeps its connection open
        pass
    except Exception:  # keep serving other clients whatever one request did
        LOG.exception('%s: unexpected error on v3', miner.host)
    finally:
        if counted:
            with fleet.lock:
                fleet.v3_clients[miner.slot] = max(0, fleet.v3_clients.get(miner.slot, 1) - 1)
        _close(writer)
        if restart:
            fleet.begin_down(miner, restart)


async def _hold(reader, idle_timeout):
    """Say nothing until the client gives up or the idle timeout passes."""
    try:
        while await asyncio.wait_for(reader.read(4096), idle_timeout):
            pass
    except (asyncio.TimeoutError, ConnectionError, OSError):
        pass


# ---------------------------------------------------------------------------------- listeners

async def _listen(fleet, miner, host, port):
    handler = functools.partial(serve_v3, fleet, miner)
    return await asyncio.start_server(handler, host, port, reuse_address=True, backlog=64)


async def start_listeners(fleet):
    """Listen on the shared v3 port at the address of every ``v3`` miner (loop thread)."""
    miners = [miner for miner in fleet.miners if miner.settings['flavor'] == 'v3']
    if not miners:
        return
    requested = int(fleet.requested_v3_port or 0)
    attempts = 8 if requested == 0 else 1
    for attempt in range(attempts):
        servers = {}
        try:
            port = requested
            for miner in miners:
                server = await _listen(fleet, miner, miner.host, port)
                servers[miner.slot] = server
                port = server.sockets[0].getsockname()[1]
        except OSError:
            for server in servers.values():
                server.close()
            if attempt == attempts - 1:
                raise
            continue
        fleet.v3_servers.update(servers)
        fleet.v3_port = port
        LOG.info('%d miners serve API v3 on port %s', len(miners), port)
        return


def stop_listeners(fleet):
    """Close every v3 listener (loop thread)."""
    for server in fleet.v3_servers.values():
        server.close()
    fleet.v3_servers.clear()


async def rebind(fleet, miner, new_ip):
    """After net_config moved ``miner`` to ``new_ip``: listen there instead."""
    old = fleet.v3_servers.get(miner.slot)
    if old is None:
        return
    try:
        fleet.v3_servers[miner.slot] = await _listen(fleet, miner, new_ip, fleet.v3_port)
    except OSError as exc:
        LOG.warning('%s: cannot listen for v3 on %s:%s (%s)', miner.host, new_ip, fleet.v3_port, exc)
        return
    old.close()
