# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_facts: recorded replies of both firmware flavours give one shape in one set of units.

The fixtures under tests/unit/fixtures/ hold the replies of the same miner (same figures)
as 2022-era firmware (cgminer shapes, MH/s, quoted firmware, ``vender``, invalid
``get_error_code`` JSON, a missing comma) and 2025 firmware (flat shapes, floats,
``"true"``/``"false"``, per-board TH/s, devdetails deprecated) send them. Raw strings in a
fixture are replies that are not valid JSON on the wire; they go through the same parser
and repairs as real replies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _facts
from ansible_collections.minerops.whatsminer.plugins.module_utils._error_codes import UNKNOWN, describe
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import BtminerDownError, ValidationError
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply, parse_json, raise_for_error
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import FACTS_SPEC, FACTS_SUBSETS

FIXTURES = Path(__file__).resolve().parents[2] / 'fixtures'
FLAVOURS = ('2022', '2025')
#: Facts that legitimately differ between the two recordings (another firmware, and
#: settings 2022-era firmware does not report).
DIFFERENT = {('summary', 'firmware'), ('status', 'firmware'), ('version', 'api_version'), ('version', 'firmware'),
             ('status', 'power_limit_w'), ('status', 'power_percent')}


class RecordedMiner:
    """Answers reads from a fixture file through the real reply parser and error mapping."""

    miner = '192.0.2.10:4028'

    def __init__(self, flavour, down=()):
        with open(FIXTURES / ('whatsminer_%s_replies.json' % flavour), encoding='utf-8') as handle:
            self.replies = json.load(handle)
        self.down = set(down)
        self.reads = []

    def read(self, command, **params):
        self.reads.append((command, params))
        if command in self.down:
            raise BtminerDownError('miner answered "Socket connect failed"', miner=self.miner, command=command)
        if command not in self.replies:
            raise AssertionError('unexpected read %s' % command)
        entry = self.replies[command]
        raw = entry if isinstance(entry, str) else json.dumps(entry)
        reply = Reply(parse_json(raw.encode('utf-8'), miner=self.miner, command=command))
        return raise_for_error(reply, miner=self.miner, command=command)


def facts_of(flavour, subsets=('all',), **kwargs):
    miner = RecordedMiner(flavour, **kwargs)
    result = _facts.gather_facts(miner, list(subsets))
    return result, miner


