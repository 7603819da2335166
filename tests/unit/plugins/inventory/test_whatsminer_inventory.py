# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin without a network: address expansion, probing recorded replies of
both firmware flavours, bounded concurrency, naming, unsafe marking, caching and bad options.

The real configuration file path, the cache plugins and ``ansible-inventory`` output are
covered by tests/integration/test_inventory.py against the simulator.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, is_trusted_as_template, trust_as_template

from ansible_collections.minerops.whatsminer.plugins.inventory import whatsminer as plugin_module
from ansible_collections.minerops.whatsminer.plugins.inventory.whatsminer import (
    InventoryModule, NotAMiner, expand_targets, host_names, host_vars, probe, scan)
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import (
    BtminerDownError, ConnectError, DeadlineError)
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply, parse_json, raise_for_error

FIXTURES = Path(__file__).resolve().parents[2] / 'fixtures'


# ------------------------------------------------------------------------------ addresses
def test_cidr_leaves_out_network_and_broadcast():
    assert expand_targets(['10.0.0.0/29']) == ['10.0.0.%d' % n for n in range(1, 7)]
    assert expand_targets(['10.0.0.8/31']) == ['10.0.0.8', '10.0.0.9']
    assert expand_targets(['10.0.0.5/32']) == ['10.0.0.5']
    assert expand_targets(['10.0.0.3/29']) == ['10.0.0.%d' % n for n in range(1, 7)], 'host bits are ignored'


def test_ranges_addresses_and_names_in_order_each_once():
    targets = expand_targets(['10.0.1.5-7', 'miner-a.example', '10.0.0.250-10.0.1.1', '10.0.1.6', 'miner-a.example'])
    assert targets == ['10.0.0.250', '10.0.0.251', '10.0.0.252', '10.0.0.253', '10.0.0.254', '10.0.0.255',
                       '10.0.1.0', '10.0.1.1', '10.0.1.5', '10.0.1.6', '10.0.1.7', 'miner-a.example']


def test_addresses_sort_numerically_not_as_text():
    assert expand_targets(['10.0.0.10', '10.0.0.9', '9.255.255.255']) == ['9.255.255.255', '10.0.0.9', '10.0.0.10']


def test_exclude_by_block_range_address_and_name():
    targets = expand_targets(['10.0.0.0/28', 'a.example', 'b.example'],
                             ['10.0.0.0/30', '10.0.0.8-10', '10.0.0.14', 'b.example'])
    assert targets == ['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.11', '10.0.0.12', '10.0.0.13',
                       'a.example']


def test_a_huge_exclude_is_not_expanded():
    started = time.monotonic()
    assert expand_targets(['10.1.2.3'], ['10.0.0.0/8']) == []
    assert time.monotonic() - started < 1


def test_ipv6_small_block():
    assert expand_targets(['fd00::/126']) == ['fd00::1', 'fd00::2', 'fd00::3']


def test_too_many_addresses_fail_before_anything_is_expanded():
    started = time.monotonic()
    with pytest.raises(ValueError, match=r'networks: 16777214 addresses to scan, more than max_addresses \(65536\)'):
        expand_targets(['10.0.0.0/8'])
    assert time.monotonic() - started < 1
    assert len(expand_targets(['10.0.0.0/20'], limit=4094)) == 4094
    with pytest.raises(ValueError, match='max_addresses'):
        expand_targets(['10.0.0.0/20'], limit=4093)


@pytest.mark.parametrize('entry, words', [
    ('10.0.0.0/33', 'not a valid CIDR block'),
    ('10.0.0.9-10.0.0.1', 'ends before it starts'),
    ('10.0.0.1-300', 'not a valid address range'),
    ('10.0.0.300', 'neither an address nor a DNS name'),
    ('bad name!', 'neither an address nor a DNS name'),
    ('', 'empty entry'),
])
def test_bad_entries_name_the_option_and_the_forms(entry, words):
    with pytest.raises(ValueError) as caught:
        expand_targets([entry])
    assert str(caught.value).startswith('networks: ') and words in str(caught.value)
    assert 'CIDR block (10.20.0.0/22)' in str(caught.value)
    with pytest.raises(ValueError, match='^exclude: '):
        expand_targets(['10.0.0.1'], [entry or ' '])


