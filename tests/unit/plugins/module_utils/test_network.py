# -*- coding: utf-8 -*-
"""whatsminer_network planning, validation, the move to a new address and DHCP, against fake
miners on a fake site. Every planning test has a check-mode twin on a strict miner."""

from __future__ import annotations

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils._applied import AppliedStore
from ansible_collections.minerops.whatsminer.plugins.module_utils._detect import ApiCache, MemoryApiCache
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import ValidationError
from ansible_collections.minerops.whatsminer.plugins.module_utils._network import (
    HOSTNAME_PENDING, NETWORK_SPEC, NetworkTask, desired_network, netmask_prefix, network_from_record)
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply

from .fake_site import NetMiner, Site

FLAVORS = ('2022', '2025')
STATIC = {'ip': '192.0.2.50', 'netmask': '255.255.255.0', 'gateway': '192.0.2.1', 'dns': ['192.0.2.1', '1.1.1.1']}


def params(**options):
    base = {'host': '192.0.2.10', 'port': 4028, 'password': 'pw', 'timeout': 5.0, 'api_version': 'auto',
            'v3_port': 4433, 'wait': True, 'wait_timeout': 60, 'state': 'merged'}
    base.update(options)
    return base


def task(site, tmp_path, check_mode=False, api_cache=None, **options):
    clock = [0.0]

    def monotonic():
        clock[0] += 0.5
        return clock[0]
    return NetworkTask(params(**options), check_mode=check_mode, client_factory=site.client,
                       applied=AppliedStore(str(tmp_path / 'applied')), monotonic=monotonic, sleep=lambda s: None,
                       api_cache=api_cache if api_cache is not None else MemoryApiCache())


def writes_of(site):
    return [entry for entry in site.log if entry[0] == 'write']


# -- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize('options, message', [
    ({'dhcp': True, 'ip': '192.0.2.50'}, 'ip cannot be combined with dhcp=true'),
    ({'dhcp': True, 'dns': ['1.1.1.1']}, 'dns cannot be combined with dhcp=true'),
    ({'dhcp': False}, 'a static address (dhcp=false) needs ip, netmask and gateway; missing: ip, netmask, gateway'),
    ({'ip': '192.0.2.50'}, 'missing: netmask, gateway'),
    ({'dns': ['1.1.1.1']}, 'missing: ip, netmask, gateway'),
    (dict(STATIC, ip='192.0.2.300'), 'ip must be an IPv4 address'),
    (dict(STATIC, ip='192.0.2'), 'ip must be an IPv4 address'),
    (dict(STATIC, ip='224.0.0.5'), 'ip must be a unicast IPv4 address'),
    (dict(STATIC, ip='0.0.0.0'), 'ip must be a unicast IPv4 address'),
    (dict(STATIC, netmask='255.0.255.0'), 'netmask must be a contiguous IPv4 netmask'),
    (dict(STATIC, netmask='0.0.0.255'), 'netmask must be a contiguous IPv4 netmask'),
    (dict(STATIC, netmask='255.255.255.255'), 'netmask must be a contiguous IPv4 netmask'),
    (dict(STATIC, netmask='24'), 'netmask must be a contiguous IPv4 netmask'),
    (dict(STATIC, gateway='192.0.3.1'), 'gateway 192.0.3.1 must be inside ip/netmask (192.0.2.0/24)'),
    (dict(STATIC, gateway='192.0.2.50'), 'gateway must differ from ip'),
    (dict(STATIC, gateway='192.0.2.255'), 'gateway 192.0.2.255 is the network or broadcast address'),
    (dict(STATIC, ip='192.0.2.0'), 'ip 192.0.2.0 is the network or broadcast address of 192.0.2.0/24'),
    (dict(STATIC, dns=[]), 'dns must list 1 to 3 IPv4 addresses, got 0'),
    (dict(STATIC, dns=['1.1.1.1'] * 4), 'dns must list 1 to 3 IPv4 addresses, got 4'),
    (dict(STATIC, dns=['1.1.1.1', 'dns.example']), 'dns[2] must be an IPv4 address'),
    ({'hostname': 'rack3.slot21'}, 'hostname must be one label of 1 to 63 letters, digits and hyphens'),
    ({'hostname': '-rack3'}, 'hostname must be one label'),
    ({'hostname': 'rack3-'}, 'hostname must be one label'),
    ({'hostname': 'a' * 64}, 'hostname must be one label'),
    ({'hostname': 'rack 3'}, 'hostname must be one label'),
])
def test_bad_input_fails_before_contact(options, message, tmp_path):
    site = Site(NetMiner(strict=True))
    with pytest.raises(ValidationError) as err:
        task(site, tmp_path, **options).run()
    assert message in str(err.value)
    assert not site.log and not site.factory_calls


