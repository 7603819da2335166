# -*- coding: utf-8 -*-
"""The API v3 client against the simulator's v3 flavour (a real peer over TCP).

What an operator would notice: one connection per task, every fault a typed error naming the
v3 endpoint within its deadline, the hints for the password and the write switch, the miner's
clock followed, restarts waited for, streams whole, detection per miner, and the engine
converging over v3 exactly as over v2 (check mode sends nothing).
"""

from __future__ import annotations

import gc
import io
import tarfile
import time
import warnings

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _errors as e
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import V2Client
from ansible_collections.minerops.whatsminer.plugins.module_utils._client_v3 import V3Client
from ansible_collections.minerops.whatsminer.plugins.module_utils._detect import ApiCache, detect
from ansible_collections.minerops.whatsminer.plugins.module_utils._facts import gather_facts
from ansible_collections.minerops.whatsminer.plugins.module_utils._system import run_system
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import run_pools, run_power, run_task, run_tuning

from wmsim import Fleet  # pylint: disable=wrong-import-order

from .conftest import PASSWORD, loopback_hosts


@pytest.fixture
def v3fleet():
    with Fleet(loopback_hosts(2), port=0, password=PASSWORD, flavor='v3', restart_seconds=0.6, reboot_seconds=0.9,
               v3_port=0) as running:
        yield running


def client(fleet, host=None, password=PASSWORD, timeout=2.0):
    return V3Client(host or fleet.hosts[0], port=fleet.port, v3_port=fleet.v3_port, password=password, timeout=timeout)


def params(fleet, host=None, **extra):
    values = {'host': host or fleet.hosts[0], 'port': fleet.port, 'v3_port': fleet.v3_port, 'password': PASSWORD,
              'timeout': 2.0, 'api_version': 'auto', 'wait': True, 'wait_timeout': 20, 'update_write_only': 'on_change',
              'state': 'merged', 'power_percent_mode': 'normal'}
    values.update(extra)
    return values


def test_one_connection_for_reads_and_writes(v3fleet):
    cli = client(v3fleet)
    for command in ('summary', 'pools', 'edevs', 'status', 'get_version', 'get_psu', 'get_error_code'):
        assert cli.read(command).ok, command
    assert cli.read('get_miner_info', info='ip,hostname').msg['ip'] == v3fleet.hosts[0]
    assert cli.write('set_led', {'param': 'auto'}).confirmed
    assert cli.write('set_temp_offset', {'temp_offset': '-5'}).confirmed
    counters = v3fleet.miner(v3fleet.hosts[0]).counters
    assert counters['connections'] == 1 and counters['get_token'] == 0
    assert counters['commands']['get.device.info salt'] == 1
    assert v3fleet.miner(v3fleet.hosts[0]).state['temp_offset'] == -5
    cli.close()


def test_both_ports_show_one_state(v3fleet):
    v3 = client(v3fleet)
    v2 = V2Client(v3fleet.hosts[0], port=v3fleet.port, password=PASSWORD, timeout=2.0)
    v3.write('update_pools', {'pool1': 'stratum+tcp://a.example:3333', 'worker1': 'w.1', 'passwd1': 'x',
                              'pool2': '', 'worker2': '', 'passwd2': '', 'pool3': '', 'worker3': '', 'passwd3': ''})
    assert [p['URL'] for p in v2.read('pools').records('POOLS')] == ['stratum+tcp://a.example:3333']
    v2.write('enable_btminer_fast_boot')
    assert v3.read('summary').record('SUMMARY')['Btminer Fast Boot'] == 'enable'
    facts2 = gather_facts(v2, ['status', 'network', 'pools'])['ansible_facts']['whatsminer']
    facts3 = gather_facts(v3, ['status', 'network', 'pools'])['ansible_facts']['whatsminer']
    assert facts2['status'] == facts3['status']
    assert facts2['network'] == facts3['network']
    assert [(p['url'], p['user'], p['priority']) for p in facts2['pools']] == \
        [(p['url'], p['user'], p['priority']) for p in facts3['pools']]
    v3.close()


@pytest.mark.parametrize('kind, error, phrase', [
    ('drop', e.ClosedError, 'closed without a reply'),
    ('garbage', e.ProtocolError, 'not an API v3 reply'),
    ('truncated', e.ClosedError, 'closed after'),
    ('btminer_down', e.ClosedError, 'closed without a reply'),
])
def test_read_faults_are_typed(v3fleet, kind, error, phrase):
    v3fleet.miner(v3fleet.hosts[0]).add_fault(kind, count=1)
    started = time.monotonic()
    with pytest.raises(error) as err:
        client(v3fleet).read('get_version')
    assert phrase in str(err.value)
    assert '%s:%s' % (v3fleet.hosts[0], v3fleet.v3_port) in str(err.value)
    assert time.monotonic() - started < 5


