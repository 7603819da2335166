# -*- coding: utf-8 -*-
"""Planning, ordering, write-only policy and check mode of the engine, against a fake miner.

Every test that plans writes has a check-mode twin on StrictFakeMiner (fails on any write).
"""

from __future__ import annotations

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils._applied import AppliedStore
from ansible_collections.minerops.whatsminer.plugins.module_utils._engine import Engine
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import ValidationError

from .fake_miner import FakeMiner, StrictFakeMiner

FLAVORS = ('2022', '2025')


def engine(miner, tmp_path, check_mode=False, **kwargs):
    return Engine(miner, check_mode=check_mode, applied=AppliedStore(str(tmp_path / 'applied')),
                  sleep=lambda s: None, **kwargs)


@pytest.mark.parametrize('flavor', FLAVORS)
def test_power_change_then_idempotent(flavor, tmp_path):
    miner = FakeMiner(flavor)
    result = engine(miner, tmp_path).run_settings('power', {'mode': 'low', 'power_limit': 3000})
    assert result['changed'] is True
    assert [c['command'] for c in result['commands']] == ['set_low_power', 'adjust_power_limit']
    assert result['before'] == {'mode': 'normal', 'power_limit': 3600}
    assert result['after'] == {'mode': 'low', 'power_limit': 3000}
    assert result['diff'] == {'before': result['before'], 'after': result['after']}
    again = engine(miner, tmp_path).run_settings('power', {'mode': 'low', 'power_limit': 3000})
    assert again['changed'] is False and again['commands'] == []


@pytest.mark.parametrize('flavor', FLAVORS)
def test_power_check_mode_sends_nothing(flavor, tmp_path):
    miner = StrictFakeMiner(flavor)
    result = engine(miner, tmp_path, check_mode=True).run_settings('power', {'mode': 'high', 'mining': 'stopped'})
    assert result['changed'] is True
    assert [c['command'] for c in result['commands']] == ['set_high_power', 'power_off']
    assert result['commands'][1]['params'] == {'respbefore': 'true'}
    assert result['after']['mining'] == 'stopped'


def test_restarting_writes_go_last_and_wait_between(tmp_path):
    miner = FakeMiner('2025')
    result = engine(miner, tmp_path).run_settings(
        'power', {'target_freq_percent': -10, 'power_percent': 80, 'mode': 'low'}, options={'power_percent_mode': 'fast'})
    assert [c['command'] for c in result['commands']] == ['set_power_pct', 'set_low_power', 'set_target_freq']
    assert result['restarted'] is True
    # waited after each restarting write: once before the next one, once before verifying
    assert miner.reads.count('wait:status') == 2


def test_numbers_are_sent_as_strings(tmp_path):
    miner = StrictFakeMiner('2022')
    result = engine(miner, tmp_path, check_mode=True).run_settings('power', {'power_limit': 2500, 'target_freq_percent': -5})
    params = {c['command']: c['params'] for c in result['commands']}
    assert params == {'adjust_power_limit': {'power_limit': '2500'}, 'set_target_freq': {'percent': '-5'}}


@pytest.mark.parametrize('desired, message', [
    ({'power_limit': 100000}, 'power_limit must be an integer from 0 to 99999'),
    ({'target_freq_percent': -101}, 'target_freq_percent must be an integer from -100 to 100'),
    ({'mode': 'turbo'}, 'mode must be one of low, normal, high'),
    ({'power_percent': 101}, 'power_percent must be an integer from 0 to 100'),
])
def test_bad_power_input_fails_before_contact(desired, message, tmp_path):
    miner = StrictFakeMiner('2022')
    with pytest.raises(ValidationError) as err:
        engine(miner, tmp_path).run_settings('power', desired)
    assert message in str(err.value)
    assert not miner.reads


@pytest.mark.parametrize('flavor', FLAVORS)
def test_write_only_on_change_policy(flavor, tmp_path):
    desired = {'temp_offset': -10, 'fan_zero_speed': True}
    first = engine(FakeMiner(flavor), tmp_path).run_settings('tuning', desired)
    assert first['changed'] is True
    assert sorted(c['command'] for c in first['commands']) == ['set_fan_zero_speed', 'set_temp_offset']
    assert first['write_only'] == ['fan_zero_speed', 'temp_offset']
    second = engine(StrictFakeMiner(flavor), tmp_path).run_settings('tuning', desired)
    assert second['changed'] is False
    assert second['before'] == {'temp_offset': -10, 'fan_zero_speed': True}
    third = engine(FakeMiner(flavor), tmp_path, check_mode=True).run_settings('tuning', {'temp_offset': -5})
    assert [c['command'] for c in third['commands']] == ['set_temp_offset']


def test_write_only_always_and_never(tmp_path):
    always = engine(FakeMiner(), tmp_path, write_only='always')
    assert always.run_settings('tuning', {'poweroff_cool': False})['changed'] is True
    assert always.run_settings('tuning', {'poweroff_cool': False})['changed'] is True
    never = engine(StrictFakeMiner(), tmp_path, write_only='never').run_settings('tuning', {'temp_offset': -3})
    assert never['changed'] is False and never['skipped_write_only'] == ['temp_offset']