def test_every_problem_is_named_at_once():
    with pytest.raises(ValidationError) as err:
        desired_network(params(ip='192.0.2.300', netmask='255.0.255.0', gateway='x', hostname='a.b'))
    text = str(err.value)
    for option in ('ip must', 'netmask must', 'gateway must', 'hostname must'):
        assert option in text


@pytest.mark.parametrize('mask, prefix', [('255.255.255.0', 24), ('255.255.254.0', 23), ('128.0.0.0', 1),
                                          ('255.255.255.255', 32), ('0.0.0.0', 0), ('255.0.255.0', None),
                                          ('0.255.255.255', None), ('255.255.255', None)])
def test_netmask_prefix(mask, prefix):
    assert netmask_prefix(mask) == prefix


def test_desired_values():
    assert desired_network(params(dhcp=True, hostname='r1')) == {'dhcp': True, 'hostname': 'r1'}
    assert desired_network(params(**STATIC)) == dict(STATIC, dhcp=False)
    assert desired_network(params(hostname='r1')) == {'hostname': 'r1'}
    assert desired_network(params()) == {}


def test_reported_values_are_normalised():
    record = {'ip': '192:168:2:16', 'proto': 'Static', 'netmask': '255.255.255.0', 'gateway': '192.168.2.1',
              'dns': '114.114.114.114 192.168.0.1', 'hostname': 'WhatsMiner-16', 'mac': 'c6:07:20:00:1e:c2'}
    assert network_from_record(record) == {'dhcp': False, 'ip': '192.168.2.16', 'netmask': '255.255.255.0',
                                           'gateway': '192.168.2.1', 'dns': ['114.114.114.114', '192.168.0.1'],
                                           'hostname': 'WhatsMiner-16', 'mac': 'C6:07:20:00:1E:C2'}
    assert network_from_record({'proto': 'dhcp', 'dns': ['1.1.1.1', '8.8.8.8']})['dns'] == ['1.1.1.1', '8.8.8.8']
    assert network_from_record({'dns': '1.1.1.1,8.8.8.8'})['dns'] == ['1.1.1.1', '8.8.8.8']
    assert network_from_record({})['dhcp'] is None


def test_spec_has_no_secret_looking_option_without_no_log():
    assert NETWORK_SPEC['password']['no_log'] is True
    assert set(NETWORK_SPEC) >= {'dhcp', 'ip', 'netmask', 'gateway', 'dns', 'hostname', 'wait', 'wait_timeout', 'state'}


# -- static address: the move ------------------------------------------------------------------
@pytest.mark.parametrize('flavor', FLAVORS)
def test_static_move_waits_and_verifies_at_the_new_address(flavor, tmp_path):
    miner = NetMiner(flavor)
    site = Site(miner)
    AppliedStore(str(tmp_path / 'applied')).update('192.0.2.10:4028', {'temp_offset': -5})
    cache = MemoryApiCache()
    cache.put(ApiCache.key('192.0.2.10', 4028, 4433), 'v3', salt='abcdefgh')
    result = task(site, tmp_path, api_cache=cache, **STATIC).run()
    assert 'failed' not in result, result
    assert result['changed'] is True and result['moved'] is True and result['address'] == '192.0.2.50'
    (command, sent), = miner.writes
    assert command == 'net_config'
    assert sent == {'ip': '192.0.2.50', 'mask': '255.255.255.0', 'gate': '192.0.2.1', 'dns': '192.0.2.1 1.1.1.1',
                    'host': 'WhatsMiner-10'}, 'the current hostname travels along'
    assert result['commands'][0]['outcome'] == 'unknown' and result['commands'][0]['restarts'] == 'board'
    assert result['before'] == {'dhcp': True, 'ip': '192.0.2.10', 'netmask': '255.255.255.0',
                                'gateway': '192.0.2.1', 'dns': ['192.0.2.1']}
    assert result['after'] == dict(STATIC, dhcp=False)
    assert result['verified'] is True and result['restarted'] is True
    # waited with an API v2 probe at the new address, then verified there
    assert ('wait', '192.0.2.50', 'status') in site.log
    assert site.factory_calls[-2]['host'] == '192.0.2.50' and site.factory_calls[-1]['api_version'] == 'v2'
    assert ('read', '192.0.2.50', 'get_miner_info') in site.log
    # the last-applied record follows the miner
    store = AppliedStore(str(tmp_path / 'applied'))
    assert store.load('192.0.2.50:4028') == {'temp_offset': -5} and store.load('192.0.2.10:4028') == {}
    assert cache.get(ApiCache.key('192.0.2.10', 4028, 4433)) is None, 'the vacated address is detected afresh'
    again = task(site, tmp_path, host='192.0.2.50', **STATIC).run()
    assert again['changed'] is False and again['commands'] == [] and again['address'] == '192.0.2.50'
    assert len(miner.writes) == 1


