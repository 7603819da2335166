# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TCP framing of the WhatsMiner API v3 (port 4433): length-prefixed JSON, one connection
for many requests.

Why a file of its own: v3 frames every message in both directions as a 4-byte little-endian
length followed by that many bytes of JSON, and one connection carries many requests (the
miner serves at most 10 clients and closes a connection idle for 300 s). A task therefore
opens one connection and reuses it for all its requests, instead of one per command as v2
needs. Four zero bytes are a heartbeat, never a reply: they are skipped.

Deadlines are those of ``_transport.Connection``, applied per request: ``connect`` for the
TCP connection, ``first_byte`` from sending a request to the first byte of its reply frame,
``total`` for the whole reply. A reused connection that the miner has closed meanwhile (idle
limit, restart) is noticed before sending and replaced by a new one.
"""

from __future__ import annotations

import select
import socket
import struct
import time

from ._errors import ClosedError, ConnectError, ProtocolError
from ._transport import CHUNK, DeadlineSocket, _connect

#: Largest reply frame accepted (a full get.device.info is a few kB; garbage lengths are not).
MAX_FRAME = 8 * 1024 * 1024
HEARTBEAT = b'\0\0\0\0'
V3_CONNECT_HINT = ('Check that the miner is powered, on the network and that TCP port %s (API v3) is '
                   'reachable from the controller, or set api_version: v2 for firmware without API v3')


def frame(payload):
    """``payload`` bytes with their 4-byte little-endian length in front."""
    return struct.pack('<I', len(payload)) + payload


class FrameConnection(DeadlineSocket):
    """A reusable connection to one miner's API v3 port.

    ``exchange(payload)`` sends one request frame and returns the bytes of the next reply
    frame; ``read_frame()`` reads one more frame (replies of streams). ``reused`` tells
    whether the request went out on a connection that had already carried an exchange (its
    loss without a reply may just be the miner's idle close).
    """

    def __init__(self, host, port, deadlines, source=None):
        super().__init__('%s:%s' % (host, int(port)), deadlines)
        self.host = host
        self.port = int(port)
        self.source = source
        self.exchanges = 0
        self.reused = False
        self.opened = 0

    # -- life cycle -------------------------------------------------------------------------
    @property
    def is_open(self):
        return self.sock is not None

    def open(self):
        """Connect when not connected; returns the socket."""
        if self.sock is None:
            try:
                self.sock = _connect(self.host, self.port, self.deadlines, self.source)
            except ConnectError as exc:
                exc.hint = V3_CONNECT_HINT % self.port
                raise
            self.opened += 1
            self.exchanges = 0
        return self.sock

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None
            self.exchanges = 0

    def _lost(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def peer_closed(self):
        """True when the miner has closed this (idle) connection; drains heartbeats."""
        if self.sock is None:
            return True
        while True:
            try:
                readable, _w, _x = select.select([self.sock], [], [], 0)
            except (OSError, ValueError):
                return True
            if not readable:
                return False
            try:
                peeked = self.sock.recv(len(HEARTBEAT), socket.MSG_PEEK)
            except OSError:
                return True
            if not peeked:
                return True
            if peeked != HEARTBEAT:
                return False  # a frame is waiting: the connection is alive
            self.sock.recv(len(HEARTBEAT))

    # -- frames -----------------------------------------------------------------------------
    def exchange(self, payload):
        """Send one request (JSON bytes, unframed) and return the JSON bytes of its reply."""
        if self.sock is not None and self.peer_closed():
            self.close()
        self.open()
        self.reused = self.exchanges > 0
        self.send(frame(payload))
        self.exchanges += 1
        return self.read_frame()

    def read_frame(self):
        """The next non-heartbeat frame, within the deadlines of the current request."""
        self.started = time.monotonic()
        self.received = 0
        while True:
            head = self._recv_exact(4)
            length = struct.unpack('<I', head)[0]
            if length == 0:
                continue  # heartbeat
            if length > MAX_FRAME:
                self.close()
                raise ProtocolError('reply frame announces %d bytes: not an API v3 reply' % length,
                                    miner=self.miner,
                                    hint='Something other than the WhatsMiner API v3 answers on this port')
            return self._recv_exact(length)

    def _recv_exact(self, size):
        data = bytearray()
        while len(data) < size:
            chunk = self._recv(min(CHUNK, size - len(data)))
            if not chunk:
                got = self.received
                self.close()
                if got == 0:
                    raise ClosedError('connection closed without a reply', miner=self.miner)
                raise ClosedError('connection closed after %d bytes of a reply' % got, miner=self.miner)
            data.extend(chunk)
        return bytes(data)

    # -- streams ----------------------------------------------------------------------------
    def recv_to_file(self, handle, length):
        """Write exactly ``length`` raw bytes that follow a frame to an open file."""
        self.started = time.monotonic()
        self.received = 1  # the header frame already arrived: only the total deadline applies
        got = 0
        while got < length:
            chunk = self._recv_exact(min(CHUNK, length - got))
            handle.write(chunk)
            got += len(chunk)
        return got
