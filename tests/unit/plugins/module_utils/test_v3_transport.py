# -*- coding: utf-8 -*-
"""API v3 framing over real sockets: heartbeats, one connection for many requests, a
connection the miner closed while idle, garbage lengths, deadlines, refused ports."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _errors as e
from ansible_collections.minerops.whatsminer.plugins.module_utils._transport import Deadlines
from ansible_collections.minerops.whatsminer.plugins.module_utils._transport_v3 import FrameConnection, frame


class FramedServer:
    """A one-thread framed echo server; ``mode`` changes what it does."""

    def __init__(self, mode='echo'):
        self.mode = mode
        self.accepted = 0
        self.requests = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def close(self):
        self.stop = True
        self.sock.close()

    @staticmethod
    def recv_exact(conn, size):
        data = b''
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def serve(self):
        while not self.stop:
            try:
                conn, _peer = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            with conn:
                self.handle(conn)

    def handle(self, conn):
        while True:
            head = self.recv_exact(conn, 4)
            if head is None:
                return
            body = self.recv_exact(conn, struct.unpack('<I', head)[0])
            request = json.loads(body)
            self.requests.append(request)
            if self.mode == 'silent':
                time.sleep(1.0)
                return
            if self.mode == 'huge':
                conn.sendall(struct.pack('<I', 0x7fffffff))
                return
            reply = {'code': 0, 'when': 1, 'msg': request, 'desc': request['cmd']}
            conn.sendall(b'\0\0\0\0' + frame(json.dumps(reply).encode()))
            if self.mode == 'one_per_connection':
                return


@pytest.fixture
def server(request):
    srv = FramedServer(getattr(request, 'param', 'echo'))
    yield srv
    srv.close()


def conn_to(server, timeout=2.0):
    return FrameConnection('127.0.0.1', server.port, Deadlines.from_timeout(timeout))


def test_one_connection_for_many_requests_and_heartbeats_skipped(server):
    conn = conn_to(server)
    for index in range(3):
        reply = json.loads(conn.exchange(json.dumps({'cmd': 'get.x', 'n': index}).encode()))
        assert reply['msg']['n'] == index
    assert server.accepted == 1 and conn.opened == 1 and conn.reused
    conn.close()


@pytest.mark.parametrize('server', ['one_per_connection'], indirect=True)
def test_connection_closed_by_the_miner_is_replaced_before_sending(server):
    conn = conn_to(server)
    conn.exchange(b'{"cmd": "get.a"}')
    time.sleep(0.1)
    reply = json.loads(conn.exchange(b'{"cmd": "get.b"}'))
    assert reply['desc'] == 'get.b'
    assert server.accepted == 2 and not conn.reused
    conn.close()


@pytest.mark.parametrize('server', ['huge'], indirect=True)
def test_garbage_length_is_a_protocol_error(server):
    with pytest.raises(e.ProtocolError) as err:
        conn_to(server).exchange(b'{"cmd": "get.a"}')
    assert 'not an API v3 reply' in str(err.value)


@pytest.mark.parametrize('server', ['silent'], indirect=True)
def test_silence_is_a_first_byte_deadline(server):
    started = time.monotonic()
    with pytest.raises(e.DeadlineError) as err:
        conn_to(server, timeout=0.3).exchange(b'{"cmd": "get.a"}')
    assert err.value.phase == 'first_byte' and time.monotonic() - started < 1.5


def test_refused_port_names_api_v3():
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(e.ConnectError) as err:
        FrameConnection('127.0.0.1', port, Deadlines.from_timeout(1)).exchange(b'{"cmd": "get.a"}')
    assert 'API v3' in str(err.value) and 'api_version: v2' in str(err.value)