@pytest.mark.parametrize('flavor', FLAVORS)
def test_static_move_check_mode_sends_nothing(flavor, tmp_path):
    site = Site(NetMiner(flavor, strict=True))
    result = task(site, tmp_path, check_mode=True, hostname='rack3-slot21', **STATIC).run()
    assert result['changed'] is True and result['address'] == '192.0.2.10' and result['moved'] is False
    assert [c['command'] for c in result['commands']] == ['net_config']
    assert result['commands'][0]['params']['host'] == 'rack3-slot21'
    assert result['after']['ip'] == '192.0.2.50' and result['diff']['before']['ip'] == '192.0.2.10'
    assert not writes_of(site)


def test_static_change_at_the_same_address_waits_there(tmp_path):
    miner = NetMiner()
    miner.net.update({'proto': 'static', 'ip': '192.0.2.10'})
    site = Site(miner)
    result = task(site, tmp_path, ip='192.0.2.10', netmask='255.255.255.0', gateway='192.0.2.1', dns=['9.9.9.9']).run()
    assert result['changed'] is True and result['moved'] is False and result['address'] == '192.0.2.10'
    assert result['before'] == {'dhcp': False, 'ip': '192.0.2.10', 'netmask': '255.255.255.0',
                                'gateway': '192.0.2.1', 'dns': ['192.0.2.1']}
    assert result['commands'][0]['settings'] == ['dns']
    assert ('wait', '192.0.2.10', 'status') in site.log


def test_dns_not_given_keeps_the_current_servers(tmp_path):
    miner = NetMiner()
    site = Site(miner)
    result = task(site, tmp_path, ip='192.0.2.50', netmask='255.255.255.0', gateway='192.0.2.1').run()
    assert miner.writes[0][1]['dns'] == '192.0.2.1'
    assert 'dns' not in result['before']


def test_dns_not_given_and_none_reported_fails_before_any_write(tmp_path):
    miner = NetMiner(strict=True)
    miner.net['dns'] = ''
    site = Site(miner)
    with pytest.raises(ValidationError) as err:
        task(site, tmp_path, ip='192.0.2.50', netmask='255.255.255.0', gateway='192.0.2.1').run()
    assert 'dns is required' in str(err.value)


class StaysPut(NetMiner):
    """Takes net_config but keeps answering at its old address (refused the new one)."""

    def _net_config(self, params):
        old = self.address
        result = super()._net_config(params)
        self.address = old
        return result


def test_static_move_that_never_answers_fails_with_a_hint(tmp_path):
    site = Site(StaysPut())
    result = task(site, tmp_path, **STATIC).run()
    assert result['failed'] is True and result['error']['kind'] == 'timeout'
    assert 'did not answer at its new address 192.0.2.50' in result['msg']
    assert 'kept its old address 192.0.2.10' in result['msg']
    assert result['changed'] is False, 'an unconfirmed write is not reported as a change'
    assert result['address'] == '192.0.2.50' and result['moved'] is True


