# -*- coding: utf-8 -*-
"""Framing of a request on the wire: one bare JSON object, no length, no terminator.

Why: clients send ``{"cmd": ...}`` and then wait for the reply without closing their side, so
the miner must notice the end of the object itself, by tracking braces and strings as bytes
arrive.  Bytes after the object (the firmware image after update_firmware) are kept.
"""

from __future__ import annotations

import json

MAX_REQUEST = 64 * 1024
SOCKET_FAILED = b'Socket connect failed: Connection refused'


class BadRequest(Exception):
    """The bytes received are not (and cannot become) one JSON object."""


class ObjectScanner:
    """Incremental scanner for the end of the first top-level JSON object in a byte stream."""

    def __init__(self):
        self.buffer = bytearray()
        self._pos = 0
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._started = False

    def feed(self, data):
        """Add bytes; return the end offset (exclusive) of the object once complete, else -1."""
        self.buffer.extend(data)
        if len(self.buffer) > MAX_REQUEST:
            raise BadRequest('request too long')
        buf = self.buffer
        while self._pos < len(buf):
            byte = buf[self._pos]
            self._pos += 1
            if not self._started:
                if byte in b' \t\r\n\0':
                    continue
                if byte != ord('{'):
                    raise BadRequest('request does not start with {')
                self._started = True
                self._depth = 1
                continue
            if self._in_string:
                if self._escape:
                    self._escape = False
                elif byte == ord('\\'):
                    self._escape = True
                elif byte == ord('"'):
                    self._in_string = False
                continue
            if byte == ord('"'):
                self._in_string = True
            elif byte == ord('{'):
                self._depth += 1
            elif byte == ord('}'):
                self._depth -= 1
                if self._depth == 0:
                    return self._pos
        return -1


def parse_object(data):
    """Parse request bytes into a dict; raise BadRequest otherwise."""
    try:
        value = json.loads(bytes(data).decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(str(exc)) from exc
    if not isinstance(value, dict):
        raise BadRequest('request is not a JSON object')
    return value
