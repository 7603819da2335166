# -*- coding: utf-8 -*-
"""Every write: parameter encodings and checks, and the effect visible in reads."""

from __future__ import annotations

import json

import pytest

from wmclient import Client, exchange, wait_until

OK = {'STATUS': 'S', 'Code': 131, 'Msg': 'API command OK', 'Description': ''}


def ok(reply):
    """True for the decrypted success reply."""
    return {key: reply.get(key) for key in OK} == OK and isinstance(reply.get('When'), int)


def wait_up(client):
    """Wait until the miner answers status again."""
    def answered():
        try:
            return json.loads(client.raw({'cmd': 'status'})).get('STATUS') == 'S'
        except ValueError:
            return False
    assert wait_until(answered, timeout=5)


@pytest.fixture
def client(fleet_any):
    return Client('127.0.0.4', fleet_any.port)


def status_of(client):
    return client.read('status')['Msg']


def summary_of(client):
    reply = client.read('summary')
    return reply['SUMMARY'][0] if 'SUMMARY' in reply else reply['Msg']


def test_update_pools(client, fleet_any):
    pools = {'pool1': 'stratum+tcp://pool.example:3333', 'worker1': 'acct.w1', 'passwd1': 'x',
             'pool2': 'stratum+tcp://backup.example:3333', 'worker2': 'acct.w2', 'passwd2': 'y',
             'pool3': '', 'worker3': '', 'passwd3': ''}
    assert ok(client.write('update_pools', **pools))
    reply = client.read('pools')
    entries = reply['POOLS'] if 'POOLS' in reply else reply['Msg']['POOLS']
    assert [(e['URL'], e['User'], e['Priority']) for e in entries] == [
        ('stratum+tcp://pool.example:3333', 'acct.w1', 0), ('stratum+tcp://backup.example:3333', 'acct.w2', 1)]
    assert fleet_any.miner('127.0.0.4').state['pools'][1]['passwd'] == 'y'
    missing = dict(pools)
    del missing['passwd3']
    assert client.write('update_pools', **missing)['Code'] == 132
    assert client.write('update_pools', **dict(pools, worker3=None))['Code'] == 132


def test_led(client):
    assert ok(client.write('set_led', color='red', period=1000, duration=500, start=0))
    assert client.read('get_miner_info', info='ledstat')['Msg'] == {'ledstat': 'manual'}
    assert ok(client.write('set_led', param='auto'))
    assert client.read('get_miner_info', info='ledstat')['Msg'] == {'ledstat': 'auto'}
    assert client.write('set_led', color='blue', period=1000, duration=500, start=0)['Code'] == 132
    assert client.write('set_led', color='red', period=1000, duration=2000, start=0)['Code'] == 132


def test_power_off_and_on(client, fleet_any):
    assert ok(client.write('power_off', respbefore='true'))
    status = status_of(client)
    assert status.get('btmineroff', status.get('mineroff')) == 'true'
    assert summary_of(client)['Power'] == 0
    assert ok(client.write('power_on'))
    status = status_of(client)
    assert status.get('btmineroff', status.get('mineroff')) == 'false'
    # without respbefore the miner stops before answering
    assert client.write_raw('power_off') == b''
    assert fleet_any.miner('127.0.0.4').state['mining'] is False


def test_power_modes_restart_and_show(client, fleet_any):
    before = summary_of(client)
    assert client.write_raw('set_low_power') == b''
    wait_up(client)
    after = summary_of(client)
    assert after['Power Mode'] == 'Low'
    assert after['Power'] < before['Power']
    if fleet_any.miner('127.0.0.4').flavor == '2025':
        assert status_of(client)['power_mode'] == 'low'
    else:
        assert status_of(client)['power_mode'] == 'Low'
    client.login()
    assert client.write_raw('set_high_power') == b''
    wait_up(client)
    assert summary_of(client)['Power Mode'] == 'High'


