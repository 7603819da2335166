# -*- coding: utf-8 -*-
"""V3Client without sockets: token and encryption, error codes, the translation tables, and
the engine running over API v3 (a strict twin proves check mode sends no write).

``FakeV3`` plays a v3 miner in memory behind the connection interface of FrameConnection;
its replies follow the vendor's API v3 examples (hyphenated keys, TH/s, ``msg: "ok"``).
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _errors as e
from ansible_collections.minerops.whatsminer.plugins.module_utils import _schema
from ansible_collections.minerops.whatsminer.plugins.module_utils import _v3_map as m
from ansible_collections.minerops.whatsminer.plugins.module_utils._applied import AppliedStore
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import RESTARTING_WRITES
from ansible_collections.minerops.whatsminer.plugins.module_utils._client_v3 import (
    V3Client, make_token, open_param, raise_for_code, seal_param, token_digest)
from ansible_collections.minerops.whatsminer.plugins.module_utils._engine import Engine
from ansible_collections.minerops.whatsminer.plugins.module_utils._facts import gather_facts

PASSWORD = 'pw_1'
SALT = 'QbVy1Ou3'
NOW = 1_760_000_000


class FakeV3:
    """A v3 miner in memory, used as the client's connection."""

    miner = '192.0.2.20:4433'

    def __init__(self, password=PASSWORD, clock_offset=0, strict=False):
        self.password = password
        self.clock_offset = clock_offset
        self.strict = strict
        self.state = {'power-mode': 'normal', 'power-limit': 3600, 'target-freq': 0, 'power-percent': 100,
                      'upfreq-speed': 0, 'fast-boot': 'disable', 'working': 'true', 'led': 'auto',
                      'pools': [{'id': 1, 'url': 'stratum+tcp://old.example:3333', 'account': 'acct.old'}]}
        self.requests = []
        self.decrypted = []
        self.opened = 1
        self.reused = False
        self.closed = 0
        self.close_next_write = False
        self.queue = []

    @property
    def is_open(self):
        return True

    def close(self):
        self.closed += 1

    def read_frame(self):
        return self.queue.pop(0)

    def reply(self, code, msg, desc):
        return json.dumps({'code': code, 'when': NOW + self.clock_offset, 'msg': msg, 'desc': desc}).encode()

    def exchange(self, payload):
        request = json.loads(payload)
        self.requests.append(request)
        cmd, param = request['cmd'], request.get('param')
        if cmd.startswith('set.'):
            return self.write(request, cmd, param)
        st = self.state
        if cmd == 'get.device.info':
            sections = {
                'network': {'ip': '192.0.2.20', 'proto': 'dhcp', 'netmask': '255.255.255.0', 'dns': '192.0.2.1',
                            'mac': 'c6:07:20:00:00:01', 'gateway': '192.0.2.1', 'hostname': 'WhatsMiner'},
                'miner': {'working': st['working'], 'type': 'M60SVK30', 'miner-sn': 'HE1', 'pcbsn0': 'PCB0',
                          'chipdata0': 'K9XZ', 'power-limit-set': str(st['power-limit'])},
                'system': {'api': '3.0.1', 'platform': 'H616', 'fwversion': '20250214.16.Rel', 'ledstatus': st['led']},
                'power': {'type': 'P521', 'model': 'P521', 'iin': 14.8, 'vin': 220.5, 'fanspeed': 6112, 'temp0': 41.3,
                          'sn': 'PSU1', 'vendor': '1', 'hwversion': 'R1', 'swversion': 'S1'},
                'salt': SALT,
                'error-code': [{'531': '2025-03-12 14:52:35', 'reason': 'Slot1 not found.'}],
            }
            return self.reply(0, {param: sections[param]} if param else sections, cmd)
        if cmd == 'get.miner.setting':
            return self.reply(0, {k: st[k] for k in ('power-mode', 'power-limit', 'target-freq', 'power-percent',
                                                     'upfreq-speed', 'fast-boot')}, cmd)
        if cmd == 'get.miner.status':
            msg = {}
            for part in param.split('+'):
                if part == 'summary':
                    msg['summary'] = {'elapsed': 1074, 'bootup-time': 1175, 'freq-avg': 788, 'factory-hash': 101.366,
                                      'hash-average': 101.847, 'hash-1min': 102.072, 'hash-15min': 101.847,
                                      'hash-realtime': 101.847, 'power-realtime': 3268, 'environment-temperature': 34.8,
                                      'board-temperature': [69.6, 70.1, 72.3], 'up-freq-finish': 1,
                                      'fan-speed-in': 4980, 'fan-speed-out': 5070, 'power-limit': st['power-limit']}
                elif part == 'pools':
                    msg['pools'] = st['pools']
                elif part == 'edevs':
                    msg['edevs'] = [{'id': 0, 'slot': 0, 'hash-average': 33.9, 'factory-hash': 33.8, 'freq': 788,
                                     'effective-chips': 156}]
            return self.reply(0, msg, cmd)
        return self.reply(-2, 'invalid command', cmd)

    def write(self, request, cmd, param):
        if self.strict:
            raise AssertionError('check mode sent a write: %r' % request)
        digest = token_digest(cmd, self.password, SALT, request['ts'])
        if request.get('account') != 'super' or request['token'] != base64.b64encode(digest).decode()[:8] or \
                abs(request['ts'] - (NOW + self.clock_offset)) > 60:
            return self.reply(-1, 'invalid token', cmd)
        st = self.state
        if cmd == 'set.miner.pools':
            pools = open_param(digest, param)
            self.decrypted.append(pools)
            st['pools'] = [{'id': i + 1, 'url': p['pool'], 'account': p['worker']} for i, p in enumerate(pools)]
        elif cmd == 'set.miner.power_mode':
            st['power-mode'] = param
        elif cmd == 'set.miner.power_limit':
            assert isinstance(param, int)
            st['power-limit'] = param
        elif cmd == 'set.miner.target_freq':
            st['target-freq'] = param
        elif cmd == 'set.miner.power_percent':
            st['power-percent'] = param['percent']
        elif cmd == 'set.miner.service':
            st['working'] = 'false' if param == 'stop' else 'true'
        elif cmd == 'set.miner.fastboot':
            st['fast-boot'] = param
        elif cmd == 'set.miner.upfreq_speed':
            st['upfreq-speed'] = param
        elif cmd == 'set.system.led':
            st['led'] = 'auto' if param == 'auto' else 'manual'
        elif not cmd.startswith(('set.fan.', 'set.system.')):
            return self.reply(-2, 'invalid command', cmd)
        if self.close_next_write:
            self.close_next_write = False
            raise e.ClosedError('connection closed without a reply', miner=self.miner)
        return self.reply(0, 'ok', cmd)

    def sent(self, prefix='set.'):
        return [r['cmd'] for r in self.requests if r['cmd'].startswith(prefix)]