def test_no_networks():
    with pytest.raises(ValueError, match='networks: list at least one entry'):
        expand_targets([])


# ------------------------------------------------------------------------------ probing
class RecordedMiner:
    """A client answering from the recorded replies of one flavour, through the real parser."""

    def __init__(self, flavour=None, replies=None, down=(), refuse=False, **_kwargs):
        if flavour:
            with open(FIXTURES / ('whatsminer_%s_replies.json' % flavour), encoding='utf-8') as handle:
                replies = json.load(handle)
        self.replies = replies or {}
        self.down = set(down)
        self.refuse = refuse
        self.reads = []
        self.miner = '192.0.2.10:4028'

    def read(self, command, **params):
        self.reads.append(command)
        if self.refuse:
            raise ConnectError('cannot connect: connection refused', miner=self.miner)
        if command in self.down or 'all' in self.down:
            raise BtminerDownError('miner answered "Socket connect failed"', miner=self.miner, command=command)
        entry = self.replies.get(command, {'STATUS': 'E', 'Code': 14, 'Msg': 'invalid cmd', 'Description': ''})
        raw = entry if isinstance(entry, str) else json.dumps(entry)
        reply = Reply(parse_json(raw.encode('utf-8'), miner=self.miner, command=command))
        return raise_for_error(reply, miner=self.miner, command=command)


class Detector:
    def __init__(self, api='v2'):
        self.api = api
        self.calls = []

    def __call__(self, host, port, v3_port, timeout, version=None, cache=None):
        self.calls.append((host, port, v3_port, version))
        return type('Detection', (), {'api': self.api})()


def probe_with(miner, **kwargs):
    detector = kwargs.pop('detector', Detector())
    record = probe('192.0.2.10', port=4028, timeout=1.0, client_factory=lambda *a, **k: miner, detector=detector,
                   **kwargs)
    return record, detector


def test_probe_2022_firmware():
    miner = RecordedMiner('2022')
    record, detector = probe_with(miner)
    assert record == {
        'address': '192.0.2.10', 'model': 'M30S+VE40', 'firmware': '20220125.13.Rel', 'api_version': 'v2',
        'api_release': '2.0.5', 'mac': 'C6:07:20:00:1E:C2', 'hostname': 'WhatsMiner-16',
        'serial': 'HEM30SP0C400929K6000', 'power_mode': 'normal', 'flavour': '2022', 'btminer_down': False,
    }
    # devdetails names the model on 2022-era firmware; nothing else is read
    assert miner.reads == ['get_version', 'devdetails', 'get_miner_info', 'status']
    assert detector.calls[0][3]['fw_ver'] == '20220125.13.Rel', 'the version is handed to detection'


def test_probe_2025_firmware_needs_three_reads():
    miner = RecordedMiner('2025')
    record, _detector = probe_with(miner, detector=Detector('v3'))
    assert record['model'] == 'M30S+VE40' and record['flavour'] == '2025' and record['api_version'] == 'v3'
    assert record['api_release'] == '2.2.1' and record['firmware'] == '20250214.16.Rel'
    assert miner.reads == ['get_version', 'get_miner_info', 'status']


def test_probe_without_detection():
    record, detector = probe_with(RecordedMiner('2025'), detect_api=False)
    assert record['api_version'] is None and detector.calls == []


@pytest.mark.parametrize('error, kind', [
    (ConnectError('cannot connect: connection refused'), 'unreachable'),
    (DeadlineError('no reply within 1.0s', phase='first_byte'), 'timeout'),
])
def test_an_address_that_does_not_answer_costs_one_connection(error, kind):
    class Silent(RecordedMiner):
        def read(self, command, **params):
            self.reads.append(command)
            raise error

    miner = Silent()
    with pytest.raises(NotAMiner) as caught:
        probe_with(miner)
    assert caught.value.reason == kind and miner.reads == ['get_version']


