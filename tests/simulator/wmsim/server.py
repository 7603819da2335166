# -*- coding: utf-8 -*-
"""The TCP side of one miner: one command per connection, then close.

Why: clients break on transport details (no terminator, half-open sockets, replies that never
come, uploads on the same socket), so this module does exactly what protocol-notes describes:
read one bare JSON object (10 s idle limit), answer, close; keep the socket open only for
update_firmware (4-byte little-endian length + image, streamed) and download_logs (archive
about 10 ms after the header).  While the board reboots, connections are accepted and closed
at once; while btminer restarts, every command answers ``Socket connect failed``.
"""

from __future__ import annotations

import asyncio
import logging
import struct

from . import render
from .faults import DEFAULT_DELAY
from .firmware import CHUNK, ImageScanner
from .protocol import Request, respond
from .state import flavor_for_version
from .wire import SOCKET_FAILED, BadRequest, ObjectScanner, parse_object

LOG = logging.getLogger('wmsim')


async def read_request(reader, idle_timeout):
    """(request dict, bytes after it) or (None, b'') when the client sent nothing usable."""
    scanner = ObjectScanner()
    while True:
        try:
            chunk = await asyncio.wait_for(reader.read(4096), idle_timeout)
        except asyncio.TimeoutError:
            return None, b''
        if not chunk:
            if bytes(scanner.buffer).strip(b' \t\r\n\0'):
                return parse_object(scanner.buffer), b''
            return None, b''
        end = scanner.feed(chunk)
        if end >= 0:
            return parse_object(scanner.buffer[:end]), bytes(scanner.buffer[end:])


async def _send(writer, data):
    writer.write(data)
    await writer.drain()


def _close(writer):
    try:
        writer.close()
    except (OSError, RuntimeError):
        pass


async def serve_connection(fleet, miner, reader, writer):
    """Handle one accepted connection of ``miner``."""
    peer = writer.get_extra_info('peername')
    client_ip = peer[0] if peer else '127.0.0.1'
    restart = None
    try:
        with fleet.lock:
            miner.note_connection()
            board_down = miner.down_kind == 'board'
        if board_down:
            return
        try:
            raw, rest = await read_request(reader, fleet.idle_timeout)
        except BadRequest:
            await _send(writer, render.error(fleet.clock.now(), 23, 'invalid JSON message').encode('utf-8'))
            return
        if raw is None:
            return
        with fleet.lock:
            request = Request(raw, miner)
            miner.note_request(request.name or '?', request.encrypted, request.is_write)
            down = miner.down_kind is not None
        LOG.debug('%s <- %s %s%s', miner.host, client_ip, request.name, ' (enc)' if request.encrypted else '')
        if down or miner.faults.take('btminer_down', request.name):
            await _send(writer, SOCKET_FAILED)
            return
        with fleet.lock:
            action = respond(miner, request, client_ip, fleet.clock.now())
        if action.applied:
            fleet.save()
        restart = action.restart
        if action.hold:
            await _hold(reader, fleet.idle_timeout)
            return
        if miner.faults.take('drop', request.name):
            return
        delay = miner.faults.take('delay', request.name)
        if delay:
            await asyncio.sleep(delay.seconds if delay.seconds is not None else DEFAULT_DELAY)
        if action.data is not None:
            data = action.data if action.data == SOCKET_FAILED else miner.faults.shape_reply(request.name, action.data)
            await _send(writer, data)
        if action.stream == 'logs':
            await asyncio.sleep(0.01)
            await _send(writer, action.payload)
        elif action.stream == 'firmware':
            restart = 'board'
            await _receive_firmware(fleet, miner, reader, writer, rest)
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        pass
    except Exception:  # keep serving other clients whatever one request did
        LOG.exception('%s: unexpected error', miner.host)
    finally:
        _close(writer)
        if restart:
            fleet.begin_down(miner, restart)


async def _hold(reader, idle_timeout):
    """Say nothing until the client gives up or the idle timeout passes (old firmware)."""
    try:
        while await asyncio.wait_for(reader.read(4096), idle_timeout):
            pass
    except asyncio.TimeoutError:
        pass


async def _read_some(reader, size, idle_timeout):
    """Up to ``size`` bytes; b'' on end of stream, idle timeout or a reset connection."""
    try:
        return await asyncio.wait_for(reader.read(size), idle_timeout)
    except (asyncio.TimeoutError, ConnectionError, OSError):
        return b''


async def _receive_firmware(fleet, miner, reader, writer, rest):
    """Receive ``<4-byte LE length><image>`` after "ready", streaming; then the board reboots."""
    buffer = bytearray(rest)
    while len(buffer) < 4:
        chunk = await _read_some(reader, CHUNK, fleet.idle_timeout)
        if not chunk:
            break
        buffer.extend(chunk)
    scanner = None
    if len(buffer) >= 4:
        size = struct.unpack('<I', bytes(buffer[:4]))[0]
        scanner = ImageScanner(size)
        scanner.feed(bytes(buffer[4:4 + size]))
        del buffer
        interrupt = miner.faults.take('upload_interrupted', 'update_firmware')
        limit = max(1, size // 2)
        while scanner.remaining > 0:
            if interrupt and scanner.received >= limit:
                LOG.info('%s: upload interrupted by fault after %d bytes', miner.host, scanner.received)
                writer.transport.abort()
                break
            chunk = await _read_some(reader, min(CHUNK, scanner.remaining), fleet.idle_timeout)
            if not chunk:
                break
            scanner.feed(chunk)
    with fleet.lock:
        settings = miner.settings
        result = scanner.result() if scanner else {'expected': None, 'received': 0, 'sha256': None,
                                                   'version': None, 'accepted': False}
        old_version = miner.faults.take('boots_old_version', 'update_firmware')
        if result['accepted'] and not old_version:
            settings['firmware_version'] = result['version']
            settings['flavor'] = flavor_for_version(result['version'], settings['flavor'])
        elif result['accepted']:
            result['accepted'] = False
            result['note'] = 'booted back into the old version (fault)'
        settings['last_firmware'] = result
    LOG.info('%s: firmware upload %s', miner.host, result)
    fleet.save()
