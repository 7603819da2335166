# -*- coding: utf-8 -*-
"""whatsminer_system and whatsminer_led: rows of the settings table run by the engine against a
fake miner. Every planning test has a check-mode twin on a strict miner."""

from __future__ import annotations

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils._applied import AppliedStore
from ansible_collections.minerops.whatsminer.plugins.module_utils._engine import Engine
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import ValidationError
from ansible_collections.minerops.whatsminer.plugins.module_utils._led import LED_SPEC, led_desired
from ansible_collections.minerops.whatsminer.plugins.module_utils._system import SYSTEM_SPEC

from .fake_site import NetMiner

FLAVORS = ('2022', '2025')
SYSTEM = {'timezone': 'CET-1CEST,M3.5.0,M10.5.0/3', 'zonename': 'Europe/Berlin',
          'syslog': {'ip': '10.20.0.5', 'port': 514, 'proto': 'udp'}, 'web_pools': False}


def engine(miner, tmp_path, check_mode=False, **kwargs):
    return Engine(miner, check_mode=check_mode, applied=AppliedStore(str(tmp_path / 'applied')),
                  sleep=lambda s: None, **kwargs)


def system(miner, tmp_path, desired, check_mode=False, state='merged', **kwargs):
    return engine(miner, tmp_path, check_mode, **kwargs).run_settings('system', desired, state=state)


def led(miner, tmp_path, options, check_mode=False, state='merged', **kwargs):
    return engine(miner, tmp_path, check_mode, **kwargs).run_settings('led', led_desired(options), state=state)


# -- system ---------------------------------------------------------------------------------------
def test_system_spec():
    assert SYSTEM_SPEC['syslog']['options']['proto']['choices'] == ['udp', 'tcp']
    assert 'wait' not in SYSTEM_SPEC, 'nothing restarts'
    assert SYSTEM_SPEC['update_write_only']['default'] == 'on_change'


@pytest.mark.parametrize('flavor', FLAVORS)
def test_system_first_run_sends_each_command_once_then_nothing(flavor, tmp_path):
    miner = NetMiner(flavor)
    result = system(miner, tmp_path, SYSTEM)
    assert result['changed'] is True
    assert miner.writes == [
        ('set_zone', {'timezone': 'CET-1CEST,M3.5.0,M10.5.0/3', 'zonename': 'Europe/Berlin'}),
        ('load_log', {'ip': '10.20.0.5', 'port': '514', 'proto': 'udp'}),
        ('disable_web_pools', {}),
    ]
    assert result['commands'][0]['settings'] == ['timezone', 'zonename']
    assert result['write_only'] == ['syslog', 'timezone', 'web_pools', 'zonename']
    assert result['before'] == {'timezone': None, 'zonename': None, 'syslog': None, 'web_pools': None}
    assert result['after'] == SYSTEM and result['diff']['after'] == SYSTEM
    again = system(NetMiner(flavor, strict=True), tmp_path, SYSTEM)
    assert again['changed'] is False and again['before'] == SYSTEM
    assert again['skipped_write_only'] == ['timezone', 'zonename', 'syslog', 'web_pools']


@pytest.mark.parametrize('flavor', FLAVORS)
def test_system_check_mode_sends_nothing(flavor, tmp_path):
    result = system(NetMiner(flavor, strict=True), tmp_path, SYSTEM, check_mode=True)
    assert result['changed'] is True and len(result['commands']) == 3
    assert result['after'] == SYSTEM


def test_zonename_change_alone_sends_both(tmp_path):
    system(NetMiner(), tmp_path, SYSTEM)
    miner = NetMiner()
    result = system(miner, tmp_path, dict(SYSTEM, zonename='Europe/Paris', timezone='CET-1CEST,M3.5.0,M10.5.0/3'))
    assert miner.writes == [('set_zone', {'timezone': 'CET-1CEST,M3.5.0,M10.5.0/3', 'zonename': 'Europe/Paris'})]
    assert result['commands'][0]['settings'] == ['zonename'] and result['skipped_write_only'] == ['syslog', 'web_pools']
    twin = system(NetMiner(strict=True), tmp_path,
                  dict(SYSTEM, zonename='Europe/Paris', syslog=dict(SYSTEM['syslog'], proto='tcp')), check_mode=True)
    assert [c['command'] for c in twin['commands']] == ['load_log']
    assert twin['commands'][0]['params']['proto'] == 'tcp'


