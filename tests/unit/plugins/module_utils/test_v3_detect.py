# -*- coding: utf-8 -*-
"""Choosing API v2 or v3 per miner: firmware dates, the probe, the private cache, lazy
detection (a task that contacts no miner probes nothing) and the client factory."""

from __future__ import annotations

import json
import os
import socket
import stat
import struct

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _detect as d
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import V2Client
from ansible_collections.minerops.whatsminer.plugins.module_utils._client_v3 import V3Client
from ansible_collections.minerops.whatsminer.plugins.module_utils._transport_v3 import frame
from ansible_collections.minerops.whatsminer.plugins.module_utils._v3_map import api_from_version
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import CONNECTION_SPEC, engine_from_params

from .test_v3_transport import FramedServer


class SaltServer(FramedServer):
    """Answers get.device.info salt like a v3 miner."""

    def handle(self, conn):
        while True:
            head = self.recv_exact(conn, 4)
            if head is None:
                return
            request = json.loads(self.recv_exact(conn, struct.unpack('<I', head)[0]))
            self.requests.append(request)
            reply = {'code': 0, 'when': 1, 'msg': {'salt': 'abcDEF12'}, 'desc': request['cmd']}
            conn.sendall(frame(json.dumps(reply).encode()))


def free_port():
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.mark.parametrize('msg, api', [
    ({'api_ver': '2.0.5', 'fw_ver': '20220125.13.Rel'}, 'v2'),
    ({'api_ver': '2.2.1', 'fw_ver': '20250214.16.Rel'}, 'v3'),
    ({'fw_ver': '20241101.01.Rel'}, 'v3'),
    ({'fw_ver': '20241031.99.Rel'}, 'v2'),
    ({'api_ver': '2.2.0', 'fw_ver': 'custom'}, 'v3'),
    ({'api_ver': '2.0.4'}, 'v2'),
    ({}, None),
    (None, None),
])
def test_firmware_date_decides(msg, api):
    assert api_from_version(msg) == api


def test_spec_has_the_two_options():
    assert CONNECTION_SPEC['api_version'] == {'type': 'str', 'default': 'auto', 'choices': ['auto', 'v2', 'v3']}
    assert CONNECTION_SPEC['v3_port'] == {'type': 'int', 'default': 4433}


def test_cache_is_private_and_expires(tmp_path):
    now = [1000.0]
    cache = d.ApiCache(str(tmp_path / 'api'), clock=lambda: now[0])
    key = cache.key('10.0.0.1', 4028, 4433)
    cache.put(key, 'v3', 'probe', salt='abcDEF12')
    assert stat.S_IMODE(os.stat(str(tmp_path / 'api')).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(cache._path(key)).st_mode) == 0o600  # pylint: disable=protected-access
    assert cache.get(key)['salt'] == 'abcDEF12'
    now[0] += d.CACHE_TTL
    assert cache.get(key) is None
    cache.put(key, 'v2', 'timeout', ttl=d.UNSURE_TTL)
    now[0] += d.UNSURE_TTL - 1
    assert cache.get(key)['api'] == 'v2'
    cache.remember_salt(key, 'zzz')
    assert 'salt' not in cache.get(key), 'a v2 entry keeps no salt'


def test_refused_v3_port_is_v2_for_long_only_on_old_firmware(tmp_path):
    now = [1000.0]
    cache = d.ApiCache(str(tmp_path / 'api'), clock=lambda: now[0])
    v3_port = free_port()
    old_firmware = {'fw_ver': '20220125.13.Rel', 'api_ver': '2.0.5'}
    old = d.detect('127.0.0.1', 4028, v3_port, timeout=1, cache=cache, version=old_firmware)
    assert old.api == 'v2'
    assert cache.get(cache.key('127.0.0.1', 4028, v3_port))['ttl'] == d.CACHE_TTL
    new = d.detect('127.0.0.2', 4028, v3_port, timeout=1, cache=cache, version={'fw_ver': '20250214.16.Rel'})
    assert new.api == 'v2' and 'refused' in new.reason and 'should serve API v3' in new.reason
    assert cache.get(cache.key('127.0.0.2', 4028, v3_port))['ttl'] == d.UNSURE_TTL
    v2_port = free_port()
    down = d.detect('127.0.0.3', v2_port, v3_port, timeout=1, cache=cache)
    assert down.api == 'v2' and cache.get(cache.key('127.0.0.3', v2_port, v3_port))['ttl'] == d.UNSURE_TTL