def test_something_else_speaking_json_is_not_a_miner():
    miner = RecordedMiner(replies={'summary': {'STATUS': [{'STATUS': 'S'}], 'SUMMARY': [{'Elapsed': 5, 'GHS 5s': 1}]}})
    with pytest.raises(NotAMiner) as caught:
        probe_with(miner)
    assert caught.value.reason == 'not_whatsminer'
    garbage = RecordedMiner(replies={'get_version': 'HTTP/1.1 400 Bad Request'})
    with pytest.raises(NotAMiner):
        probe_with(garbage)


def test_firmware_without_get_version_is_recognised_by_its_summary():
    replies = json.loads((FIXTURES / 'whatsminer_2022_replies.json').read_text(encoding='utf-8'))
    del replies['get_version']
    miner = RecordedMiner(replies=replies)
    record, _detector = probe_with(miner)
    assert record['firmware'] == '20220125.13.Rel' and record['flavour'] == '2022'
    assert record['hostname'] == 'WhatsMiner-16' and record['power_mode'] == 'normal'
    assert miner.reads.count('summary') == 1


def test_a_miner_with_btminer_down_is_still_a_host():
    miner = RecordedMiner('2025', down=('all',))
    record, detector = probe_with(miner)
    assert record['btminer_down'] is True and record['address'] == '192.0.2.10'
    assert record['model'] is None and record['hostname'] is None
    assert miner.reads == ['get_version'] and detector.calls == []


def test_one_failing_read_leaves_its_values_empty():
    miner = RecordedMiner('2025', down=('get_miner_info',))
    record, _detector = probe_with(miner)
    assert record['model'] == 'M30S+VE40' and record['mac'] is None and record['power_mode'] == 'normal'


# ------------------------------------------------------------------------------ scanning
def test_scan_keeps_target_order_counts_outcomes_and_bounds_threads():
    active, peak, lock = [0], [0], threading.Lock()

    def probe_one(target):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        number = int(target.rsplit('.', 1)[1])
        if number % 3 == 0:
            raise NotAMiner('unreachable')
        if number == 20:
            raise RuntimeError('bug')
        return {'address': target}

    targets = ['10.0.0.%d' % n for n in range(1, 41)]
    records, stats = scan(targets, probe_one, concurrency=4)
    assert [r['address'] for r in records] == [t for t in targets if int(t.rsplit('.', 1)[1]) % 3 and t != '10.0.0.20']
    assert stats['unreachable'] == 13 and stats['errors'] == 1 and stats['miners'] == 26
    assert 'RuntimeError: bug' in stats['first_error']
    assert 1 < peak[0] <= 4


def test_scan_of_nothing():
    assert scan([], lambda target: None, 8)[0] == []


# ------------------------------------------------------------------------------ naming
def records_named(*hostnames):
    return [{'address': '10.0.0.%d' % index, 'hostname': name, 'mac': 'C6:07:20:00:00:%02X' % index}
            for index, name in enumerate(hostnames, start=1)]