def test_delay_past_timeout_names_the_phase(v3fleet):
    v3fleet.miner(v3fleet.hosts[0]).add_fault('delay', seconds=3, count=1)
    with pytest.raises(e.DeadlineError) as err:
        client(v3fleet, timeout=0.5).read('get_version')
    assert err.value.phase == 'first_byte'


def test_wrong_password_hint(v3fleet):
    with pytest.raises(e.AuthError) as err:
        client(v3fleet, password='wrong1').write('set_led', {'param': 'auto'})
    assert 'miner password is wrong' in str(err.value) and 'wrong1' not in str(err.value)
    assert v3fleet.miner(v3fleet.hosts[0]).counters['writes_applied'] == 0


def test_wrong_password_answered_by_silence(v3fleet):
    v3fleet.miner(v3fleet.hosts[0]).add_fault('silent_wrong_password')
    with pytest.raises(e.AuthError) as err:
        client(v3fleet, password='wrong1', timeout=0.7).write('set_led', {'param': 'auto'})
    assert 'no reply' in str(err.value)


def test_write_switch_off_and_factory_password_hint(v3fleet):
    miner = v3fleet.miner(v3fleet.hosts[0])
    miner.set(write_api=False)
    with pytest.raises(e.WriteDisabledError) as err:
        client(v3fleet).write('set_led', {'param': 'auto'})
    assert 'WhatsMinerTool' in str(err.value) and 'factory password' in str(err.value)
    miner.set(write_api=True, password='admin')
    with pytest.raises(e.WriteDisabledError):
        client(v3fleet, password='admin').write('set_led', {'param': 'auto'})


def test_refused_token_is_retried_once(v3fleet):
    miner = v3fleet.miner(v3fleet.hosts[0])
    miner.add_fault('token_expired', count=1)
    assert client(v3fleet).write('set_led', {'param': 'auto'}).confirmed
    miner.add_fault('token_expired')
    with pytest.raises(e.TokenExpiredError) as err:  # the clock, not the password
        client(v3fleet).write('set_led', {'param': 'auto'})
    assert 'clock' in str(err.value)
    assert miner.counters['commands']['set.system.led'] == 4


def test_miner_clock_is_followed(v3fleet):
    v3fleet.advance_clock(2 * 3600)
    assert client(v3fleet).write('set_led', {'param': 'auto'}).confirmed


def test_eleventh_client_is_turned_away(v3fleet):
    clients = [client(v3fleet) for dummy in range(10)]
    for cli in clients:
        cli.read('get_version')
    with pytest.raises(e.ClosedError):
        client(v3fleet).read('get_version')
    for cli in clients:
        cli.close()


def test_restarting_write_then_wait_and_verify(v3fleet):
    cli = client(v3fleet)
    assert cli.write('set_low_power').outcome == 'unknown'
    assert cli.wait_until_up(10) > 0.3
    assert cli.read('status').msg['power_mode'] == 'low'
    assert cli.write('reboot').outcome == 'unknown'
    cli.wait_until_up(10)
    assert cli.write('set_led', {'param': 'auto'}).confirmed


def test_unsupported_command_is_named(v3fleet):
    with pytest.raises(e.UnsupportedError) as err:
        client(v3fleet).write('pre_power_on')
    assert 'not supported by this firmware (API v3)' in str(err.value)


def test_firmware_upload_and_log_download(v3fleet, tmp_path):
    from wmsim.firmware import write_image  # pylint: disable=import-outside-toplevel
    image = tmp_path / 'fw.bin'
    write_image(str(image), '20250901.02.Rel', 3 * 1024 * 1024)
    cli = client(v3fleet)
    sent = []
    result = cli.upload_firmware(str(image), progress=lambda done, total: sent.append(done))
    assert result.outcome == 'ok' and sent[-1] == image.stat().st_size
    cli.wait_until_up(15)
    assert cli.read('get_version').msg['fw_ver'] == '20250901.02.Rel'
    buf = io.BytesIO()
    assert cli.download_logs(buf) == len(buf.getvalue()) > 0
    with tarfile.open(fileobj=io.BytesIO(buf.getvalue()), mode='r:gz') as archive:
        assert archive.getnames()


