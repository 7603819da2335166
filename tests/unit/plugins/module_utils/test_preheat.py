# -*- coding: utf-8 -*-
"""pre_power_on before power_on (whatsminer_power preheat): a pre-step of the mining row."""

from __future__ import annotations

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils._applied import AppliedStore
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import WriteResult
from ansible_collections.minerops.whatsminer.plugins.module_utils._engine import Engine
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import UnsupportedError, ValidationError
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply

from .fake_miner import FakeClock, FakeMiner, StrictFakeMiner

FLAVORS = ('2022', '2025')


class PreheatMiner(FakeMiner):
    """pre_power_on answers complete=false until ``polls_needed`` polls, as the firmware does."""

    def __init__(self, flavor, polls_needed=3, supported=True):
        super().__init__(flavor)
        self.state['off'] = True
        self.polls_needed = polls_needed
        self.supported = supported
        self.preheat_polls = 0

    def write(self, command, params=None):
        if command != 'pre_power_on':
            if command == 'power_on':
                self.preheat_polls = 0
            return super().write(command, params)
        if not self.supported:
            raise UnsupportedError('pre_power_on is not supported by this firmware (API v3)', miner=self.miner)
        assert not params, 'pre_power_on is polled without parameters'
        assert self.state['off'], 'pre_power_on while mining'
        self.writes.append((command, {}))
        self.preheat_polls += 1
        done = self.preheat_polls >= self.polls_needed
        msg = {'complete': 'true' if done else 'false', 'msg': 'adjust complete' if done else 'adjust continue'}
        return WriteResult(command, 'ok', Reply({'STATUS': 'S', 'Code': 131, 'Msg': msg}))


def engine(miner, tmp_path, clock=None, check_mode=False):
    clock = clock or FakeClock()
    return Engine(miner, check_mode=check_mode, applied=AppliedStore(str(tmp_path / 'applied')),
                  monotonic=clock.monotonic, sleep=clock.sleep)


OPTIONS = {'preheat': True, 'preheat_timeout': 600}


@pytest.mark.parametrize('flavor', FLAVORS)
def test_preheat_polls_until_complete_then_power_on(flavor, tmp_path):
    miner = PreheatMiner(flavor, polls_needed=3)
    result = engine(miner, tmp_path).run_settings('power', {'mining': 'started'}, options=OPTIONS)
    assert result['changed'] is True and not result.get('failed'), result
    assert [w[0] for w in miner.writes] == ['pre_power_on'] * 3 + ['power_on']
    assert result['commands'][0] == {'command': 'pre_power_on', 'params': {}, 'settings': ['mining'],
                                     'outcome': 'complete', 'polls': 3}
    assert result['commands'][1]['command'] == 'power_on'
    assert result['after'] == {'mining': 'started'}
    assert 'warnings' not in result


@pytest.mark.parametrize('flavor', FLAVORS)
def test_preheat_check_mode_plans_both_and_sends_nothing(flavor, tmp_path):
    miner = StrictFakeMiner(flavor)
    miner.state['off'] = True
    result = engine(miner, tmp_path, check_mode=True).run_settings('power', {'mining': 'started'}, options=OPTIONS)
    assert result['changed'] is True
    assert [c['command'] for c in result['commands']] == ['pre_power_on', 'power_on']


def test_no_preheat_when_already_mining_or_stopping(tmp_path):
    miner = StrictFakeMiner('2022')
    result = engine(miner, tmp_path, check_mode=True).run_settings('power', {'mining': 'started'}, options=OPTIONS)
    assert result['changed'] is False and result['commands'] == []
    result = engine(miner, tmp_path, check_mode=True).run_settings('power', {'mining': 'stopped'}, options=OPTIONS)
    assert [c['command'] for c in result['commands']] == ['power_off']


def test_no_preheat_without_the_option(tmp_path):
    miner = PreheatMiner('2025')
    result = engine(miner, tmp_path).run_settings('power', {'mining': 'started'},
                                                  options={'preheat': False, 'preheat_timeout': 600})
    assert [w[0] for w in miner.writes] == ['power_on']
    assert result['changed'] is True


def test_preheat_timeout_starts_anyway_with_warning(tmp_path):
    miner = PreheatMiner('2022', polls_needed=1000)
    clock = FakeClock()
    result = engine(miner, tmp_path, clock).run_settings('power', {'mining': 'started'},
                                                         options={'preheat': True, 'preheat_timeout': 20})
    assert not result.get('failed'), result
    assert result['commands'][0]['outcome'] == 'timeout'
    assert 1 < result['commands'][0]['polls'] < 15, 'polled with backoff, not in a tight loop'
    assert miner.writes[-1][0] == 'power_on'
    assert 'did not complete within 20s' in result['warnings'][0]
    assert clock.now >= 20


def test_preheat_unsupported_starts_with_warning(tmp_path):
    miner = PreheatMiner('2025', supported=False)
    result = engine(miner, tmp_path).run_settings('power', {'mining': 'started'}, options=OPTIONS)
    assert [w[0] for w in miner.writes] == ['power_on']
    assert result['commands'][0]['outcome'] == 'unsupported'
    assert 'not supported' in result['warnings'][0]


@pytest.mark.parametrize('timeout', [0, 7201, -5])
def test_preheat_timeout_validated_before_anything(timeout, tmp_path):
    miner = StrictFakeMiner('2022')
    with pytest.raises(ValidationError, match='preheat_timeout must be an integer from 1 to 7200'):
        engine(miner, tmp_path).run_settings('power', {'mining': 'started'},
                                             options={'preheat': True, 'preheat_timeout': timeout})
    assert miner.reads == []
