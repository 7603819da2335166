# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TCP exchanges with a miner's API port (v2: one command per connection).

Why explicit deadlines: a miner that is rebooting, overloaded or behind a flaky switch must
never hang a play. Every exchange has three deadlines (connect, first byte, total) and the
error says which one passed. Replies are read to EOF, never a fixed number of bytes.

The streaming helpers keep the socket open after the JSON reply, as ``update_firmware``
(upload) and ``download_logs`` (download) need, and move data in chunks so that a 100 MB
image or log archive is never held in memory.
"""

from __future__ import annotations

import errno
import os
import socket
import time

from ._errors import ClosedError, ConnectError, DeadlineError

CHUNK = 64 * 1024


class Deadlines:
    """Seconds allowed for each phase of one exchange."""

    __slots__ = ('connect', 'first_byte', 'total')

    def __init__(self, connect=5.0, first_byte=10.0, total=30.0):
        self.connect = float(connect)
        self.first_byte = float(first_byte)
        self.total = float(total)

    @classmethod
    def from_timeout(cls, timeout):
        """One user-facing ``timeout`` (seconds) becomes the three deadlines."""
        timeout = float(timeout)
        return cls(connect=min(timeout, 5.0), first_byte=timeout, total=max(timeout * 3, timeout + 5.0))


def _connect(host, port, deadlines, source=None):
    try:
        return socket.create_connection((host, port), timeout=deadlines.connect,
                                        source_address=(source, 0) if source else None)
    except socket.timeout as exc:
        raise DeadlineError('no TCP connection within %.1fs' % deadlines.connect, phase='connect',
                            miner='%s:%s' % (host, port)) from exc
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        if exc.errno == errno.ECONNREFUSED:
            reason = 'connection refused'
        raise ConnectError('cannot connect: %s' % reason, miner='%s:%s' % (host, port),
                           hint=ConnectError.port_hint.format(port=port)) from exc


class DeadlineSocket:
    """What both API transports do with one socket: send within the first-byte deadline,
    receive within the deadline of the current phase, stream a file out.

    ``started`` and ``received`` mark the current exchange (v2: the connection; v3: each
    request): before the first byte the ``first_byte`` deadline applies, after it ``total``.
    ``_lost()`` runs before any error on the socket is raised (v3 drops its reusable
    connection there; a v2 connection is closed by its caller).
    """

    def __init__(self, miner, deadlines):
        self.miner = miner
        self.deadlines = deadlines
        self.sock = None
        self.started = time.monotonic()
        self.received = 0

    def _lost(self):
        """Hook: the socket failed (deadline, reset, interrupted upload)."""

    def send(self, payload):
        try:
            self.sock.settimeout(self.deadlines.first_byte)
            self.sock.sendall(payload)
        except socket.timeout as exc:
            self._lost()
            raise DeadlineError('sending the request took longer than %.1fs' % self.deadlines.first_byte,
                                phase='send', miner=self.miner) from exc
        except OSError as exc:
            self._lost()
            raise ClosedError('connection lost while sending: %s' % exc, miner=self.miner) from exc

    def _recv(self, size):
        """One recv() bounded by the deadline of the current phase; b'' at EOF. A reset
        counts as EOF: a miner restarting its API resets connections instead of closing them,
        and what was received so far decides (a lost reply, a truncated one)."""
        elapsed = time.monotonic() - self.started
        if self.received == 0:
            budget, phase = self.deadlines.first_byte - elapsed, 'first_byte'
        else:
            budget, phase = self.deadlines.total - elapsed, 'total'
        if budget <= 0:
            self._lost()
            raise self._deadline(phase)
        self.sock.settimeout(budget)
        try:
            data = self.sock.recv(size)
        except socket.timeout as exc:
            self._lost()
            raise self._deadline(phase) from exc
        except ConnectionResetError:
            data = b''
        except OSError as exc:
            self._lost()
            raise ClosedError('connection lost while reading: %s' % exc, miner=self.miner) from exc
        self.received += len(data)
        return data

    def _deadline(self, phase):
        if phase == 'first_byte':
            text = 'no reply within %.1fs' % self.deadlines.first_byte
        else:
            text = 'reply not complete within %.1fs' % self.deadlines.total
        return DeadlineError(text, phase=phase, miner=self.miner)

    def send_file(self, path, progress=None):
        """Stream a file: 4-byte little-endian size, then its bytes, in chunks (each chunk
        within the ``total`` deadline); ``progress(sent, size)`` after each."""
        size = os.path.getsize(path)
        self.send(size.to_bytes(4, 'little'))
        sent = 0
        with open(path, 'rb') as handle:
            while True:
                chunk = handle.read(CHUNK)
                if not chunk:
                    break
                self.sock.settimeout(self.deadlines.total)
                try:
                    self.sock.sendall(chunk)
                except (socket.timeout, OSError) as exc:
                    self._lost()
                    raise ClosedError('upload interrupted after %d of %d bytes: %s' % (sent, size, exc),
                                      miner=self.miner) from exc
                sent += len(chunk)
                if progress:
                    progress(sent, size)
        return sent


class Connection(DeadlineSocket):
    """One open TCP connection to a miner's API v2 port, with the deadlines of its exchange."""

    def __init__(self, host, port, deadlines, source=None):
        super().__init__('%s:%s' % (host, port), deadlines)
        self.sock = _connect(host, port, deadlines, source)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def read_to_eof(self):
        """Everything the miner sends until it closes the connection."""
        chunks = []
        while True:
            data = self._recv(CHUNK)
            if not data:
                return b''.join(chunks)
            chunks.append(data)

    def read_json_object(self):
        """Read exactly one JSON object, keeping the socket open.

        Returns ``(object_bytes, leftover)``: what followed the object in the same
        segment (download_logs may send header and data together).
        """
        buf = b''
        scanner = _ObjectScanner()
        while True:
            data = self._recv(CHUNK)
            if not data:
                if not buf.strip(b'\0\r\n '):
                    raise ClosedError('connection closed without a reply', miner=self.miner)
                return buf, b''
            end = scanner.feed(data, len(buf))
            buf += data
            if end is not None:
                return buf[:end], buf[end:]

    def recv_to_file(self, handle, length, leftover=b''):
        """Write exactly ``length`` bytes (starting with ``leftover``) to an open file."""
        got = 0
        if leftover:
            part = leftover[:length]
            handle.write(part)
            got = len(part)
        self.received = max(self.received, 1)
        while got < length:
            data = self._recv(min(CHUNK, length - got))
            if not data:
                raise ClosedError('download ended after %d of %d bytes' % (got, length), miner=self.miner)
            handle.write(data)
            got += len(data)
        return got


class _ObjectScanner:
    """Finds where the first top-level JSON object ends in a byte stream."""

    def __init__(self):
        self.depth = 0
        self.in_string = False
        self.escaped = False
        self.started = False

    def feed(self, data, offset):
        for index, byte in enumerate(data):
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif byte == 0x5C:  # backslash
                    self.escaped = True
                elif byte == 0x22:
                    self.in_string = False
                continue
            if byte == 0x22:
                self.in_string = True
            elif byte == 0x7B:  # {
                self.depth += 1
                self.started = True
            elif byte == 0x7D:  # }
                self.depth -= 1
                if self.started and self.depth == 0:
                    return offset + index + 1
        return None


def exchange(host, port, payload, deadlines, source=None):
    """Send one request on a new connection and return every byte of the reply."""
    with Connection(host, port, deadlines, source) as conn:
        conn.send(payload)
        return conn.read_to_eof()
