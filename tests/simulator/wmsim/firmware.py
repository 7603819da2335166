# -*- coding: utf-8 -*-
"""Simulated firmware images: how they declare their version, and how an upload is checked.

Why: update_firmware must be testable end to end without real images.  A simulated image is
any file that starts with the line ``WHATSMINER-SIM-FIRMWARE version=<fw_ver>\\n``; the rest is
arbitrary bytes.  The miner streams the upload through ImageScanner (hash and header scan as the
bytes arrive), so a 100 MB image never sits in memory.  A short upload or an image without the
header is rejected and the miner boots back into its old version.
"""

from __future__ import annotations

import hashlib
import re
import struct

MAGIC = b'WHATSMINER-SIM-FIRMWARE '
HEADER_RE = re.compile(rb'^WHATSMINER-SIM-FIRMWARE version=([0-9A-Za-z._-]{1,64})\n')
MAX_HEADER = 256
CHUNK = 64 * 1024


def image_header(version):
    """The first line of a simulated image declaring ``version``."""
    return b'WHATSMINER-SIM-FIRMWARE version=' + version.encode('ascii') + b'\n'


def write_image(path, version, size_bytes, header=True):
    """Create a simulated image of ``size_bytes`` bytes (at least its header) at ``path``.

    ``version=None`` or ``header=False`` writes an image without the header (one a miner rejects).
    Returns the path.
    """
    head = image_header(version) if header and version else b'NOT-A-WHATSMINER-IMAGE\n'
    size_bytes = max(int(size_bytes), len(head))
    pattern = hashlib.sha256(head).digest() * (CHUNK // 32)
    with open(path, 'wb') as stream:
        stream.write(head)
        remaining = size_bytes - len(head)
        while remaining > 0:
            piece = pattern[:min(remaining, len(pattern))]
            stream.write(piece)
            remaining -= len(piece)
    return path


def length_prefix(size):
    """The 4-byte little-endian length that precedes an image on the wire."""
    return struct.pack('<I', size)


class ImageScanner:
    """Consumes an upload chunk by chunk: size, SHA-256 and the version header."""

    def __init__(self, expected):
        self.expected = int(expected)
        self.received = 0
        self._hash = hashlib.sha256()
        self._head = b''
        self._version = None
        self._head_done = False

    def feed(self, chunk):
        """Account for the next piece of the image."""
        self.received += len(chunk)
        self._hash.update(chunk)
        if not self._head_done:
            self._head += chunk[:MAX_HEADER]
            if b'\n' in self._head or len(self._head) >= MAX_HEADER:
                self._head_done = True
                match = HEADER_RE.match(self._head)
                self._version = match.group(1).decode('ascii') if match else None
                self._head = b''

    @property
    def remaining(self):
        """Bytes still expected."""
        return max(0, self.expected - self.received)

    @property
    def complete(self):
        """True when exactly the announced number of bytes arrived."""
        return self.received == self.expected

    @property
    def version(self):
        """The declared version when the image is complete and well formed, else None."""
        return self._version if self.complete else None

    def result(self):
        """Summary of the upload (stored in the miner's state as ``last_firmware``)."""
        return {
            'expected': self.expected,
            'received': self.received,
            'sha256': self._hash.hexdigest(),
            'version': self._version,
            'accepted': self.version is not None,
        }
