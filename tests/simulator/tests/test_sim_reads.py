# -*- coding: utf-8 -*-
"""Every read command in both flavours: shapes, sizes, joins, framing and idle timeout."""

from __future__ import annotations

import json
import socket
import time

import pytest

from wmclient import Client, connect, exchange, read_all

LIBRARY_READS = ('summary', 'pools', 'edevs', 'get_version', 'status')


def test_summary_2022_cgminer_shape(fleet2022):
    reply = Client('127.0.0.2', fleet2022.port).read('summary')
    assert list(reply) == ['STATUS', 'SUMMARY', 'id']
    status = reply['STATUS'][0]
    assert status['STATUS'] == 'S' and status['Msg'] == 'Summary' and status['Description'] == ''
    assert isinstance(status['When'], int) and isinstance(status['Code'], int)
    summary = reply['SUMMARY'][0]
    for key in ('Elapsed', 'MHS av', 'MHS 5s', 'Accepted', 'Temperature', 'Fan Speed In', 'Fan Speed Out', 'Power',
                'Uptime', 'Hash Stable', 'Power Mode', 'Factory GHS', 'Power Limit', 'Chip Temp Avg', 'Btminer Fast Boot'):
        assert key in summary
    assert isinstance(summary['Power'], int)
    assert summary['Hash Stable'] in (True, False)
    assert summary['Power Mode'] == 'Normal'
    assert summary['Btminer Fast Boot'] == 'disable'
    assert summary['Firmware Version'] == "'20220125.13.Rel'"
    assert summary['MHS av'] > 50e6


def test_summary_2025_flat_floats(fleet2025):
    reply = Client('127.0.0.3', fleet2025.port).read('summary')
    assert reply['STATUS'] == 'S' and reply['Code'] == 131 and reply['Description'] == ''
    msg = reply['Msg']
    assert isinstance(msg['Power'], float)
    assert msg['Hash Stable'] in ('true', 'false')
    assert isinstance(msg['Elapsed'], float)
    assert msg['Power Mode'] == 'Normal'


def test_pools_both_flavours(fleet_any):
    client = Client('127.0.0.4', fleet_any.port)
    reply = client.read('pools')
    if fleet_any.miner('127.0.0.4').flavor == '2022':
        assert reply['STATUS'][0]['Msg'] == '3 Pool(s)'
        pools = reply['POOLS']
        assert pools[0]['Stratum Active'] is True
    else:
        assert reply['STATUS'] == 'S'
        pools = reply['Msg']['POOLS']
        assert pools[0]['Stratum Active'] == 'true'
    assert [pool['Priority'] for pool in pools] == [0, 1, 2]
    assert pools[0]['URL'] == 'stratum+tcp://btc.ss.poolin.com:443'
    assert pools[0]['User'] == 'microbtinitial'
    assert all('passwd' not in json.dumps(pool).lower() for pool in pools)


def test_edevs_units_per_flavour(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], flavor='mixed')
    old = Client('127.0.0.2', fleet.port).read('edevs')
    new = Client('127.0.0.3', fleet.port).read('edevs')
    assert old['STATUS'][0]['Msg'] == '3 ASC(s)'
    boards_old = old['DEVS']
    boards_new = new['Msg']['DEVS']
    assert len(boards_old) == len(boards_new) == 3
    assert boards_old[0]['MHS av'] > 1e6        # MH/s
    assert 1 < boards_new[0]['MHS av'] < 200     # TH/s, same key
    for board in boards_old:
        assert set(('ASC', 'Slot', 'Temperature', 'Chip Frequency', 'PCB SN', 'Effective Chips')) <= set(board)
    devs = Client('127.0.0.2', fleet.port).read('devs')
    assert len(devs['DEVS']) == 3


def test_devdetails(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], flavor='mixed')
    old = Client('127.0.0.2', fleet.port).read('devdetails')
    assert old['STATUS'][0]['Msg'] == 'Device Details'
    assert old['DEVDETAILS'][0]['Model'] == fleet.miner('127.0.0.2').identity.model
    new = Client('127.0.0.3', fleet.port).read('devdetails')
    assert new == {'STATUS': 'E', 'When': new['When'], 'Code': 132, 'Msg': 'This command is deprecated.', 'Description': ''}