class VersionServer(FramedServer):
    """A v2 port: one JSON request per connection, get_version answered, then close."""

    fw_ver = '20220125.13.Rel'

    def handle(self, conn):
        self.requests.append(conn.recv(4096))
        msg = {'api_ver': '2.0.5' if self.fw_ver < '2024' else '2.2.1', 'fw_ver': self.fw_ver}
        conn.sendall(json.dumps({'STATUS': 'S', 'When': 1, 'Code': 131, 'Msg': msg, 'Description': ''}).encode())


@pytest.mark.parametrize('fw_ver, ttl', [('20220125.13.Rel', d.CACHE_TTL), ('20250214.16.Rel', d.UNSURE_TTL)])
def test_refused_probe_asks_the_v2_port_for_the_firmware(tmp_path, fw_ver, ttl):
    server = VersionServer()
    server.fw_ver = fw_ver
    try:
        cache = d.ApiCache(str(tmp_path / 'api'))
        v3_port = free_port()
        assert d.detect('127.0.0.1', server.port, v3_port, timeout=1, cache=cache).api == 'v2'
        assert cache.get(cache.key('127.0.0.1', server.port, v3_port))['ttl'] == ttl
        assert b'get_version' in server.requests[0]
    finally:
        server.close()


def test_v3_answer_means_v3_and_keeps_the_salt(tmp_path):
    server = SaltServer()
    try:
        cache = d.ApiCache(str(tmp_path / 'api'))
        result = d.detect('127.0.0.1', 4028, server.port, timeout=2, cache=cache)
        assert result.api == 'v3' and result.salt == 'abcDEF12'
        again = d.detect('127.0.0.1', 4028, server.port, timeout=2, cache=cache)
        assert again.cached and again.salt == 'abcDEF12' and server.accepted == 1
        assert d.detect_api_version('127.0.0.1', 4028, server.port, use_cache=False) == 'v3'
    finally:
        server.close()


def test_old_firmware_is_v2_without_a_probe():
    server = SaltServer()
    try:
        result = d.detect('127.0.0.1', 4028, server.port, version={'fw_ver': '20220125.13.Rel'})
        assert result.api == 'v2' and server.accepted == 0
    finally:
        server.close()


def test_factory_by_api_version(tmp_path):
    params = {'host': '127.0.0.1', 'port': 4028, 'v3_port': 4433, 'timeout': 1, 'password': None}
    cache = d.MemoryApiCache()
    assert isinstance(d.client_for(dict(params, api_version='v2'), cache), V2Client)
    assert isinstance(d.client_for(dict(params, api_version='v3'), cache), V3Client)
    auto = d.client_for(dict(params, api_version='auto'), cache)
    assert isinstance(auto, d.AutoClient) and auto.miner == '127.0.0.1:4028' and auto.api_version == 'auto'


def test_rendered_contacts_no_miner(monkeypatch, tmp_path):
    monkeypatch.setenv('MINEROPS_WHATSMINER_STATE_DIR', str(tmp_path / 'state'))
    params = {'host': '127.0.0.1', 'port': free_port(), 'v3_port': free_port(), 'timeout': 1, 'api_version': 'auto',
              'password': 'x', 'wait': True, 'wait_timeout': 5, 'update_write_only': 'on_change'}
    engine = engine_from_params(params, check_mode=False)
    result = engine.run_settings('power', {'mode': 'low'}, state='rendered')
    assert result['rendered'][0]['command'] == 'set_low_power'
    assert engine.client.detection is None and not os.path.exists(str(tmp_path / 'state' / 'api'))


def test_auto_client_falls_back_to_v2(tmp_path):
    port = free_port()
    auto = d.AutoClient('127.0.0.1', port=port, v3_port=free_port(), timeout=1, cache=d.MemoryApiCache())
    with pytest.raises(Exception) as err:
        auto.read('status')
    assert auto.api_version == 'v2' and ':%d' % port in str(err.value)
