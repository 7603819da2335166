# -*- coding: utf-8 -*-
"""A minimal test client for the simulator, written against protocol-notes.

It reuses the collection's primitives (through wmsim.primitives) for keys and envelopes and
otherwise talks raw sockets, so tests can look at the exact bytes a miner sends.
"""

from __future__ import annotations

import json
import socket
import struct
import time

from wmsim.primitives import aes_key, derive_key, derive_sign, open_reply_text, seal_request


def connect(host, port, source=None, timeout=5.0):
    """A connected socket, optionally from a given source address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    if source:
        sock.bind((source, 0))
    sock.connect((host, port))
    return sock


def read_all(sock):
    """Everything until the miner closes the connection."""
    data = b''
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def exchange(host, port, payload, source=None, timeout=5.0):
    """Send one request (dict or bytes) and return the raw reply bytes."""
    if isinstance(payload, dict):
        payload = json.dumps(payload).encode('utf-8')
    with connect(host, port, source, timeout) as sock:
        sock.sendall(payload)
        return read_all(sock)


def read_json_object(sock, buffer=b''):
    """Read until the first JSON object is complete on an open socket; (object, rest)."""
    decoder = json.JSONDecoder()
    while True:
        text = buffer.decode('utf-8', errors='replace')
        end = text.find('}')
        if end >= 0:
            try:
                obj, index = decoder.raw_decode(text)
                return obj, buffer[len(text[:index].encode('utf-8')):]
            except ValueError:
                pass
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError('closed before a complete JSON object: %r' % buffer)
        buffer += chunk


class Client:
    """One client IP talking to one miner."""

    def __init__(self, host, port, password='secret', source=None, timeout=5.0):
        self.host = host
        self.port = port
        self.password = password
        self.source = source
        self.timeout = timeout
        self.sign = None
        self.aeskey = None

    def raw(self, payload, timeout=None):
        """Raw reply bytes."""
        return exchange(self.host, self.port, payload, self.source, timeout or self.timeout)

    def read(self, cmd, **params):
        """A plaintext read, parsed."""
        request = {'cmd': cmd}
        request.update(params)
        return json.loads(self.raw(request))

    def get_token(self):
        """The parsed get_token reply."""
        return json.loads(self.raw({'cmd': 'get_token'}))

    def login(self):
        """Fetch a token and derive sign and AES key; returns the get_token reply."""
        reply = self.get_token()
        if reply.get('Code') != 134:
            raise RuntimeError('get_token failed: %r' % reply)
        msg = reply['Msg']
        key = derive_key(self.password, msg['salt'])
        self.sign = derive_sign(key, msg['time'], msg['newsalt'])
        self.aeskey = aes_key(key)
        return reply

    def sealed(self, cmd, **params):
        """Bytes of an encrypted request (logs in first if needed)."""
        if self.sign is None:
            self.login()
        request = {'cmd': cmd, 'token': self.sign}
        request.update(params)
        return seal_request(self.aeskey, request)

    def decode(self, data):
        """Parse a reply, decrypting it when it is an ``{"enc": ...}`` envelope."""
        reply = json.loads(data)
        if 'enc' in reply:
            return json.loads(open_reply_text(self.aeskey, reply['enc']))
        return reply

    def write_raw(self, cmd, **params):
        """Raw reply bytes of an encrypted command."""
        return self.raw(self.sealed(cmd, **params))

    def write(self, cmd, **params):
        """An encrypted command; the reply parsed (decrypted when encrypted)."""
        return self.decode(self.write_raw(cmd, **params))

    def upload_firmware(self, image_path=None, data=None, declared=None, close_after=None, half_close=False):
        """update_firmware: returns (ready reply, bytes received after the upload)."""
        with connect(self.host, self.port, self.source, self.timeout) as sock:
            sock.sendall(self.sealed('update_firmware'))
            ready, rest = read_json_object(sock)
            ready = self.decode(json.dumps(ready))
            if image_path:
                with open(image_path, 'rb') as stream:
                    size = stream.seek(0, 2)
                    stream.seek(0)
                    sock.sendall(struct.pack('<I', declared if declared is not None else size))
                    sent = 0
                    while True:
                        piece = stream.read(1 << 20)
                        if not piece:
                            break
                        if close_after is not None and sent + len(piece) > close_after:
                            piece = piece[:close_after - sent]
                        try:
                            sock.sendall(piece)
                        except (BrokenPipeError, ConnectionResetError):
                            break
                        sent += len(piece)
                        if close_after is not None and sent >= close_after:
                            break
            elif data is not None:
                sock.sendall(struct.pack('<I', declared if declared is not None else len(data)) + data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
            if close_after is not None:
                return ready, rest
            return ready, rest + read_all(sock)

    def download_logs(self):
        """download_logs: returns (header reply, archive bytes)."""
        with connect(self.host, self.port, self.source, self.timeout) as sock:
            sock.sendall(self.sealed('download_logs'))
            header, rest = read_json_object(sock)
            header = self.decode(json.dumps(header))
            return header, rest + read_all(sock)


def wait_until(predicate, timeout=5.0, interval=0.05):
    """Poll ``predicate`` until it is true; returns its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