def test_system_policies(tmp_path):
    always = system(NetMiner(), tmp_path, {'web_pools': True}, write_only='always')
    assert always['changed'] is True
    assert system(NetMiner(), tmp_path, {'web_pools': True}, write_only='always')['changed'] is True
    never = system(NetMiner(strict=True), tmp_path, {'web_pools': False}, write_only='never')
    assert never['changed'] is False and never['skipped_write_only'] == ['web_pools']


@pytest.mark.parametrize('desired, message', [
    ({'timezone': 'UTC0'}, 'timezone must be given together with zonename'),
    ({'zonename': 'UTC'}, 'zonename must be given together with timezone'),
    ({'timezone': 'UTC 0', 'zonename': 'UTC'}, 'timezone must be a POSIX TZ string'),
    ({'timezone': 'U', 'zonename': 'UTC'}, 'timezone must be a POSIX TZ string'),
    ({'timezone': 'UTC0', 'zonename': 'Europe/../etc'}, 'zonename must be a time zone name'),
    ({'timezone': 'UTC0', 'zonename': 'Europe Berlin'}, 'zonename must be a time zone name'),
    ({'syslog': {'ip': 'logs.example', 'port': 514, 'proto': 'udp'}}, 'syslog.ip must be an IPv4 address'),
    ({'syslog': {'ip': '10.0.0.5', 'port': 0, 'proto': 'udp'}}, 'syslog.port must be an integer from 1 to 65535'),
    ({'syslog': {'ip': '10.0.0.5', 'port': 514, 'proto': 'http'}}, 'syslog.proto must be one of udp, tcp'),
])
def test_bad_system_input_fails_before_contact(desired, message, tmp_path):
    miner = NetMiner(strict=True)
    with pytest.raises(ValidationError) as err:
        system(miner, tmp_path, desired)
    assert message in str(err.value)
    assert not miner.reads


def test_system_gathered_and_rendered(tmp_path):
    miner = NetMiner(strict=True)
    gathered = system(miner, tmp_path, {}, state='gathered')
    assert gathered['gathered'] == {'timezone': None, 'zonename': None, 'syslog': None, 'web_pools': None}
    assert gathered['write_only'] == ['syslog', 'timezone', 'web_pools', 'zonename']
    miner.reads.clear()
    rendered = system(miner, tmp_path, {'timezone': 'UTC0', 'zonename': 'UTC'}, state='rendered')['rendered']
    assert rendered == [{'command': 'set_zone', 'params': {'timezone': 'UTC0', 'zonename': 'UTC'},
                         'settings': ['timezone', 'zonename']}]
    assert not miner.reads


# -- LED ------------------------------------------------------------------------------------------
PATTERN = {'color': 'red', 'period': 1000, 'duration': 500, 'start': 0}


def test_led_spec_and_desired():
    assert LED_SPEC['mode']['choices'] == ['auto', 'manual'] and LED_SPEC['color']['choices'] == ['red', 'green']
    assert LED_SPEC['period'] == {'type': 'int'}
    assert led_desired({'mode': 'manual'}) == dict(PATTERN, mode='manual')
    assert led_desired({'color': 'green'}) == dict(PATTERN, mode='manual', color='green')
    assert led_desired({'mode': 'auto'}) == {'mode': 'auto'}


@pytest.mark.parametrize('flavor', FLAVORS)
def test_led_manual_then_idempotent_then_auto(flavor, tmp_path):
    miner = NetMiner(flavor)
    first = led(miner, tmp_path, {'mode': 'manual', 'color': 'green', 'period': 2000, 'duration': 300, 'start': 100})
    assert first['changed'] is True
    assert miner.writes == [('set_led', {'color': 'green', 'period': 2000, 'duration': 300, 'start': 100})]
    assert first['commands'][0]['settings'] == ['mode', 'color', 'period', 'duration', 'start']
    assert first['before'] == {'mode': 'auto', 'color': None, 'period': None, 'duration': None, 'start': None}
    assert first['after'] == {'mode': 'manual', 'color': 'green', 'period': 2000, 'duration': 300, 'start': 100}
    assert first['write_only'] == ['color', 'duration', 'period', 'start']
    second = led(miner, tmp_path, {'mode': 'manual', 'color': 'green', 'period': 2000, 'duration': 300, 'start': 100})
    assert second['changed'] is False and len(miner.writes) == 1
    back = led(miner, tmp_path, {'mode': 'auto'})
    assert back['changed'] is True and miner.writes[-1] == ('set_led', {'param': 'auto'})
    assert back['before'] == {'mode': 'manual'} and back['after'] == {'mode': 'auto'}
    assert led(miner, tmp_path, {'mode': 'auto'})['changed'] is False