def client(fake, salt=None, **kwargs):
    return V3Client('192.0.2.20', port=4028, password=kwargs.pop('password', PASSWORD), connection=fake, salt=salt,
                    clock=lambda: NOW, sleep=lambda s: None, **kwargs)


# -- authentication ------------------------------------------------------------------------------
def test_token_vector_from_protocol_notes():
    assert make_token('set.system.reboot', 'super', 'uhCiDyVj', 1773869570) == 'ZIxWqUqH'


def test_sealed_param_is_aes_ecb_pkcs7_of_the_json():
    digest = token_digest('set.miner.pools', 'super', 'uhCiDyVj', 1773869570)
    pools = [{'pool': 'stratum+tcp://a.example:3333', 'worker': 'w', 'passwd': 'x'}]
    text = seal_param(digest, pools)
    raw = base64.b64decode(text)
    assert len(raw) % 16 == 0
    assert open_param(digest, text) == pools
    assert digest == hashlib.sha256(b'set.miner.poolssuperuhCiDyVj1773869570').digest()


@pytest.mark.parametrize('code, msg, write, error, phrase', [
    (-1, 'invalid token', True, e.AuthError, 'miner password is wrong'),
    (-1, 'invalid json', False, e.ProtocolError, 'could not parse'),
    (-2, 'invalid command', False, e.UnsupportedError, 'not supported by this firmware (API v3)'),
    (-2, 'invalid param: turbo', True, e.CommandError, 'rejected the value'),
    (-3, 'missing parameter: zonename', True, e.CommandError, 'missing'),
    (-4, 'no permission', True, e.WriteDisabledError, 'factory password'),
    (-5, 'out of memory', True, e.CommandError, 'out of memory'),
])
def test_codes_become_typed_errors(code, msg, write, error, phrase):
    with pytest.raises(error) as err:
        raise_for_code({'code': code, 'msg': msg, 'desc': 'x'}, '192.0.2.20:4433', 'cmd', write)
    assert phrase in str(err.value)
    assert '192.0.2.20:4433' in str(err.value)


