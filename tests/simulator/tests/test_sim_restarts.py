# -*- coding: utf-8 -*-
"""Restarting writes: silent close, "Socket connect failed" while btminer restarts, silent
accept-and-close while the board reboots, reply_before_restart, net_config moving a miner."""

from __future__ import annotations

import json
import socket
import time

from wmclient import Client, connect, exchange, read_all, wait_until

FAILED = b'Socket connect failed: Connection refused'


def test_restart_closes_silently_then_socket_failed_then_back(make_fleet):
    fleet = make_fleet(['127.0.0.2'], restart_seconds=1.5)
    client = Client('127.0.0.2', fleet.port)
    assert client.write_raw('set_low_power') == b''
    assert fleet.miner('127.0.0.2').down == 'btminer'
    assert exchange('127.0.0.2', fleet.port, {'cmd': 'summary'}) == FAILED
    assert exchange('127.0.0.2', fleet.port, {'cmd': 'get_token'}) == FAILED
    assert wait_until(lambda: exchange('127.0.0.2', fleet.port, {'cmd': 'summary'}) != FAILED, timeout=5)
    assert json.loads(exchange('127.0.0.2', fleet.port, {'cmd': 'summary'}))['SUMMARY'][0]['Power Mode'] == 'Low'
    # the token survived a btminer restart
    assert client.write('set_led', param='auto')['Code'] == 131


def test_reboot_accepts_and_closes_without_data(make_fleet):
    fleet = make_fleet(['127.0.0.2'], reboot_seconds=1.5)
    client = Client('127.0.0.2', fleet.port)
    assert client.write_raw('reboot') == b''
    assert fleet.miner('127.0.0.2').down == 'board'
    with connect('127.0.0.2', fleet.port) as sock:
        assert read_all(sock) == b''
    assert exchange('127.0.0.2', fleet.port, {'cmd': 'status'}) == b''
    assert wait_until(lambda: exchange('127.0.0.2', fleet.port, {'cmd': 'status'}) != b'', timeout=5)
    assert json.loads(exchange('127.0.0.2', fleet.port, {'cmd': 'summary'}))['SUMMARY'][0]['Uptime'] < 5


def test_reply_before_restart(make_fleet):
    fleet = make_fleet(['127.0.0.2'], restart_seconds=1.0)
    fleet.miner('127.0.0.2').set(reply_before_restart=True)
    client = Client('127.0.0.2', fleet.port)
    reply = client.write('restart_btminer')
    assert reply['Code'] == 131 and reply['Msg'] == 'API command OK'
    assert fleet.miner('127.0.0.2').down == 'btminer'


def test_requests_while_down_are_counted(make_fleet):
    fleet = make_fleet(['127.0.0.2'], restart_seconds=1.5)
    miner = fleet.miner('127.0.0.2')
    client = Client('127.0.0.2', fleet.port)
    client.login()
    assert client.write_raw('restart_btminer') == b''
    miner.reset_counters()
    assert client.write_raw('restart_btminer') == FAILED
    counters = miner.counters
    assert counters['write_requests'] == 1 and counters['writes_applied'] == 0
    assert counters['commands'] == {'restart_btminer': 1}


def test_net_config_static_loopback_moves_the_miner(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], reboot_seconds=0.4)
    client = Client('127.0.0.2', fleet.port)
    reply = client.write_raw('net_config', ip='127.0.0.42', mask='255.255.255.0', gate='127.0.0.1',
                             dns='127.0.0.1 127.0.0.53', host='moved-miner')
    assert reply == b''
    assert wait_until(lambda: fleet.miner('127.0.0.2').host == '127.0.0.42' and fleet.miner('127.0.0.42').down is None,
                      timeout=5)
    info = Client('127.0.0.42', fleet.port).read('get_miner_info', info='ip,proto,netmask,gateway,dns,hostname')['Msg']
    assert info == {'ip': '127.0.0.42', 'proto': 'static', 'netmask': '255.255.255.0', 'gateway': '127.0.0.1',
                    'dns': '127.0.0.1 127.0.0.53', 'hostname': 'moved-miner'}
    # nobody answers at the old address any more
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex(('127.0.0.2', fleet.port)) != 0
    assert '127.0.0.42' in fleet.hosts and '127.0.0.2' not in fleet.hosts
    # the other miner is unaffected
    assert json.loads(exchange('127.0.0.3', fleet.port, {'cmd': 'status'}))['STATUS'] == 'S'


def test_net_config_to_a_taken_address_stays(make_fleet):
    fleet = make_fleet(['127.0.0.2', '127.0.0.3'], reboot_seconds=0.3)
    client = Client('127.0.0.2', fleet.port)
    client.write_raw('net_config', ip='127.0.0.3', mask='255.0.0.0', gate='127.0.0.1', dns='127.0.0.1')
    assert wait_until(lambda: fleet.miner('127.0.0.2').down is None, timeout=5)
    assert fleet.miner('127.0.0.2').host == '127.0.0.2'


def test_never_returns_until_cleared(make_fleet):
    fleet = make_fleet(['127.0.0.2'], restart_seconds=0.2)
    miner = fleet.miner('127.0.0.2')
    miner.add_fault('never_returns')
    Client('127.0.0.2', fleet.port).write_raw('restart_btminer')
    time.sleep(0.6)
    assert exchange('127.0.0.2', fleet.port, {'cmd': 'status'}) == FAILED
    miner.clear_faults()
    assert wait_until(lambda: miner.down is None, timeout=3)
    assert json.loads(exchange('127.0.0.2', fleet.port, {'cmd': 'status'}))['STATUS'] == 'S'