@pytest.mark.parametrize('flavor', FLAVORS)
def test_led_check_mode_sends_nothing(flavor, tmp_path):
    result = led(NetMiner(flavor, strict=True), tmp_path, {'mode': 'manual'}, check_mode=True)
    assert result['changed'] is True
    assert result['commands'] == [{'command': 'set_led', 'params': PATTERN,
                                   'settings': ['mode', 'color', 'period', 'duration', 'start']}]


def test_led_pattern_change_while_manual_sends_the_whole_pattern(tmp_path):
    miner = NetMiner()
    led(miner, tmp_path, {'mode': 'manual'})
    result = led(miner, tmp_path, {'color': 'green'})
    assert miner.writes[-1] == ('set_led', dict(PATTERN, color='green'))
    assert result['commands'][-1]['settings'] == ['color']
    assert result['skipped_write_only'] == [], 'period, duration and start travelled with color'
    twin = led(NetMiner(strict=True), tmp_path, {'color': 'green'}, check_mode=True)
    assert twin['changed'] is True, 'the strict twin reports auto: the pattern must be sent again'


def test_led_manual_reported_but_no_record_sends_the_pattern(tmp_path):
    miner = NetMiner()
    miner.led = dict(PATTERN, mode='manual', color='green')
    result = led(miner, tmp_path, {'mode': 'manual'})
    assert result['changed'] is True and result['commands'][0]['settings'] == ['color', 'period', 'duration', 'start']
    strict = NetMiner(strict=True)
    strict.led = dict(PATTERN, mode='manual')
    never = led(strict, tmp_path, {'mode': 'auto'}, write_only='never', check_mode=True)
    assert never['changed'] is True and never['commands'][0]['params'] == {'param': 'auto'}


@pytest.mark.parametrize('options, message', [
    ({'mode': 'auto', 'color': 'red'}, 'color only apply to mode=manual'),
    ({'mode': 'auto', 'period': 100, 'start': 5}, 'period, start only apply to mode=manual'),
    ({'color': 'blue'}, 'color must be one of red, green'),
    ({'period': 0}, 'period must be an integer from 1 to 60000'),
    ({'period': 60001}, 'period must be an integer from 1 to 60000'),
    ({'duration': 0}, 'duration must be an integer from 1 to 60000'),
    ({'period': 1000, 'duration': 1500}, 'duration must be at most period (1000 ms), got 1500'),
    ({'duration': 1001}, 'duration must be at most period (1000 ms), got 1001'),
    ({'period': 1000, 'start': 1000}, 'start must be less than period (1000 ms), got 1000'),
    ({'start': -1}, 'start must be an integer from 0 to 59999'),
    ({'mode': 'blink'}, 'mode must be one of auto, manual'),
])
def test_bad_led_input_fails_before_contact(options, message, tmp_path):
    miner = NetMiner(strict=True)
    with pytest.raises(ValidationError) as err:
        led(miner, tmp_path, options)
    assert message in str(err.value)
    assert not miner.reads


def test_led_gathered_and_rendered(tmp_path):
    miner = NetMiner(strict=True)
    miner.led = dict(PATTERN, mode='manual')
    gathered = led(miner, tmp_path, {}, state='gathered')
    assert gathered['gathered'] == {'mode': 'manual', 'color': None, 'period': None, 'duration': None, 'start': None}
    miner.reads.clear()
    rendered = led(miner, tmp_path, {'mode': 'auto'}, state='rendered')['rendered']
    assert rendered == [{'command': 'set_led', 'params': {'param': 'auto'}, 'settings': ['mode']}]
    assert not miner.reads