def test_names_by_hostname_with_fallback_for_missing_invalid_and_shared_names():
    records = records_named('rack1-a', 'WhatsMiner', None, "{{ lookup('pipe', 'id') }}", 'WhatsMiner', 'rack1-b')
    named, fallbacks = host_names(records, 'hostname')
    assert [name for name, _record in named] == ['rack1-a', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', 'rack1-b']
    assert fallbacks == ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']


def test_names_by_mac_and_ip():
    records = records_named('x', 'y')
    assert [name for name, _r in host_names(records, 'mac')[0]] == ['c6-07-20-00-00-01', 'c6-07-20-00-00-02']
    assert [name for name, _r in host_names(records, 'ip')[0]] == ['10.0.0.1', '10.0.0.2']


def test_host_vars_leave_out_an_undetected_api_and_add_the_v3_port_for_v3():
    record = dict(records_named('a')[0], api_version=None)
    assert 'whatsminer_api_version' not in host_vars(record, 4028, 4433)
    assert 'whatsminer_v3_port' not in host_vars(dict(record, api_version='v2'), 4028, 4433)
    assert host_vars(dict(record, api_version='v3'), 4028, 4433)['whatsminer_v3_port'] == 4433


# ------------------------------------------------------------------------------ the plugin
DOC = yaml.safe_load(plugin_module.DOCUMENTATION)
DEFAULTS = {name: option.get('default') for name, option in DOC['options'].items()}
DEFAULTS.update({'strict': False, 'compose': {}, 'groups': {}, 'keyed_groups': [], 'leading_separator': True,
                 'use_extra_vars': False, 'cache': False})


def make_plugin(tmp_path, options, records, calls=None):
    """The plugin with its options set directly (no config file) and probe() replaced."""
    plugin = InventoryModule()
    values = dict(DEFAULTS, plugin='minerops.whatsminer.whatsminer')
    values.update(options)
    plugin.get_option = values.__getitem__
    plugin._read_config_data = lambda path: values  # pylint: disable=protected-access
    by_address = {record['address']: record for record in records}

    def fake_probe(target, **kwargs):
        if calls is not None:
            calls.append((target, kwargs))
        if target not in by_address:
            raise NotAMiner('unreachable')
        return dict(by_address[target])

    plugin.fake_probe = fake_probe
    plugin.path = str(tmp_path / 'site.whatsminer.yml')
    return plugin


def parse(plugin, monkeypatch, cache=True):
    monkeypatch.setattr(plugin_module, 'probe', plugin.fake_probe)
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), plugin.path, cache=cache)
    return inventory


def miner_record(index, **values):
    record = {'address': '10.9.0.%d' % index, 'model': 'M50VH20', 'firmware': '20250214.16.Rel', 'api_version': 'v2',
              'api_release': '2.2.1', 'mac': 'C6:07:20:00:00:%02X' % index, 'hostname': 'WhatsMiner-%02d' % index,
              'serial': 'HE%04d' % index, 'power_mode': 'normal', 'flavour': '2025', 'btminer_down': False}
    record.update(values)
    return record


def test_documentation_lists_every_option_the_plugin_reads():
    assert {'networks', 'exclude', 'port', 'v3_port', 'detect_api_version', 'timeout', 'concurrency', 'max_addresses',
            'host_naming', 'group', 'vars', 'plugin'} == set(DOC['options'])
    assert DOC['options']['host_naming']['choices'] == list(plugin_module.NAMINGS)
    assert 'ansible.builtin.constructed' in DOC['extends_documentation_fragment']
    assert 'ansible.builtin.inventory_cache' in DOC['extends_documentation_fragment']


def test_verify_file_takes_only_whatsminer_yml(tmp_path):
    plugin = InventoryModule()
    for name, expected in (('site.whatsminer.yml', True), ('whatsminer.yaml', True), ('site.yml', False),
                           ('whatsminer.yml.bak', False)):
        path = tmp_path / name
        path.write_text('plugin: minerops.whatsminer.whatsminer\n')
        assert plugin.verify_file(str(path)) is expected, name