# -- the tables -----------------------------------------------------------------------------------
def test_every_settings_write_and_read_is_translated():
    for row in _schema.SETTINGS:
        commands = row.command.values() if isinstance(row.command, dict) else [row.command]
        for command in commands:
            assert command in m.WRITES, '%s (%s) has no API v3 translation' % (command, row.name)
        for command, _field in row.read:
            native = command.startswith('get.')  # a v3 read the table names directly
            assert command in m.READS or native, '%s read from %s has no API v3 translation' % (row.name, command)
        for step in getattr(row, 'pre_steps', {}).values():
            assert step.command in m.WRITES or step.command in m.UNSUPPORTED, step.command
    assert 'update_pools' in m.WRITES
    for command in RESTARTING_WRITES:
        assert command in m.WRITES or command in m.STREAMS


def test_every_facts_read_is_translated_or_declared_unsupported():
    for command in ('summary', 'pools', 'edevs', 'get_version', 'status', 'get_psu', 'get_miner_info',
                    'get_error_code', 'devdetails'):
        assert command in m.READS or command in m.UNSUPPORTED


def test_reads_come_back_in_the_2025_v2_shape():
    cli = client(FakeV3())
    summary = cli.read('summary').record('SUMMARY')
    assert summary['MHS av'] == 101847000.0 and summary['Factory GHS'] == 101366.0
    assert summary['Power Mode'] == 'Normal' and summary['Temperature'] == 72.3
    assert summary['Hash Stable'] == 'true' and summary['Btminer Fast Boot'] == 'disable'
    status = cli.read('status').msg
    assert status == {'mineroff': 'false', 'FirmwareVersion': '20250214.16.Rel', 'power_mode': 'normal',
                      'power_limit_set': '3600', 'hash_percent': '0', 'power_pct': '100'}
    pools = cli.read('pools').records('POOLS')
    assert pools == [{'POOL': 1, 'URL': 'stratum+tcp://old.example:3333', 'User': 'acct.old', 'Priority': 0}]
    boards = cli.read('edevs').records('DEVS')
    assert boards[0]['MHS av'] == 33.9 and boards[0]['Temperature'] == 69.6 and boards[0]['PCB SN'] == 'PCB0'
    assert cli.read('get_miner_info', info='ip,ledstat').msg == {'ip': '192.0.2.20', 'ledstat': 'auto'}
    assert cli.read('get_psu').msg['vin'] == '22050' and cli.read('get_psu').msg['iin'] == '14800'
    assert cli.read('get_error_code').msg == {'error_code': [{'531': '2025-03-12 14:52:35'}]}
    assert cli.read('get_version').msg['api_ver'] == '3.0.1'


def test_facts_from_v3_have_one_unit():
    facts = gather_facts(client(FakeV3()), ['all'])['ansible_facts']['whatsminer']
    assert facts['summary']['hashrate_ths'] == 101.85
    assert facts['boards'][0]['hashrate_ths'] == 33.9 and facts['boards'][0]['model'] == 'M60SVK30'
    assert facts['psu']['input_voltage_v'] == 220.5
    assert facts['version']['api_version'] == '3.0.1'
    assert facts['errors'][0]['code'] == 531
    assert facts['unavailable'] == []


def test_unsupported_commands_say_so():
    cli = client(FakeV3())
    with pytest.raises(e.UnsupportedError) as err:
        cli.write('pre_power_on')
    assert 'not supported by this firmware (API v3)' in str(err.value)
    with pytest.raises(e.UnsupportedError):
        cli.read('devdetails')
    with pytest.raises(e.UnsupportedError) as err:
        cli.read('get.frobnicate')
    assert 'not supported by this firmware (API v3)' in str(err.value)


# -- writes ---------------------------------------------------------------------------------------
def test_writes_are_signed_and_typed():
    fake = FakeV3()
    cli = client(fake)
    assert cli.write('adjust_power_limit', {'power_limit': '3000'}).outcome == 'ok'
    sent = fake.requests[-1]
    assert sent['param'] == 3000 and sent['account'] == 'super' and sent['ts'] == NOW
    assert sent['token'] == make_token('set.miner.power_limit', PASSWORD, SALT, NOW)
    cli.write('power_off', {'respbefore': 'true'})
    assert fake.requests[-1]['param'] == 'stop' and fake.state['working'] == 'false'
    cli.write('set_power_pct', {'percent': '80'})
    assert fake.requests[-1]['param'] == {'percent': 80, 'mode': 'fast'}
    cli.write('set_led', {'color': 'red', 'period': 1000, 'duration': 500, 'start': 0})
    assert fake.requests[-1]['param'] == [{'color': 'red', 'period': 1000, 'duration': 500, 'start': 0}]
    assert fake.sent('get.device.info') == ['get.device.info'], 'the salt is read once per client'