def shape(value):
    """Keys all the way down; leaves by type (None matches any type)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return None if value is None else type(value).__name__


def same_shape(left, right):
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_shape(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same_shape(a, b) for a, b in zip(left, right))
    return left is None or right is None or left == right


def without_differences(facts):
    copy = json.loads(json.dumps(facts))
    for section, key in DIFFERENT:
        copy[section].pop(key)
    for error in copy['errors']:
        error.pop('time')
    return copy


def test_result_holds_only_ansible_facts():
    result, _miner = facts_of('2022')
    assert set(result) == {'changed', 'ansible_facts'}
    assert result['changed'] is False
    assert list(result['ansible_facts']) == ['whatsminer']


def test_top_level_keys():
    result, _miner = facts_of('2025')
    assert list(result['ansible_facts']['whatsminer']) == [
        'gather_subset', 'summary', 'pools', 'boards', 'psu', 'version', 'status', 'network', 'errors', 'unavailable', 'read_errors']


def test_both_flavours_give_the_same_shape():
    old = facts_of('2022')[0]['ansible_facts']['whatsminer']
    new = facts_of('2025')[0]['ansible_facts']['whatsminer']
    assert same_shape(shape(old), shape(new))


def test_both_flavours_give_the_same_values_in_the_same_units():
    old = facts_of('2022')[0]['ansible_facts']['whatsminer']
    new = facts_of('2025')[0]['ansible_facts']['whatsminer']
    assert without_differences(old) == without_differences(new)


@pytest.mark.parametrize('flavour', FLAVOURS)
def test_units_and_normalised_values(flavour):
    facts = facts_of(flavour)[0]['ansible_facts']['whatsminer']
    summary = facts['summary']
    assert summary['hashrate_ths'] == 84.98            # MHS av 84983730.62 MH/s
    assert summary['hashrate_1m_ths'] == 86.36
    assert summary['factory_hashrate_ths'] == 84.77    # Factory GHS 84773
    assert summary['power_w'] == 3593.0
    assert summary['efficiency_j_per_th'] == 41.6      # 3593 W / 86.361 TH/s (1-minute rate)
    assert summary['power_mode'] == 'normal'
    assert summary['hash_stable'] is True
    assert summary['fast_boot'] is False
    assert summary['chip_temp_max_c'] == 101.25
    assert summary['uptime_s'] == 20507
    board = facts['boards'][0]
    assert board['hashrate_ths'] == 28.34               # 2022: MH/s, 2025: already TH/s
    assert board['factory_hashrate_ths'] == 28.84       # 2022: GH/s, 2025: TH/s
    assert board['enabled'] is True and board['upfreq_complete'] is True
    assert board['model'] == 'M30S+VE40'
    assert [pool['stratum_active'] for pool in facts['pools']] == [True, False]
    assert facts['pools'][0] == {'slot': 1, 'url': 'stratum+tcp://btc.ss.poolin.com:443', 'user': 'minerops.m01',
                                 'status': 'Alive', 'priority': 0, 'accepted': 804, 'rejected': 0,
                                 'stratum_active': True}
    assert facts['psu']['vendor'] == '7'                # 2022 spells it "vender"
    assert facts['psu']['input_voltage_v'] == 224.0
    assert facts['psu']['input_current_a'] == 16.04
    assert facts['psu']['temperature_c'] == 33.5
    assert facts['version']['model'] == 'M30S+VE40'     # 2022: devdetails, 2025: miner_type
    assert facts['status']['mining'] == 'started'
    assert facts['status']['power_mode'] == 'normal'
    assert "'" not in facts['status']['firmware'] and "'" not in facts['summary']['firmware']
    assert facts['network']['dns'] == ['192.168.2.1', '1.1.1.1']
    assert facts['network']['led'] == 'auto'
    assert [(e['code'], e['description']) for e in facts['errors']] == [
        (329, describe(329)), (2010, describe(2010))]
    assert facts['unavailable'] == []


def test_2025_only_settings_are_none_on_2022():
    status = facts_of('2022')[0]['ansible_facts']['whatsminer']['status']
    assert status['power_limit_w'] is None and status['power_percent'] is None
    status = facts_of('2025')[0]['ansible_facts']['whatsminer']['status']
    assert status['power_limit_w'] == 3600 and status['power_percent'] == 100


@pytest.mark.parametrize('flavour', FLAVOURS)
def test_each_command_is_read_once(flavour):
    _result, miner = facts_of(flavour)
    commands = [command for command, _params in miner.reads]
    assert len(commands) == len(set(commands))
    info = dict(miner.reads)['get_miner_info']
    assert info == {'info': 'ip,proto,netmask,gateway,dns,hostname,mac,ledstat,minersn,powersn'}


def test_devdetails_is_not_read_when_get_version_names_the_model():
    _result, miner = facts_of('2025')
    assert 'devdetails' not in [command for command, _params in miner.reads]
    _result, miner = facts_of('2022')
    assert 'devdetails' in [command for command, _params in miner.reads]


def test_deprecated_devdetails_is_treated_as_absent():
    result, miner = facts_of('2025', subsets=['devices'])
    facts = result['ansible_facts']['whatsminer']
    assert [command for command, _params in miner.reads] == ['edevs', 'devdetails', 'get_version']
    assert [board['model'] for board in facts['boards']] == ['M30S+VE40'] * 3
    assert facts['unavailable'] == []


@pytest.mark.parametrize('subsets, expected', [
    (['all'], list(_facts.SUBSETS)),
    (['pools'], ['pools']),
    (['errors', 'pools'], ['pools', 'errors']),
    (['!errors'], [name for name in _facts.SUBSETS if name != 'errors']),
    (['all', '!psu', '!network'], [name for name in _facts.SUBSETS if name not in ('psu', 'network')]),
    (['pools', '!pools'], []),
])
def test_subset_selection(subsets, expected):
    assert _facts.resolve_subsets(subsets) == expected


def test_unknown_subset_is_rejected_before_any_read():
    miner = RecordedMiner('2022')
    with pytest.raises(ValidationError, match='gather_subset'):
        _facts.gather_facts(miner, ['hardware'])
    assert miner.reads == []


@pytest.mark.parametrize('subset, commands', [
    ('summary', ['summary']), ('pools', ['pools']), ('psu', ['get_psu']), ('status', ['status']),
    ('network', ['get_miner_info']), ('errors', ['get_error_code']), ('version', ['get_version', 'devdetails']),
    ('devices', ['edevs', 'devdetails']),
])
def test_a_subset_reads_only_what_it_needs(subset, commands):
    result, miner = facts_of('2022', subsets=[subset])
    assert [command for command, _params in miner.reads] == commands
    assert set(result['ansible_facts']['whatsminer']) == {'gather_subset', _facts.KEYS.get(subset, subset),
                                                          'unavailable', 'read_errors'}


@pytest.mark.parametrize('flavour', FLAVOURS)
def test_stopped_btminer_leaves_empty_facts_not_a_failure(flavour):
    result, _miner = facts_of(flavour, subsets=['summary', 'pools', 'status'], down=('summary', 'pools'))
    facts = result['ansible_facts']['whatsminer']
    assert facts['unavailable'] == ['pools', 'summary']
    assert facts['pools'] == []
    assert set(facts['summary'].values()) == {None}
    assert facts['status']['mining'] == 'started'
    full = facts_of(flavour, subsets=['summary'])[0]['ansible_facts']['whatsminer']['summary']
    assert facts['summary'].keys() == full.keys()


def test_facts_spec_matches_subsets():
    assert FACTS_SUBSETS == _facts.SUBSETS
    option = FACTS_SPEC['gather_subset']
    assert option['default'] == ['all']
    assert set(option['choices']) == {'all'} | set(_facts.SUBSETS) | {'!' + name for name in _facts.SUBSETS}


@pytest.mark.parametrize('code, text', [
    (329, 'Control board temperature sensor does not communicate'),
    ('352', 'Hash board 2: over-temperature protection'),
    (2021, 'Cannot connect to pool 1 (0 = first pool)'),
    (5111, 'Hash board 1: frequency ramp-up timed out'),
    (359, UNKNOWN),
    (4242, UNKNOWN),
    ('garbage', UNKNOWN),
])
def test_error_code_descriptions(code, text):
    assert describe(code) == text


def test_error_code_shapes():
    class Miner(RecordedMiner):
        def __init__(self, msg):
            super().__init__('2025')
            self.replies['get_error_code'] = {'STATUS': 'S', 'Code': 131, 'Msg': msg}

    def errors(msg):
        return _facts.gather_facts(Miner(msg), ['errors'])['ansible_facts']['whatsminer']['errors']

    assert errors({'error_code': {'110': '2025-01-01 00:00:00'}}) == [
        {'code': 110, 'time': '2025-01-01 00:00:00', 'description': describe(110)}]
    assert errors({'error_code': ['600']}) == [{'code': 600, 'time': None, 'description': describe(600)}]
    assert errors({'error_code': []}) == []
    assert errors({'error_code': '2040'}) == [{'code': 2040, 'time': None, 'description': describe(2040)}]
    assert errors({}) == []


def test_vendor_document_ip_with_colons_is_repaired():
    class Miner(RecordedMiner):
        def __init__(self):
            super().__init__('2022')
            self.replies['get_miner_info']['Msg']['ip'] = '192:168:2:16'

    facts = _facts.gather_facts(Miner(), ['network'])['ansible_facts']['whatsminer']
    assert facts['network']['ip'] == '192.168.2.16'