def test_forced_v3_waits_with_the_v3_client(tmp_path):
    site = Site(NetMiner())
    result = task(site, tmp_path, api_version='v3', **STATIC).run()
    assert result['verified'] is True
    assert [call['api_version'] for call in site.factory_calls] == ['v3', 'v3'], 'no API v2 probe'
    assert ('wait', '192.0.2.50', 'status') in site.log


def test_wait_false_returns_after_sending(tmp_path):
    site = Site(NetMiner())
    result = task(site, tmp_path, wait=False, **STATIC).run()
    assert result['changed'] is True and result['address'] == '192.0.2.50'
    assert not [entry for entry in site.log if entry[0] == 'wait'] and 'verified' not in result


# -- DHCP -------------------------------------------------------------------------------------------
def static_miner(flavor='2022'):
    miner = NetMiner(flavor)
    miner.net.update({'proto': 'static'})
    return miner


@pytest.mark.parametrize('flavor', FLAVORS)
def test_dhcp_back_at_the_same_address(flavor, tmp_path):
    miner = static_miner(flavor)
    site = Site(miner)
    result = task(site, tmp_path, dhcp=True).run()
    assert result['changed'] is True and result['address'] == '192.0.2.10' and result['verified'] is True
    assert miner.writes == [('net_config', {'param': 'dhcp'})]
    assert result['before'] == {'dhcp': False} and result['after'] == {'dhcp': True}
    assert 'answers at 192.0.2.10 again' in result['address_note']
    assert task(site, tmp_path, dhcp=True).run()['changed'] is False


@pytest.mark.parametrize('flavor', FLAVORS)
def test_dhcp_check_mode_says_the_address_may_change(flavor, tmp_path):
    site = Site(NetMiner(flavor, strict=True))
    site.miners[0].net['proto'] = 'static'
    result = task(site, tmp_path, check_mode=True, dhcp=True).run()
    assert result['changed'] is True and result['commands'][0]['params'] == {'param': 'dhcp'}
    assert 'minerops.whatsminer.whatsminer' in result['address_note']
    assert 'C6:07:20:00:00:10' in result['address_note']


def test_dhcp_lost_miner_is_not_a_failure(tmp_path):
    miner = static_miner()
    miner.dhcp_address = '192.0.2.99'
    site = Site(miner)
    result = task(site, tmp_path, dhcp=True).run()
    assert 'failed' not in result and result['changed'] is True
    assert result['address'] is None and result['verified'] is False and result['mac'] == 'C6:07:20:00:00:10'
    warning, = result['warnings']
    assert 'did not answer at 192.0.2.10' in warning and 'inventory plugin minerops.whatsminer.whatsminer' in warning
    assert 'C6:07:20:00:00:10' in warning


def test_dhcp_without_wait_has_no_known_address(tmp_path):
    result = task(Site(static_miner()), tmp_path, dhcp=True, wait=False).run()
    assert result['address'] is None and 'cannot know' in result['address_note']


def test_dhcp_and_hostname_set_the_hostname_first(tmp_path):
    miner = static_miner()
    result = task(Site(miner), tmp_path, dhcp=True, hostname='rack3-slot21').run()
    assert [command for command, _params in miner.writes] == ['set_hostname', 'net_config']
    assert result['after'] == {'dhcp': True, 'hostname': 'rack3-slot21'}


# -- hostname alone ---------------------------------------------------------------------------------
@pytest.mark.parametrize('flavor', FLAVORS)
def test_hostname_alone_uses_set_hostname_without_reboot(flavor, tmp_path):
    miner = NetMiner(flavor)
    site = Site(miner)
    result = task(site, tmp_path, hostname='rack3-slot21').run()
    assert miner.writes == [('set_hostname', {'hostname': 'rack3-slot21'})]
    assert result['commands'][0]['outcome'] == 'ok' and 'restarts' not in result['commands'][0]
    assert result['after'] == {'hostname': 'rack3-slot21'} and 'warnings' not in result
    assert not [entry for entry in site.log if entry[0] == 'wait']
    assert task(Site(NetMiner(flavor, strict=True)), tmp_path, check_mode=True,
                hostname='rack3-slot21').run()['changed'] is True


