# -*- coding: utf-8 -*-
"""Tokens and the encrypted path: limits, expiry, wrong password, write switch, plaintext writes."""

from __future__ import annotations

import base64
import json

from Crypto.Cipher import AES

from wmclient import Client, exchange, wait_until
from wmsim.primitives import aes_key, derive_key, derive_sign, open_reply_text, seal_request


def test_token_vectors_of_protocol_notes():
    key = derive_key('admin', 'BQ5hoXV9')
    assert key == 'RxmaDUO33TS7O26yeMHZ81'
    assert derive_sign(key, '5039', 'P5NTAcEp') == 'W7vZynrBZBwIIjR5dvDJb0'
    assert aes_key(key).hex() == '199e0a202039bb7b558db7a54697dca29cb278055b7e659a127fb844d5a2fbf6'


def test_32_tokens_per_client_ip_then_136(fleet2022):
    port = fleet2022.port
    for index in range(32):
        reply = Client('127.0.0.2', port, source='127.0.0.50').get_token()
        assert reply['Code'] == 134, index
    full = Client('127.0.0.2', port, source='127.0.0.50').get_token()
    assert full == {'STATUS': 'E', 'When': full['When'], 'Code': 136, 'Msg': 'over max connect', 'Description': ''}
    # another client IP still gets tokens
    assert Client('127.0.0.2', port, source='127.0.0.51').get_token()['Code'] == 134
    # after 30 minutes of simulated time the table frees up
    fleet2022.advance_clock(30 * 60 + 1)
    assert Client('127.0.0.2', port, source='127.0.0.50').get_token()['Code'] == 134


def test_at_most_16_client_ips(fleet2022):
    port = fleet2022.port
    for index in range(16):
        assert Client('127.0.0.2', port, source='127.0.0.%d' % (100 + index)).get_token()['Code'] == 134
    assert Client('127.0.0.2', port, source='127.0.0.120').get_token()['Code'] == 136
    assert Client('127.0.0.2', port, source='127.0.0.100').get_token()['Code'] == 134
    assert len(fleet2022.miner('127.0.0.2').live_tokens()) == 16


def test_sign_expires_after_30_minutes(fleet2022):
    client = Client('127.0.0.2', fleet2022.port)
    assert client.write('set_led', param='auto')['Code'] == 131
    fleet2022.advance_clock(29 * 60)
    assert client.write('set_led', param='auto')['Code'] == 131
    fleet2022.advance_clock(2 * 60)
    reply = client.write('set_led', param='auto')
    assert reply == {'STATUS': 'E', 'When': reply['When'], 'Code': 135, 'Msg': 'check token err', 'Description': ''}


def test_sign_is_bound_to_client_ip(fleet2022):
    client = Client('127.0.0.2', fleet2022.port, source='127.0.0.60')
    client.login()
    other = Client('127.0.0.2', fleet2022.port, source='127.0.0.61')
    other.sign, other.aeskey = client.sign, client.aeskey
    assert other.write('set_led', param='auto')['Code'] == 135
    assert client.write('set_led', param='auto')['Code'] == 131


def test_unknown_sign_is_135(fleet2022):
    client = Client('127.0.0.2', fleet2022.port)
    client.login()
    client.sign = 'NotARealSign0123456789'
    assert client.write('set_led', param='auto')['Code'] == 135


def test_wrong_password_is_23_unencrypted(fleet_any):
    client = Client('127.0.0.4', fleet_any.port, password='wrong')
    raw = client.write_raw('set_led', param='auto')
    reply = json.loads(raw)
    assert reply == {'STATUS': 'E', 'When': reply['When'], 'Code': 23, 'Msg': 'enc json load err', 'Description': ''}
    assert json.loads(exchange('127.0.0.4', fleet_any.port, {'enc': 1, 'data': 'not base64 at all!'}))['Code'] == 23


def test_write_switch_off(make_fleet):
    fleet = make_fleet(['127.0.0.2'], write_api=False)
    client = Client('127.0.0.2', fleet.port)
    reply = client.write('set_led', param='auto')
    assert reply == {'STATUS': 'E', 'When': reply['When'], 'Code': 45, 'Msg': "can't access write cmd", 'Description': ''}
    # reads are still allowed, encrypted or not
    assert client.write('status')['Code'] == 131
    fleet.miner('127.0.0.2').set(write_api=True)
    assert client.write('set_led', param='auto')['Code'] == 131


def test_plaintext_write_is_permission_denied(fleet_any):
    for cmd in ('set_led', 'reboot', 'update_pools', 'power_off'):
        reply = json.loads(exchange('127.0.0.4', fleet_any.port, {'cmd': cmd, 'param': 'auto'}))
        assert reply == {'STATUS': 'E', 'When': reply['When'], 'Code': 45, 'Msg': 'permission denied', 'Description': ''}
    assert fleet_any.miner('127.0.0.4').counters['write_requests'] == 4


def test_encrypted_read_is_answered_encrypted(fleet_any):
    client = Client('127.0.0.4', fleet_any.port)
    raw = client.write_raw('get_version')
    envelope = json.loads(raw)
    assert list(envelope) == ['enc']
    reply = json.loads(open_reply_text(client.aeskey, envelope['enc']))
    assert reply['Msg']['fw_ver'] == fleet_any.miner('127.0.0.4').state['firmware_version']


def test_pkcs7_padded_request_accepted(fleet2022):
    client = Client('127.0.0.2', fleet2022.port)
    client.login()
    text = json.dumps({'cmd': 'set_led', 'param': 'auto', 'token': client.sign}).encode()
    pad = 16 - len(text) % 16
    data = base64.b64encode(AES.new(client.aeskey, AES.MODE_ECB).encrypt(text + bytes([pad]) * pad)).decode()
    assert client.decode(exchange('127.0.0.2', fleet2022.port, {'enc': 1, 'data': data}))['Code'] == 131
    assert seal_request(client.aeskey, {'cmd': 'x'}).startswith(b'{"enc": 1')


def test_reboot_clears_tokens(fleet2022):
    client = Client('127.0.0.2', fleet2022.port)
    client.login()
    keeper = Client('127.0.0.2', fleet2022.port, source='127.0.0.70')
    keeper.login()
    assert fleet2022.miner('127.0.0.2').live_tokens() == {'127.0.0.1': 1, '127.0.0.70': 1}
    assert client.write_raw('reboot') == b''
    assert wait_until(lambda: fleet2022.miner('127.0.0.2').down is None, timeout=5)
    assert fleet2022.miner('127.0.0.2').live_tokens() == {}
    assert keeper.write('set_led', param='auto')['Code'] == 135