def test_pools_are_encrypted_and_empty_slots_left_out():
    fake = FakeV3()
    params = _schema.update_pools_params([{'url': 'stratum+tcp://a.example:3333', 'user': 'w.1', 'password': 'x'}])
    client(fake).write('update_pools', params)
    assert isinstance(fake.requests[-1]['param'], str) and 'a.example' not in fake.requests[-1]['param']
    assert fake.decrypted == [[{'pool': 'stratum+tcp://a.example:3333', 'worker': 'w.1', 'passwd': 'x'}]]


def test_net_config_with_host_is_two_requests():
    fake = FakeV3()
    client(fake).write('net_config', {'ip': '192.0.2.30', 'mask': '255.255.255.0', 'gate': '192.0.2.1',
                                      'dns': '192.0.2.1', 'host': 'rack1'})
    assert fake.sent() == ['set.system.hostname', 'set.system.net_config']
    assert fake.requests[-1]['param'] == {'ip': '192.0.2.30', 'netmask': '255.255.255.0', 'gateway': '192.0.2.1',
                                          'dns': '192.0.2.1'}


def test_stale_cached_salt_is_read_again_once():
    fake = FakeV3()
    cli = client(fake, salt='OLDSALT1')
    assert cli.write('set_led', {'param': 'auto'}).confirmed
    assert fake.sent() == ['set.system.led', 'set.system.led']
    assert cli.stats['salt'] == 1


def test_wrong_password_fails_without_looping():
    fake = FakeV3()
    with pytest.raises(e.AuthError) as err:
        client(fake, password='wrong').write('set_led', {'param': 'auto'})
    assert 'miner password is wrong' in str(err.value)
    assert len(fake.sent()) == 2 and fake.sent('get.device.info') == ['get.device.info']
    fake = FakeV3()
    with pytest.raises(e.AuthError):
        client(fake, password='wrong', salt=SALT).write('set_led', {'param': 'auto'})
    assert len(fake.sent()) == 2 and fake.sent('get.device.info') == ['get.device.info'], 'cached salt read again once'


def test_miner_clock_far_off_is_followed():
    fake = FakeV3(clock_offset=3600)
    cli = client(fake)
    assert cli.write('set_led', {'param': 'auto'}).confirmed
    assert fake.requests[-1]['ts'] == NOW + 3600


def test_restarting_write_closed_is_unknown_not_resent():
    fake = FakeV3()
    fake.close_next_write = True
    result = client(fake).write('set_low_power')
    assert result.outcome == 'unknown' and fake.sent() == ['set.miner.power_mode']
    assert fake.state['power-mode'] == 'low'


def test_write_needs_a_password():
    with pytest.raises(e.ValidationError):
        client(FakeV3(), password=None).write('set_led', {'param': 'auto'})


# -- the engine over API v3 -----------------------------------------------------------------------
def engine(fake, tmp_path, check_mode=False):
    return Engine(client(fake), check_mode=check_mode, wait=True, wait_timeout=5,
                  applied=AppliedStore(str(tmp_path / 'applied')), sleep=lambda s: None)


def test_check_mode_twin_sends_no_write(tmp_path):
    fake = FakeV3(strict=True)
    result = engine(fake, tmp_path, check_mode=True).run_settings(
        'power', {'mode': 'low', 'power_limit': 3000, 'mining': 'stopped'})
    assert result['changed']
    assert [c['command'] for c in result['commands']] == ['set_low_power', 'adjust_power_limit', 'power_off']
    assert fake.sent() == []


def test_power_converges_then_is_idempotent(tmp_path):
    fake = FakeV3()
    first = engine(fake, tmp_path).run_settings('power', {'mode': 'low', 'power_limit': 3000})
    assert first['changed'] and not first.get('failed'), first
    assert first['after'] == {'mode': 'low', 'power_limit': 3000}
    second = engine(fake, tmp_path).run_settings('power', {'mode': 'low', 'power_limit': 3000})
    assert not second['changed']


def test_tuning_reads_fast_boot_and_upfreq_on_v3(tmp_path):
    fake = FakeV3()
    result = engine(fake, tmp_path).run_settings('tuning', {'fast_boot': True, 'upfreq_speed': 3})
    assert result['changed'] and result['write_only'] == []
    assert fake.state['fast-boot'] == 'enable' and fake.state['upfreq-speed'] == 3


def test_pools_converge_on_v3(tmp_path):
    fake = FakeV3()
    pools = [{'url': 'stratum+tcp://new.example:3333', 'user': 'acct.new', 'password': 'x'}]
    first = engine(fake, tmp_path).run_pools(pools)
    assert first['changed'] and first['after'] == {'pools': [{'url': 'stratum+tcp://new.example:3333',
                                                              'user': 'acct.new'}]}
    assert first['commands'][0]['params']['passwd1'] == '********'
    assert not engine(fake, tmp_path).run_pools(pools)['changed']