def test_detection_per_miner_in_a_mixed_fleet(tmp_path):
    hosts = loopback_hosts(3)
    flavors = dict(zip(hosts, ('2022', '2025', 'v3')))
    with Fleet(hosts, port=0, password=PASSWORD, flavor=flavors, v3_port=0) as fleet:
        cache = ApiCache(str(tmp_path / 'api'))
        found = [detect(host, fleet.port, fleet.v3_port, 2, cache=cache).api for host in hosts]
        assert found == ['v2', 'v2', 'v3']
        version = V2Client(hosts[2], port=fleet.port).read('get_version').msg
        assert detect(hosts[2], fleet.port, fleet.v3_port, 2, version=version).api == 'v3'


def test_a_task_closes_its_connection(v3fleet, private_state):
    """A task closes its v3 connection when it ends instead of leaving it to garbage collection
    or the worker's exit (a v3 miner serves at most 10 clients): no unclosed socket is left."""
    gc.collect()  # sockets earlier tests left behind are not this test's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', ResourceWarning)
        for offset in (-3, -2):
            result = run_task(run_tuning, params(v3fleet, temp_offset=offset), False)
            assert result['changed'] and not result.get('failed'), result
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning) and 'socket' in str(w.message)]
    assert not unclosed, unclosed
    assert v3fleet.miner(v3fleet.hosts[0]).state['temp_offset'] == -2


def test_time_zone_changed_on_the_miner_is_seen_over_v3(v3fleet, private_state):
    """API v3 reads the time zone and web pools back: a change made on the miner itself (web
    interface, WhatsMinerTool) is found and undone, where v2 relies on its last-applied record."""
    miner = v3fleet.miner(v3fleet.hosts[0])
    zone = params(v3fleet, timezone='CET-1CEST,M3.5.0,M10.5.0/3', zonename='Europe/Berlin', web_pools=False)
    first = run_task(run_system, zone, False)
    assert first['changed'] and first['write_only'] == [] and not first.get('failed'), first
    assert run_task(run_system, zone, False)['changed'] is False
    miner.set(timezone='UTC0', zonename='UTC', web_pools=True)
    again = run_task(run_system, zone, False)
    assert again['changed'] and again['before']['zonename'] == 'UTC' and again['before']['web_pools'] is True
    assert (miner.state['zonename'], miner.state['web_pools']) == ('Europe/Berlin', False)


def test_engine_over_auto_detected_v3(v3fleet, private_state):
    host = v3fleet.hosts[0]
    miner = v3fleet.miner(host)
    check = run_power(params(v3fleet, mode='low', power_limit=3000), check_mode=True)
    assert check['changed'] and miner.counters['write_requests'] == 0
    first = run_power(params(v3fleet, mode='low', power_limit=3000), check_mode=False)
    assert first['changed'] and not first.get('failed') and first['after'] == {'mode': 'low', 'power_limit': 3000}
    assert run_power(params(v3fleet, mode='low', power_limit=3000), check_mode=False)['changed'] is False
    pools = [{'url': 'stratum+tcp://btc.pool.example:3333', 'user': 'acct.1', 'password': 'x'}]
    pool_params = params(v3fleet, pools=pools, update_password='on_change', state='replaced')
    assert run_pools(pool_params, check_mode=False)['changed']
    assert not run_pools(pool_params, check_mode=False)['changed']
    counters = miner.counters
    assert counters['get_token'] == 0 and counters['commands']['get.device.info salt'] == 1
    assert (private_state / 'api').is_dir()


def test_bad_input_sends_nothing(v3fleet):
    result = run_task(run_power, params(v3fleet, power_limit=100000), False)
    assert result['failed'] and 'power_limit must be an integer from 0 to 99999' in result['msg']
    counters = v3fleet.miner(v3fleet.hosts[0]).counters
    assert counters['write_requests'] == 0 and counters['connections'] == 0


def test_preheat_is_skipped_with_a_warning_on_v3(v3fleet):
    miner = v3fleet.miner(v3fleet.hosts[0])
    miner.set(mining=False)
    result = run_task(run_power, params(v3fleet, mining='started', preheat=True, preheat_timeout=30), False)
    assert result['changed'] and not result.get('failed'), result
    assert any('not supported by this firmware (API v3)' in warning for warning in result['warnings'])
    assert miner.state['mining'] is True