def test_get_psu_vender_quirk(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], flavor='mixed')
    old = Client('127.0.0.2', fleet.port).read('get_psu')['Msg']
    new = Client('127.0.0.3', fleet.port).read('get_psu')['Msg']
    assert 'vender' in old and 'vendor' not in old
    assert 'vendor' in new and 'vender' not in new
    assert old['serial_no'] == fleet.miner('127.0.0.2').identity.powersn
    fleet.miner('127.0.0.2').set(quirks=False)
    assert 'vendor' in Client('127.0.0.2', fleet.port).read('get_psu')['Msg']


def test_get_version(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], flavor='mixed')
    old = Client('127.0.0.2', fleet.port).read('get_version')['Msg']
    new = Client('127.0.0.3', fleet.port).read('get_version')['Msg']
    assert old['api_ver'] == '2.0.5' and old['fw_ver'] == '20220125.13.Rel' and 'miner_type' not in old
    assert new['api_ver'] == '2.2.1' and new['fw_ver'] == '20250214.16.Rel'
    assert new['miner_type'] == fleet.miner('127.0.0.3').identity.model


def test_status(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], flavor='mixed')
    old = Client('127.0.0.2', fleet.port).read('status')['Msg']
    new = Client('127.0.0.3', fleet.port).read('status')['Msg']
    assert old == {'btmineroff': 'false', 'Firmware Version': "'20220125.13.Rel'", 'power_mode': 'Normal', 'hash_percent': '0'}
    assert new['mineroff'] == 'false' and new['FirmwareVersion'] == '20250214.16.Rel'
    assert new['power_mode'] == 'normal'
    assert new['power_limit_set'] == str(fleet.miner('127.0.0.3').state['power_limit'])
    assert new['hash_percent'] == '0' and new['power_pct'] == '100'


def test_get_miner_info_fields(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], flavor='mixed')
    info = Client('127.0.0.2', fleet.port).read('get_miner_info', info='ip,mac,hostname,ledstat')['Msg']
    identity = fleet.miner('127.0.0.2').identity
    assert info == {'ip': '127.0.0.2', 'mac': identity.mac, 'hostname': 'WhatsMiner-02', 'ledstat': 'auto'}
    full = Client('127.0.0.2', fleet.port).read('get_miner_info')['Msg']
    assert set(full) == {'ip', 'proto', 'netmask', 'gateway', 'dns', 'hostname', 'mac', 'ledstat', 'minersn', 'powersn'}
    new = Client('127.0.0.3', fleet.port).read('get_miner_info', info='upfreq_speed,proto')['Msg']
    assert new == {'upfreq_speed': '0', 'proto': 'dhcp'}
    # the 2022 flavour does not know upfreq_speed
    assert Client('127.0.0.2', fleet.port).read('get_miner_info', info='upfreq_speed')['Msg'] == {}


def test_get_error_code_quirk(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], flavor='mixed')
    raw = exchange('127.0.0.2', fleet.port, {'cmd': 'get_error_code'})
    assert b'{"error_code":["329":"2022-01-17 11:28:11"]}' in raw
    with pytest.raises(ValueError):
        json.loads(raw)
    fixed = json.loads(exchange('127.0.0.3', fleet.port, {'cmd': 'get_error_code'}))
    assert fixed['Msg'] == {'error_code': [{'329': '2022-01-17 11:28:11'}]}
    fleet.miner('127.0.0.2').set(error_codes={})
    assert json.loads(exchange('127.0.0.2', fleet.port, {'cmd': 'get_error_code'}))['Msg'] == {'error_code': []}


def test_get_token_shape(fleet_any):
    reply = Client('127.0.0.4', fleet_any.port).get_token()
    assert reply['STATUS'] == 'S' and reply['Code'] == 134
    msg = reply['Msg']
    assert set(msg) == {'time', 'salt', 'newsalt'}
    assert len(msg['time']) == 4 and msg['time'].isdigit()
    assert len(msg['salt']) == 8 and len(msg['newsalt']) == 8
    again = Client('127.0.0.4', fleet_any.port).get_token()['Msg']
    assert again['salt'] == msg['salt'] and again['newsalt'] != msg['newsalt']