def test_power_limit_and_target_freq(client):
    assert client.write_raw('adjust_power_limit', power_limit='2500') == b''
    wait_up(client)
    summary = summary_of(client)
    assert summary['Power Limit'] == 2500 and summary['Power'] <= 2505
    client.login()
    assert client.write('adjust_power_limit', power_limit='100000')['Code'] == 132
    assert client.write('adjust_power_limit', power_limit='abc')['Code'] == 132
    assert client.write_raw('set_target_freq', percent='-10') == b''
    wait_up(client)
    assert status_of(client)['hash_percent'] == '-10'
    client.login()
    assert client.write('set_target_freq', percent='101')['Code'] == 132
    assert client.write('set_target_freq', percent='5')['Code'] == 132   # air-cooled: no overclocking


def test_fast_boot_and_web_pools(client, fleet_any):
    assert ok(client.write('enable_btminer_fast_boot'))
    assert summary_of(client)['Btminer Fast Boot'] == 'enable'
    assert ok(client.write('disable_btminer_fast_boot'))
    assert summary_of(client)['Btminer Fast Boot'] == 'disable'
    assert ok(client.write('disable_web_pools'))
    assert fleet_any.miner('127.0.0.4').state['web_pools'] is False
    assert ok(client.write('enable_web_pools'))
    assert fleet_any.miner('127.0.0.4').state['web_pools'] is True


def test_hostname_zone_syslog(client, fleet_any):
    assert ok(client.write('set_hostname', hostname='rack3-m07'))
    assert client.read('get_miner_info', info='hostname')['Msg'] == {'hostname': 'rack3-m07'}
    assert client.write('set_hostname', hostname='bad name!')['Code'] == 132
    assert ok(client.write('set_zone', timezone='CET-1CEST', zonename='Europe/Berlin'))
    assert ok(client.write('load_log', ip='127.0.0.1', port='514', proto='udp'))
    state = fleet_any.miner('127.0.0.4').state
    assert (state['timezone'], state['zonename']) == ('CET-1CEST', 'Europe/Berlin')
    assert (state['syslog_ip'], state['syslog_port'], state['syslog_proto']) == ('127.0.0.1', '514', 'udp')
    assert client.write('load_log', ip='127.0.0.1', port='514', proto='icmp')['Code'] == 132


def test_power_percent(client, fleet_any):
    full = summary_of(client)['Power']
    assert ok(client.write('set_power_pct', percent='60'))
    assert summary_of(client)['Power'] < full * 0.7
    assert fleet_any.miner('127.0.0.4').state['power_pct_mode'] == 'fast'
    assert ok(client.write('set_power_pct_v2', percent='80'))
    state = fleet_any.miner('127.0.0.4').state
    assert state['power_pct'] == 80 and state['power_pct_mode'] == 'normal'
    if fleet_any.miner('127.0.0.4').flavor == '2025':
        assert status_of(client)['power_pct'] == '80'
    assert client.write('set_power_pct', percent='101')['Code'] == 132


def test_write_only_fan_and_temp_settings(client, fleet_any):
    assert ok(client.write('set_temp_offset', temp_offset='-10'))
    assert ok(client.write('set_poweroff_cool', poweroff_cool='0'))
    assert ok(client.write('set_fan_zero_speed', fan_zero_speed='1'))
    assert ok(client.write('adjust_upfreq_speed', upfreq_speed='7'))
    state = fleet_any.miner('127.0.0.4').state
    assert (state['temp_offset'], state['poweroff_cool'], state['fan_zero_speed'], state['upfreq_speed']) == (-10, 0, 1, 7)
    if fleet_any.miner('127.0.0.4').flavor == '2025':
        assert client.read('get_miner_info', info='upfreq_speed')['Msg'] == {'upfreq_speed': '7'}
    for cmd, name, value in (('set_temp_offset', 'temp_offset', '5'), ('set_temp_offset', 'temp_offset', '-31'),
                             ('set_poweroff_cool', 'poweroff_cool', '2'), ('set_fan_zero_speed', 'fan_zero_speed', 'x'),
                             ('adjust_upfreq_speed', 'upfreq_speed', '10')):
        reply = client.write(cmd, **{name: value})
        assert reply['STATUS'] == 'E' and reply['Code'] == 132, (cmd, value, reply)


