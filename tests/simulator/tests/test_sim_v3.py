# -*- coding: utf-8 -*-
"""The v3 flavour: API v3 framing and rules on the v3 port, reduced v2 on the v2 port, one state.

A raw framed client is written here against protocol-notes ("API v3"), independent of the
collection's client, so these tests check the simulator and not one client's habits.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time

import pytest
from Crypto.Cipher import AES

from wmclient import Client  # noqa: E402  pylint: disable=import-error

HOST = '127.0.0.5'


class Framed:
    """A raw v3 connection: 4-byte little-endian length + JSON, both ways."""

    def __init__(self, host, port, timeout=3.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, obj):
        body = json.dumps(obj).encode('utf-8')
        self.sock.sendall(struct.pack('<I', len(body)) + body)

    def recv_exact(self, size):
        data = b''
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise EOFError('closed after %d bytes' % len(data))
            data += chunk
        return data

    def recv(self):
        length = struct.unpack('<I', self.recv_exact(4))[0]
        return json.loads(self.recv_exact(length).decode('utf-8'))

    def call(self, obj):
        self.send(obj)
        return self.recv()

    def closed(self, wait=2.0):
        self.sock.settimeout(wait)
        try:
            return self.sock.recv(1) == b''
        except (ConnectionResetError, socket.timeout):
            return False


def digest(cmd, password, salt, ts):
    return hashlib.sha256(('%s%s%s%s' % (cmd, password, salt, ts)).encode('utf-8')).digest()


def signed(conn, cmd, password='secret', param=None, encrypt=False, ts=None, salt=None):
    salt = salt or conn.call({'cmd': 'get.device.info', 'param': 'salt'})['msg']['salt']
    ts = int(time.time()) if ts is None else ts
    key = digest(cmd, password, salt, ts)
    request = {'cmd': cmd, 'ts': ts, 'account': 'super', 'token': base64.b64encode(key).decode('ascii')[:8]}
    if param is not None:
        if encrypt:
            plain = json.dumps(param).encode('utf-8')
            pad = 16 - len(plain) % 16
            param = base64.b64encode(AES.new(key, AES.MODE_ECB).encrypt(plain + bytes([pad]) * pad)).decode('ascii')
        request['param'] = param
    return conn.call(request)


@pytest.fixture
def v3fleet(make_fleet):
    return make_fleet([HOST], flavor='v3', password='secret', v3_port=0)


def test_token_vector_matches_protocol_notes():
    assert base64.b64encode(digest('set.system.reboot', 'super', 'uhCiDyVj', 1773869570)).decode()[:8] == 'ZIxWqUqH'


def test_reads_share_one_connection_and_skip_heartbeats(v3fleet):
    conn = Framed(HOST, v3fleet.v3_port)
    conn.send_raw(b'\0\0\0\0')
    info = conn.call({'cmd': 'get.device.info'})
    assert info['code'] == 0 and info['desc'] == 'get.device.info'
    assert set(info['msg']) == {'network', 'miner', 'system', 'power', 'salt', 'error-code'}
    assert info['msg']['system']['fwversion'] == v3fleet.miner(HOST).state['firmware_version']
    status = conn.call({'cmd': 'get.miner.status', 'param': 'summary+pools+edevs'})
    assert set(status['msg']) == {'summary', 'pools', 'edevs'}
    assert status['msg']['summary']['hash-average'] < 1000  # TH/s
    assert conn.call({'cmd': 'get.miner.setting'})['msg']['power-mode'] == 'normal'
    assert conn.call({'cmd': 'get.device.info', 'param': 'salt'})['msg'].keys() == {'salt'}
    conn.close()
    assert v3fleet.miner(HOST).counters['connections'] == 1


def test_v2_port_answers_reduced_v2_of_the_same_state(v3fleet):
    miner = v3fleet.miner(HOST)
    version = Client(HOST, v3fleet.port).read('get_version')['Msg']
    assert version['api_ver'].startswith('2.2') and version['fw_ver'] == miner.state['firmware_version']
    conn = Framed(HOST, v3fleet.v3_port)
    assert signed(conn, 'set.miner.fastboot', param='enable')['code'] == 0
    assert Client(HOST, v3fleet.port).read('summary')['Msg']['Btminer Fast Boot'] == 'enable'
    conn.close()


def test_unknown_command_missing_param_and_bad_json(v3fleet):
    conn = Framed(HOST, v3fleet.v3_port)
    assert conn.call({'cmd': 'get.frobnicate'})['code'] == -2
    assert signed(conn, 'set.system.timezone', param={'timezone': 'UTC'})['code'] == -3
    assert signed(conn, 'set.miner.power_mode', param='turbo')['code'] == -2
    body = b'{"cmd": '
    conn.send_raw(struct.pack('<I', len(body)) + body)
    assert conn.recv()['code'] == -1
    conn.close()


def test_token_rules(v3fleet):
    conn = Framed(HOST, v3fleet.v3_port)
    assert signed(conn, 'set.system.led', password='wrong', param='auto')['code'] == -1
    assert signed(conn, 'set.system.led', param='auto', ts=int(time.time()) - 600)['code'] == -1
    assert signed(conn, 'set.system.led', param='auto')['code'] == 0
    v3fleet.advance_clock(3600)
    assert signed(conn, 'set.system.led', param='auto')['code'] == -1, 'ts must follow the miner clock'
    assert signed(conn, 'set.system.led', param='auto', ts=int(v3fleet.clock.now()))['code'] == 0
    conn.close()


def test_no_permission_switch_off_or_factory_password(v3fleet):
    miner = v3fleet.miner(HOST)
    conn = Framed(HOST, v3fleet.v3_port)
    miner.set(write_api=False)
    assert signed(conn, 'set.system.led', param='auto')['code'] == -4
    miner.set(write_api=True, password='super')
    assert signed(conn, 'set.system.led', password='super', param='auto')['code'] == -4
    miner.set(password='secret')
    miner.add_fault('write_off', count=1)
    assert signed(conn, 'set.system.led', param='auto')['code'] == -4
    assert signed(conn, 'set.system.led', param='auto')['code'] == 0
    conn.close()


def test_encrypted_pools_and_password(v3fleet):
    miner = v3fleet.miner(HOST)
    conn = Framed(HOST, v3fleet.v3_port)
    pools = [{'pool': 'stratum+tcp://a.example:3333', 'worker': 'w.1', 'passwd': 'x'}]
    assert signed(conn, 'set.miner.pools', param=pools)['code'] == -2, 'a plaintext param is refused'
    assert signed(conn, 'set.miner.pools', param=pools, encrypt=True)['code'] == 0
    assert [p['url'] for p in miner.state['pools']] == ['stratum+tcp://a.example:3333', '', '']
    listed = conn.call({'cmd': 'get.miner.status', 'param': 'pools'})['msg']['pools']
    assert listed[0]['url'] == 'stratum+tcp://a.example:3333' and listed[0]['account'] == 'w.1'
    change = {'account': 'super', 'old': 'secret', 'new': 'n3w_pw'}
    assert signed(conn, 'set.user.change_passwd', param=change, encrypt=True)['code'] == 0
    assert miner.state['password'] == 'n3w_pw'
    assert signed(conn, 'set.system.led', param='auto')['code'] == -1
    assert signed(conn, 'set.system.led', password='n3w_pw', param='auto')['code'] == 0
    conn.close()


def test_restarting_write_closes_then_miner_is_down(v3fleet):
    miner = v3fleet.miner(HOST)
    conn = Framed(HOST, v3fleet.v3_port)
    salt = conn.call({'cmd': 'get.device.info', 'param': 'salt'})['msg']['salt']
    ts = int(time.time())
    key = digest('set.miner.power_mode', 'secret', salt, ts)
    conn.send({'cmd': 'set.miner.power_mode', 'param': 'low', 'ts': ts, 'account': 'super',
               'token': base64.b64encode(key).decode()[:8]})
    assert conn.closed()
    assert miner.state['power_mode'] == 'Low'
    assert miner.down == 'btminer'
    during = Framed(HOST, v3fleet.v3_port)
    assert during.closed(), 'a restarting miner closes v3 connections'
    deadline = time.monotonic() + 5
    while miner.down and time.monotonic() < deadline:
        time.sleep(0.05)
    after = Framed(HOST, v3fleet.v3_port)
    assert after.call({'cmd': 'get.miner.setting'})['msg']['power-mode'] == 'low'
    after.close()


def test_at_most_ten_clients(v3fleet):
    conns = [Framed(HOST, v3fleet.v3_port) for dummy in range(10)]
    for conn in conns:
        assert conn.call({'cmd': 'get.miner.setting'})['code'] == 0
    eleventh = Framed(HOST, v3fleet.v3_port)
    assert eleventh.closed()
    conns[0].close()
    time.sleep(0.2)
    again = Framed(HOST, v3fleet.v3_port)
    assert again.call({'cmd': 'get.miner.setting'})['code'] == 0
    for conn in conns[1:] + [again]:
        conn.close()


def test_idle_connection_closed(v3fleet):
    v3fleet.v3_idle_timeout = 0.3
    conn = Framed(HOST, v3fleet.v3_port)
    assert conn.call({'cmd': 'get.miner.setting'})['code'] == 0
    time.sleep(0.6)
    assert conn.closed()


def test_reply_faults(v3fleet):
    miner = v3fleet.miner(HOST)
    miner.add_fault('drop', commands=['get.miner.setting'], count=1)
    conn = Framed(HOST, v3fleet.v3_port)
    conn.send({'cmd': 'get.miner.setting'})
    assert conn.closed()
    miner.add_fault('truncated', count=1)
    conn = Framed(HOST, v3fleet.v3_port)
    conn.send({'cmd': 'get.device.info'})
    with pytest.raises(EOFError):
        conn.recv()


def test_logs_and_firmware_streams(v3fleet, tmp_path):
    from wmsim.firmware import write_image  # pylint: disable=import-outside-toplevel
    conn = Framed(HOST, v3fleet.v3_port)
    head = conn.call({'cmd': 'get.log.download'})
    size = int(head['msg']['logsize'])
    assert conn.recv_exact(size)[:2] == b'\x1f\x8b'
    image = tmp_path / 'fw.bin'
    write_image(str(image), '20250901.02.Rel', 200 * 1024)
    assert signed(conn, 'set.system.update_firmware')['msg'] == 'ready'
    data = image.read_bytes()
    conn.send_raw(struct.pack('<I', len(data)) + data)
    assert conn.recv()['code'] == 0
    assert conn.closed()
    miner = v3fleet.miner(HOST)
    deadline = time.monotonic() + 5
    while miner.down and time.monotonic() < deadline:
        time.sleep(0.05)
    assert miner.state['firmware_version'] == '20250901.02.Rel' and miner.flavor == 'v3'


def test_other_flavours_have_no_v3_listener(make_fleet):
    fleet = make_fleet(['127.0.0.6', '127.0.0.7'], flavor={'127.0.0.6': '2025', '127.0.0.7': 'v3'}, v3_port=0)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(('127.0.0.6', fleet.v3_port), timeout=2)
    assert make_fleet(['127.0.0.8'], flavor='2022').v3_port is None


def test_cli_mixed_v3_ready_file_names_the_v3_port(tmp_path):
    script = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'run_simulator.py')
    ready = tmp_path / 'ready.json'
    process = subprocess.Popen([sys.executable, script, '--hosts', '127.0.4.2-127.0.4.4', '--port', '0',
                                '--flavor', 'mixed-v3', '--v3-port', '0', '--ready-file', str(ready)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while not ready.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        assert info['flavors'] == {'127.0.4.2': '2022', '127.0.4.3': '2025', '127.0.4.4': 'v3'}
        conn = Framed('127.0.4.4', info['v3_port'])
        assert conn.call({'cmd': 'get.device.info', 'param': 'system'})['msg']['system']['api'].startswith('3.')
        conn.close()
    finally:
        process.terminate()
        process.wait(10)