def test_join_summary_pools(fleet_any):
    reply = Client('127.0.0.4', fleet_any.port).read('summary+pools')
    assert list(reply) == ['summary', 'pools']
    assert isinstance(reply['summary'], list) and len(reply['summary']) == 1
    pools = reply['pools'][0]
    if fleet_any.miner('127.0.0.4').flavor == '2022':
        assert pools['STATUS'][0]['Msg'] == '3 Pool(s)' and len(pools['POOLS']) == 3
        assert 'SUMMARY' in reply['summary'][0]
    else:
        assert pools['STATUS'] == 'S' and len(pools['Msg']['POOLS']) == 3
        assert 'Power' in reply['summary'][0]['Msg']


def test_unknown_command(fleet_any):
    reply = Client('127.0.0.4', fleet_any.port).read('frobnicate')
    assert reply['STATUS'] == 'E' and reply['Code'] == 14 and reply['Msg'] == 'invalid cmd'
    assert Client('127.0.0.4', fleet_any.port).read('summary+frobnicate')['Code'] == 14


def test_cgminer_command_form(fleet2022):
    reply = json.loads(exchange('127.0.0.2', fleet2022.port, {'command': 'summary'}))
    assert 'SUMMARY' in reply


@pytest.mark.parametrize('cmd', LIBRARY_READS)
def test_replies_fit_in_4000_bytes(fleet_any, cmd):
    raw = exchange('127.0.0.4', fleet_any.port, {'cmd': cmd})
    assert len(raw) < 4000
    json.loads(raw)
    assert not raw.endswith(b'\0') and not raw.endswith(b'\n')


def test_request_split_across_packets(fleet2022):
    with connect('127.0.0.2', fleet2022.port) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in (b'  {"cm', b'd": "sta', b'tus", "x": "}{\\""', b'}'):
            sock.sendall(piece)
            time.sleep(0.02)
        reply = json.loads(read_all(sock))
    assert reply['Msg']['btmineroff'] == 'false'


def test_invalid_json_answers_23(fleet2022):
    reply = json.loads(exchange('127.0.0.2', fleet2022.port, b'summary|'))
    assert reply['Code'] == 23 and reply['STATUS'] == 'E'


def test_idle_connection_is_closed(make_fleet):
    fleet = make_fleet(['127.0.0.2'], idle_timeout=0.3)
    with connect('127.0.0.2', fleet.port, timeout=5) as sock:
        started = time.monotonic()
        assert read_all(sock) == b''
        assert time.monotonic() - started < 3


def test_live_figures_follow_settings(fleet2022):
    miner = fleet2022.miner('127.0.0.2')
    client = Client('127.0.0.2', fleet2022.port)
    normal = client.read('summary')['SUMMARY'][0]
    miner.set(power_mode='Low')
    low = client.read('summary')['SUMMARY'][0]
    assert low['Power'] < normal['Power'] and low['MHS av'] < normal['MHS av']
    miner.set(power_mode='Normal', power_limit=2000)
    capped = client.read('summary')['SUMMARY'][0]
    assert capped['Power'] <= 2005 and capped['Power Limit'] == 2000
    miner.set(power_limit=3600, target_freq_pct=-20)
    under = client.read('summary')['SUMMARY'][0]
    assert under['MHS av'] < normal['MHS av'] * 0.85
    miner.set(target_freq_pct=0, mining=False)
    stopped = client.read('summary')['SUMMARY'][0]
    assert stopped['MHS av'] == 0 and stopped['Power'] < 50
    assert client.read('status')['Msg']['btmineroff'] == 'true'


def test_api_down_when_off(fleet2022):
    miner = fleet2022.miner('127.0.0.2')
    miner.set(mining=False, api_down_when_off=True)
    assert exchange('127.0.0.2', fleet2022.port, {'cmd': 'summary'}) == b'Socket connect failed: Connection refused'
    assert json.loads(exchange('127.0.0.2', fleet2022.port, {'cmd': 'status'}))['Msg']['btmineroff'] == 'true'