def test_hosts_groups_and_variables(tmp_path, monkeypatch):
    calls = []
    records = [miner_record(2), miner_record(5, api_version='v3', model='M60SVK30')]
    plugin = make_plugin(tmp_path, {'networks': ['10.9.0.0/29'], 'port': 4111, 'v3_port': 4444, 'timeout': 1.5,
                                    'vars': {'ansible_connection': 'local'},
                                    # trusted, as ansible-core marks what it loads from the config file
                                    'keyed_groups': [{'key': trust_as_template('whatsminer_model'), 'prefix': 'model'}],
                                    'groups': {'api_v3': trust_as_template("whatsminer_api_version == 'v3'")},
                                    'compose': {'rack': trust_as_template("ansible_host.split('.')[-1] | int")}},
                         records, calls)
    inventory = parse(plugin, monkeypatch)
    assert sorted(target for target, _kwargs in calls) == ['10.9.0.%d' % n for n in range(1, 7)]
    assert calls[0][1] == {'port': 4111, 'timeout': 1.5, 'v3_port': 4444, 'detect_api': True,
                           'api_cache': calls[0][1]['api_cache']}
    assert sorted(inventory.hosts) == ['WhatsMiner-02', 'WhatsMiner-05']
    assert sorted(h.name for h in inventory.groups['whatsminer'].get_hosts()) == ['WhatsMiner-02', 'WhatsMiner-05']
    assert [h.name for h in inventory.groups['model_M60SVK30'].get_hosts()] == ['WhatsMiner-05']
    assert [h.name for h in inventory.groups['api_v3'].get_hosts()] == ['WhatsMiner-05']
    hostvars = inventory.get_host('WhatsMiner-05').get_vars()
    assert hostvars['ansible_host'] == '10.9.0.5' and hostvars['whatsminer_port'] == 4111
    assert hostvars['whatsminer_v3_port'] == 4444 and hostvars['ansible_connection'] == 'local'
    assert hostvars['rack'] == 5
    assert {key: hostvars['whatsminer_' + key] for key in plugin_module.MINER_VARS} == {
        'model': 'M60SVK30', 'firmware': '20250214.16.Rel', 'api_version': 'v3', 'api_release': '2.2.1',
        'mac': 'C6:07:20:00:00:05', 'hostname': 'WhatsMiner-05', 'serial': 'HE0005', 'power_mode': 'normal',
        'flavour': '2025'}
    assert 'whatsminer_v3_port' not in inventory.get_host('WhatsMiner-02').get_vars()


def test_values_from_the_network_are_unsafe(tmp_path, monkeypatch):
    """Even a value that arrived marked trusted leaves the plugin untrusted: a miner reporting
    a template as its hostname or model cannot make Ansible evaluate it."""
    evil = "{{ lookup('ansible.builtin.pipe', 'touch /tmp/owned') }}"
    record = miner_record(3, hostname=trust_as_template(evil), model=trust_as_template('{{ 6 * 7 }}'),
                          firmware=trust_as_template('20250214.16.Rel'))
    record['address'] = trust_as_template(record['address'])
    plugin = make_plugin(tmp_path, {'networks': ['10.9.0.3'], 'vars': {'site': trust_as_template("{{ 'a' }}")}},
                         [record])
    inventory = parse(plugin, monkeypatch)
    assert list(inventory.hosts) == ['10.9.0.3']
    name = list(inventory.hosts)[0]
    assert not is_trusted_as_template(name), 'the template hostname is not a valid name: named by the address'
    hostvars = inventory.get_host(name).get_vars()
    for key, value in hostvars.items():
        if key.startswith('whatsminer_') and isinstance(value, str) or key == 'ansible_host':
            assert not is_trusted_as_template(value), key
    templar = Templar(loader=DataLoader(), variables=hostvars)
    assert templar.template(hostvars['whatsminer_model']) == '{{ 6 * 7 }}'
    assert templar.template(hostvars['whatsminer_hostname']) == evil
    # the user's own variables from the configuration file stay templates
    assert is_trusted_as_template(hostvars['site']) and templar.template(hostvars['site']) == 'a'


def test_naming_fallback_warns(tmp_path, monkeypatch):
    warnings = []
    records = [miner_record(1, hostname='WhatsMiner'), miner_record(2, hostname='WhatsMiner'), miner_record(3)]
    plugin = make_plugin(tmp_path, {'networks': ['10.9.0.1-3']}, records)
    monkeypatch.setattr(plugin.display, 'warning', warnings.append)
    inventory = parse(plugin, monkeypatch)
    assert sorted(inventory.hosts) == ['10.9.0.1', '10.9.0.2', 'WhatsMiner-03']
    assert len(warnings) == 1 and '2 miners' in warnings[0] and '10.9.0.1, 10.9.0.2' in warnings[0]