def test_pre_power_on(client, fleet_any):
    assert client.write('pre_power_on')['Code'] == 132       # still mining
    assert ok(client.write('power_off', respbefore='true'))
    assert client.write('pre_power_on')['Msg'] == {'complete': 'false', 'msg': 'wait for adjust temp'}
    assert client.write('pre_power_on')['Msg'] == {'complete': 'false', 'msg': 'adjust continue'}
    fleet_any.advance_clock(10)
    client.login()
    assert client.write('pre_power_on')['Msg'] == {'complete': 'true', 'msg': 'adjust complete'}
    assert ok(client.write('power_on'))


def test_update_pwd(client, fleet_any):
    reply = client.write_raw('update_pwd', old='secret', new='n3w_pw')
    # the reply is encrypted with the OLD key
    assert ok(client.decode(reply))
    assert fleet_any.miner('127.0.0.4').state['password'] == 'n3w_pw'
    # every token died
    assert client.write('set_led', param='auto')['Code'] in (23, 135)
    fresh = Client('127.0.0.4', fleet_any.port, password='n3w_pw')
    assert ok(fresh.write('set_led', param='auto'))
    assert fresh.write('update_pwd', old='wrong', new='abc')['Code'] == 132
    assert fresh.write('update_pwd', old='n3w_pw', new='toolongpassword')['Code'] == 132
    assert fresh.write('update_pwd', old='n3w_pw', new='bad-char')['Code'] == 132
    old_key = Client('127.0.0.4', fleet_any.port, password='secret')
    assert old_key.write('set_led', param='auto')['Code'] == 23


def test_factory_reset(client, fleet_any):
    miner = fleet_any.miner('127.0.0.4')
    assert ok(client.write('set_hostname', hostname='custom'))
    assert client.write_raw('factory_reset') == b''
    wait_up(client)
    state = miner.state
    assert state['password'] == 'admin' and state['write_api'] is False
    assert all(not pool['url'] for pool in state['pools'])
    assert state['power_mode'] == 'Normal' and state['net_proto'] == 'dhcp' and state['hostname'] != 'custom'
    admin = Client('127.0.0.4', fleet_any.port, password='admin')
    reply = admin.write('set_led', param='auto')
    assert (reply['STATUS'], reply['Code'], reply['Msg']) == ('E', 45, "can't access write cmd")
    reply = admin.read('pools')
    entries = reply['POOLS'] if 'POOLS' in reply else reply['Msg']['POOLS']
    assert entries == []


def test_restart_btminer_and_reboot(client):
    assert client.write_raw('restart_btminer') == b''
    wait_up(client)
    client.login()
    assert client.write_raw('reboot') == b''
    wait_up(client)
    assert summary_of(client)['Uptime'] < 5


def test_net_config_dhcp_keeps_address(client):
    assert client.write_raw('net_config', param='dhcp') == b''
    wait_up(client)
    assert client.read('get_miner_info', info='ip,proto')['Msg'] == {'ip': '127.0.0.4', 'proto': 'dhcp'}
    client.login()
    assert client.write('net_config', ip='300.1.1.1', mask='255.255.255.0', gate='127.0.0.1', dns='127.0.0.1')['Code'] == 132


def test_write_counters(client, fleet_any):
    miner = fleet_any.miner('127.0.0.4')
    miner.reset_counters()
    client.write('set_led', param='auto')
    client.write('set_led', color='purple', period=1, duration=1, start=0)
    exchange('127.0.0.4', fleet_any.port, {'cmd': 'set_led', 'param': 'auto'})
    counters = miner.counters
    assert counters['write_requests'] == 3
    assert counters['writes_applied'] == 1
    assert counters['get_token'] == 1
    assert counters['commands']['set_led'] == 3
    assert counters['connections'] == 4