def test_upfreq_speed_readable_only_on_2025(tmp_path):
    new = engine(StrictFakeMiner('2025'), tmp_path, check_mode=True).run_settings('tuning', {'upfreq_speed': 0})
    assert new['changed'] is False and new['write_only'] == []
    old = engine(StrictFakeMiner('2022'), tmp_path, check_mode=True).run_settings('tuning', {'upfreq_speed': 0})
    assert old['changed'] is True and old['write_only'] == ['upfreq_speed']


POOLS = [{'url': 'stratum+tcp://btc.pool.example:3333', 'user': 'acct.m1', 'password': 'x'},
         {'url': 'stratum+ssl://backup.pool.example:443', 'user': 'acct.m1', 'password': 'x'}]


@pytest.mark.parametrize('flavor', FLAVORS)
def test_pools_replace_then_idempotent(flavor, tmp_path):
    miner = FakeMiner(flavor)
    result = engine(miner, tmp_path).run_pools(POOLS)
    assert result['changed'] is True
    (command, params), = miner.writes
    assert command == 'update_pools' and len(params) == 9
    assert params['pool3'] == '' and params['worker3'] == '' and params['passwd3'] == ''
    assert result['commands'][0]['params']['passwd1'] == '********'
    assert result['after'] == {'pools': [{'url': p['url'], 'user': p['user']} for p in POOLS]}
    again = engine(miner, tmp_path).run_pools(POOLS)
    assert again['changed'] is False and len(miner.writes) == 1


def test_pool_password_change_is_sent_on_change(tmp_path):
    miner = FakeMiner()
    engine(miner, tmp_path).run_pools(POOLS)
    changed = [dict(POOLS[0], password='new'), POOLS[1]]
    result = engine(StrictFakeMiner(), tmp_path, check_mode=True).run_pools(changed)
    assert result['changed'] is True
    assert engine(FakeMiner(), tmp_path).run_pools(POOLS, update_password='always')['changed'] is True


def test_pools_check_mode(tmp_path):
    result = engine(StrictFakeMiner(), tmp_path, check_mode=True).run_pools(POOLS)
    assert result['changed'] is True and result['after']['pools'][1]['url'].startswith('stratum+ssl')


@pytest.mark.parametrize('pools, message', [
    ([{'url': 'http://pool.example:80', 'user': 'a'}], 'pools[1].url scheme must be one of stratum+tcp'),
    ([{'url': 'stratum+tcp://pool.example', 'user': 'a'}], 'pools[1].url must look like stratum+tcp://host:port'),
    ([{'url': 'stratum+tcp://pool.example:70000', 'user': 'a'}], 'pools[1].url port must be from 1 to 65535'),
    ([{'url': 'stratum+tcp://pool.example:3333', 'user': 'a b'}], 'pools[1].user must be 1 to 127 characters'),
    ([{'url': 'stratum+tcp://p.example:1', 'user': 'a'}] * 4, 'pools must list 1 to 3 pools, got 4'),
    ([], 'pools must list 1 to 3 pools, got 0'),
])
def test_bad_pools_fail_before_contact(pools, message, tmp_path):
    miner = StrictFakeMiner()
    with pytest.raises(ValidationError) as err:
        engine(miner, tmp_path).run_pools(pools)
    assert message in str(err.value)
    assert not miner.reads


def test_rendered_contacts_nothing(tmp_path):
    miner = StrictFakeMiner()
    result = engine(miner, tmp_path).run_settings('power', {'mode': 'low'}, state='rendered')
    assert result['rendered'] == [{'command': 'set_low_power', 'params': {}, 'settings': ['mode'], 'restarts': 'btminer'}]
    assert not miner.reads


class DownWhenStopped(FakeMiner):
    """Firmware that answers every read with 'Socket connect failed' while not mining."""

    def read(self, command, **params):
        if self.state['off']:
            from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import BtminerDownError
            raise BtminerDownError('miner answered "Socket connect failed"', miner=self.miner)
        return super().read(command, **params)


def test_btminer_down_reads_as_stopped_and_power_on_starts_it(tmp_path):
    miner = DownWhenStopped('2022')
    miner.state['off'] = True
    result = engine(miner, tmp_path).run_settings('power', {'mining': 'started'})
    assert result['before'] == {'mining': 'stopped'} and result['after'] == {'mining': 'started'}
    assert [c['command'] for c in result['commands']] == ['power_on']


def test_btminer_down_other_settings_fail_with_hint(tmp_path):
    miner = DownWhenStopped('2022')
    miner.state['off'] = True
    from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import BtminerDownError
    with pytest.raises(BtminerDownError) as err:
        engine(miner, tmp_path).run_settings('power', {'power_limit': 3000})
    assert 'start mining first' in str(err.value)


class LosesReplies(FakeMiner):
    """Applies every write but the reply never arrives (outcome unknown)."""

    def write(self, command, params=None):
        super().write(command, params)
        from ansible_collections.minerops.whatsminer.plugins.module_utils._client import WriteResult
        return WriteResult(command, 'unknown', None)