def test_no_group_and_mac_names(tmp_path, monkeypatch):
    plugin = make_plugin(tmp_path, {'networks': ['10.9.0.4'], 'group': '', 'host_naming': 'mac'}, [miner_record(4)])
    inventory = parse(plugin, monkeypatch)
    assert list(inventory.hosts) == ['c6-07-20-00-00-04'] and 'whatsminer' not in inventory.groups


@pytest.mark.parametrize('options, words', [
    ({'networks': ['10.0.0.0/8']}, 'more than max_addresses'),
    ({'networks': ['10.0.0.1-0']}, 'networks: '),
    ({'networks': ['10.0.0.1'], 'exclude': ['10.0.0.0/40']}, 'exclude: '),
    ({'networks': ['10.0.0.1'], 'port': 0}, 'port must be a TCP port from 1 to 65535'),
    ({'networks': ['10.0.0.1'], 'v3_port': 70000}, 'v3_port must be a TCP port from 1 to 65535'),
    ({'networks': ['10.0.0.1'], 'concurrency': 0}, 'concurrency must be from 1 to 1024'),
    ({'networks': ['10.0.0.1'], 'concurrency': 5000}, 'concurrency must be from 1 to 1024'),
    ({'networks': ['10.0.0.1'], 'timeout': 0}, 'timeout must be more than 0'),
    ({'networks': ['10.0.0.1'], 'max_addresses': 0}, 'max_addresses must be from 1 to 1048576'),
    ({'networks': ['10.0.0.1'], 'host_naming': 'serial'}, 'host_naming must be one of hostname, mac, ip'),
])
def test_bad_options_fail_before_any_address_is_contacted(tmp_path, monkeypatch, options, words):
    calls = []
    plugin = make_plugin(tmp_path, options, [], calls)
    with pytest.raises(AnsibleParserError, match=words.replace('(', r'\(').replace(')', r'\)')):
        parse(plugin, monkeypatch)
    assert calls == []


def test_cache_serves_the_scan_until_the_scan_options_change(tmp_path, monkeypatch):
    calls = []
    store = {}
    options = {'networks': ['10.9.0.1-2'], 'cache': True}
    plugin = make_plugin(tmp_path, options, [miner_record(1)], calls)
    plugin._cache = store  # pylint: disable=protected-access
    first = parse(plugin, monkeypatch, cache=True)
    assert len(calls) == 2 and len(store) == 1, 'a cache miss scans and fills the cache'
    calls.clear()

    offline = make_plugin(tmp_path, dict(options, host_naming='ip', vars={'x': 1}), [], calls)
    offline._cache = store  # pylint: disable=protected-access
    second = parse(offline, monkeypatch, cache=True)
    assert calls == [], 'served from the cache'
    assert list(second.hosts) == ['10.9.0.1'] and second.get_host('10.9.0.1').get_vars()['x'] == 1
    assert list(first.hosts) == ['WhatsMiner-01']
    value = second.get_host('10.9.0.1').get_vars()['whatsminer_model']
    assert value == 'M50VH20' and not is_trusted_as_template(value)

    changed = make_plugin(tmp_path, dict(options, networks=['10.9.0.1-3']), [miner_record(1)], calls)
    changed._cache = store  # pylint: disable=protected-access
    parse(changed, monkeypatch, cache=True)
    assert len(calls) == 3, 'other networks: the cached scan is not used'
    calls.clear()

    flushed = make_plugin(tmp_path, dict(options, networks=['10.9.0.1-3']), [miner_record(1)], calls)
    flushed._cache = store  # pylint: disable=protected-access
    parse(flushed, monkeypatch, cache=False)
    assert len(calls) == 3, '--flush-cache scans again'