def test_hostname_that_shows_only_after_a_restart_is_not_resent(tmp_path):
    miner = NetMiner()
    miner.hostname_lags = True
    site = Site(miner)
    first = task(site, tmp_path, hostname='rack3-slot21').run()
    assert first['changed'] is True and 'failed' not in first
    assert 'takes effect when the miner\'s network restarts' in first['warnings'][0]
    store = AppliedStore(str(tmp_path / 'applied'))
    assert store.load('192.0.2.10:4028') == {HOSTNAME_PENDING: 'rack3-slot21'}
    second = task(site, tmp_path, hostname='rack3-slot21').run()
    assert second['changed'] is False and len(miner.writes) == 1 and 'warnings' in second
    # a reboot (here: the next network change) applies it; the record is then dropped
    miner.net['hostname'], miner.pending_hostname = miner.pending_hostname, None
    third = task(site, tmp_path, hostname='rack3-slot21').run()
    assert third['changed'] is False and 'warnings' not in third
    assert store.load('192.0.2.10:4028') == {}


# -- gathered / rendered ------------------------------------------------------------------------------
def test_gathered(tmp_path):
    site = Site(NetMiner(strict=True))
    result = task(site, tmp_path, state='gathered').run()
    assert result == {'changed': False, 'address': '192.0.2.10', 'mac': 'C6:07:20:00:00:10',
                      'gathered': {'dhcp': True, 'ip': '192.0.2.10', 'netmask': '255.255.255.0',
                                   'gateway': '192.0.2.1', 'dns': ['192.0.2.1'], 'hostname': 'WhatsMiner-10'}}


def test_rendered_contacts_nothing(tmp_path):
    site = Site(NetMiner(strict=True))
    rendered = task(site, tmp_path, state='rendered', ip='192.0.2.50', netmask='255.255.255.0',
                    gateway='192.0.2.1').run()['rendered']
    assert rendered == [{'command': 'net_config', 'params': {'ip': '192.0.2.50', 'mask': '255.255.255.0',
                                                             'gate': '192.0.2.1', 'dns': '<current dns>'},
                         'settings': ['dhcp', 'ip', 'netmask', 'gateway'], 'restarts': 'board'}]
    assert task(site, tmp_path, state='rendered', hostname='r1').run()['rendered'][0]['command'] == 'set_hostname'
    assert not site.log and not site.factory_calls


class SlowToReboot(NetMiner):
    """Keeps answering for a few reads after net_config before it reboots (as real boards do):
    summary reports the old uptime until then."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.summaries_before_reboot = None

    def _net_config(self, params):
        result = super()._net_config(params)
        self.summaries_before_reboot = 3
        return result

    def read(self, command, **params):
        if command == 'summary':
            self.reads.append(command)
            uptime = 86400
            if self.summaries_before_reboot is not None:
                if self.summaries_before_reboot > 0:
                    self.summaries_before_reboot -= 1
                else:
                    uptime = 1
            return Reply({'STATUS': 'S', 'Code': 131, 'Msg': {'Uptime': uptime, 'Power Mode': 'Normal'}})
        return super().read(command, **params)


def test_a_miner_that_has_not_rebooted_yet_is_waited_for(tmp_path):
    miner = SlowToReboot()
    miner.net.update({'proto': 'static'})
    site = Site(miner)
    result = task(site, tmp_path, ip='192.0.2.10', netmask='255.255.255.0', gateway='192.0.2.1', dns=['9.9.9.9']).run()
    assert result['verified'] is True
    assert miner.reads.count('summary') == 4, 'three reads with the old uptime, then the reboot was seen'
    summaries = [i for i, entry in enumerate(site.log) if entry[2] == 'summary']
    verify = max(i for i, entry in enumerate(site.log) if entry[2] == 'get_miner_info')
    assert verify > summaries[-1], 'verified only after the reboot was seen'


class NeverReboots(SlowToReboot):
    """Takes net_config, keeps answering with its old uptime: it never reboots."""

    def _net_config(self, params):
        result = super()._net_config(params)
        self.summaries_before_reboot = 10 ** 6
        return result


def test_dhcp_miner_that_answers_but_never_reboots_fails(tmp_path):
    miner = NeverReboots()
    miner.net.update({'proto': 'static'})
    result = task(Site(miner), tmp_path, dhcp=True, wait_timeout=5).run()
    assert result['failed'] is True and result['error']['kind'] == 'timeout'
    assert 'has not restarted' in result['msg'] and result['changed'] is False