def test_unknown_outcome_is_verified_by_reading_back(tmp_path):
    miner = LosesReplies('2022')
    result = engine(miner, tmp_path).run_pools(POOLS)
    assert result['changed'] is True and 'failed' not in result
    assert result['commands'][0]['outcome'] == 'unknown'
    assert result['after']['pools'][0]['url'] == POOLS[0]['url']


def test_unknown_outcome_that_did_not_apply_fails(tmp_path):
    class Ignores(FakeMiner):
        def write(self, command, params=None):
            from ansible_collections.minerops.whatsminer.plugins.module_utils._client import WriteResult
            self.writes.append((command, params))
            return WriteResult(command, 'unknown', None)
    now = [0.0]

    def monotonic():
        now[0] += 1.0
        return now[0]
    eng = Engine(Ignores('2022'), applied=AppliedStore(str(tmp_path / 'a')), sleep=lambda s: None, monotonic=monotonic)
    result = eng.run_pools(POOLS)
    assert result['failed'] is True and result['error']['kind'] == 'not_applied'
    assert result['changed'] is False, 'a write that did not apply is not a change'
    assert 'pools' in result['msg']


# -- rows with several params, checks between options, identical writes sent once ---------------
def composite_rows():
    from ansible_collections.minerops.whatsminer.plugins.module_utils._schema import Setting

    def pair(value, context):
        return {'a': context.get('first'), 'b': context.get('second')}

    def second_check(value, context):
        return 'second must differ from first' if value == context.get('first') else None
    return [
        Setting('first', 'x', 'str', 'one half', command='set_pair', params=pair, together=('second',)),
        Setting('second', 'x', 'str', 'other half', command='set_pair', params=pair, together=('first',),
                check=second_check),
        Setting('target', 'x', 'dict', 'ip and port', command='set_target',
                params=lambda value, context: {'ip': value['ip'], 'port': str(value['port'])}),
    ]


def test_rows_sharing_a_write_send_it_once(tmp_path):
    rows = composite_rows()
    eng = engine(StrictFakeMiner(), tmp_path, check_mode=True)
    writes, skipped = eng.plan_settings(rows, {'first': 'A', 'second': 'B', 'target': {'ip': '10.0.0.1', 'port': 514}},
                                        {}, {}, {})
    assert [(w.command, w.params, w.names) for w in writes] == [
        ('set_pair', {'a': 'A', 'b': 'B'}, ['first', 'second']),
        ('set_target', {'ip': '10.0.0.1', 'port': '514'}, ['target'])]
    assert writes[0].record == {'first': 'A', 'second': 'B'} and skipped == []


def test_a_skipped_write_only_row_carried_by_another_write_counts_as_sent(tmp_path):
    rows = composite_rows()
    eng = engine(StrictFakeMiner(), tmp_path, check_mode=True)
    eng.applied.update(eng.miner, {'first': 'A', 'second': 'B'})
    writes, skipped = eng.plan_settings(rows, {'first': 'A', 'second': 'C'}, {}, {}, {})
    (write,) = writes
    assert write.params == {'a': 'A', 'b': 'C'} and write.names == ['second']
    assert skipped == [] and write.record == {'second': 'C', 'first': 'A'}
    nothing, skipped = eng.plan_settings(rows, {'first': 'A', 'second': 'B'}, {}, {}, {})
    assert nothing == [] and skipped == ['first', 'second']


@pytest.mark.parametrize('desired, message', [
    ({'first': 'A'}, 'first must be given together with second'),
    ({'second': 'A'}, 'second must be given together with first'),
    ({'first': 'A', 'second': 'A'}, 'second must differ from first'),
])
def test_companions_and_checks_fail_before_contact(desired, message, tmp_path):
    miner = StrictFakeMiner()
    with pytest.raises(ValidationError) as err:
        engine(miner, tmp_path).validate_settings(composite_rows(), desired)
    assert message in str(err.value)
    assert not miner.reads


def test_dict_setting_spec_has_its_suboptions():
    from ansible_collections.minerops.whatsminer.plugins.module_utils._schema import group
    syslog, = [row for row in group('system') if row.name == 'syslog']
    spec = syslog.spec()
    assert spec['type'] == 'dict' and spec['options']['ip'] == {'type': 'str', 'required': True}
    assert syslog.command_for({'ip': '10.0.0.5', 'port': 514, 'proto': 'tcp'}, {}) == \
        ('load_log', {'ip': '10.0.0.5', 'port': '514', 'proto': 'tcp'})


def test_write_only_names_are_unique_across_modules():
    """Write-only rows of every module share one last-applied record per miner."""
    from ansible_collections.minerops.whatsminer.plugins.module_utils._schema import SETTINGS
    names = [row.name for row in SETTINGS if not row.read]
    assert len(names) == len(set(names)), names
    groups = {}
    for row in SETTINGS:
        assert row.name not in groups.setdefault(row.group, set()), row.name
        groups[row.group].add(row.name)
