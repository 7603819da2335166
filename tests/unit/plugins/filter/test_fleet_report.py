# -*- coding: utf-8 -*-
"""The report filters: rows of every kind of miner, totals, mixes, chart geometry, and the
CSV template's quoting."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import jinja2
import pytest

from ansible_collections.minerops.whatsminer.plugins.filter.fleet_report import FilterModule, fleet_report, natural_key
from ansible_collections.minerops.whatsminer.plugins.filter.fleet_report_charts import FilterModule as ChartsModule
from ansible_collections.minerops.whatsminer.plugins.filter.fleet_report_charts import _ticks, fleet_report_charts

TEMPLATES = Path(__file__).resolve().parents[4] / 'roles' / 'report' / 'templates'


def facts(hashrate=100.0, factory=104.0, power=3400.0, model='M50VH20', firmware='20250214.16.Rel', mining='started',
          errors=(), pools=None, unavailable=(), temperature=80.0, limit=3600):
    return {
        'summary': {'hashrate_5m_ths': hashrate, 'hashrate_1m_ths': hashrate, 'factory_hashrate_ths': factory, 'power_w': power,
                    'power_limit_w': limit, 'efficiency_j_per_th': round(power / hashrate, 2) if hashrate else None,
                    'temperature_c': temperature, 'env_temperature_c': 26.0, 'chip_temp_max_c': temperature + 15,
                    'fan_in_rpm': 4500, 'fan_out_rpm': 4400, 'accepted': 10, 'rejected': 1, 'uptime_s': 7200,
                    'power_mode': 'normal', 'firmware': firmware},
        'version': {'model': model, 'firmware': firmware, 'api_version': '2.2.1'},
        'status': {'mining': mining, 'power_mode': 'normal', 'firmware': firmware},
        'network': {'ip': '10.0.0.1', 'mac': 'C6:07:20:00:00:01', 'hostname': 'WhatsMiner-01', 'serial': 'HE1'},
        'psu': {'temperature_c': 35.0},
        'boards': [],
        'pools': pools if pools is not None else [
            {'slot': 1, 'url': 'stratum+tcp://a.example:3333', 'user': 'acct.w1', 'status': 'Alive', 'priority': 0,
             'stratum_active': True},
            {'slot': 2, 'url': 'stratum+tcp://b.example:3333', 'user': 'acct.w1', 'status': 'Dead', 'priority': 1,
             'stratum_active': False}],
        'errors': [{'code': code, 'time': '2026-01-01 00:00:00', 'description': 'text %s' % code} for code in errors],
        'unavailable': list(unavailable),
    }


def ok(**kwargs):
    return {'result': 'ok', 'address': '10.0.0.1', 'facts': facts(**kwargs), 'msg': ''}


def fleet():
    return {
        'miner10': ok(errors=[350]),
        'miner2': ok(hashrate=80.0, model='M30S+VE40', firmware='20220125.13.Rel', temperature=92.0),
        'miner3': {'result': 'failed', 'address': '10.0.0.3', 'msg': 'cannot connect: connection refused', 'facts': {}},
        'miner4': {'result': 'unreachable', 'address': '10.0.0.4', 'msg': 'host unreachable'},
        'miner5': {},
        'miner6': ok(hashrate=0.0, power=0.0, mining='stopped', errors=[350, 2010]),
        'miner7': {'result': 'ok', 'address': '10.0.0.7',
                   'facts': {'summary': {}, 'pools': [], 'errors': [], 'status': {}, 'unavailable': ['pools', 'summary']}},
    }


def by_name(report):
    return {row['miner']: row for row in report['miners']}


def test_registered_names():
    assert set(FilterModule().filters()) == {'fleet_report'}
    assert set(ChartsModule().filters()) == {'fleet_report_charts'}


def test_every_miner_has_a_row_in_natural_order():
    report = fleet_report(fleet())
    assert [row['miner'] for row in report['miners']] == ['miner2', 'miner3', 'miner4', 'miner5', 'miner6', 'miner7', 'miner10']
    rows = by_name(report)
    assert rows['miner3']['status'] == 'failed' and rows['miner3']['message'] == 'cannot connect: connection refused'
    assert rows['miner4']['status'] == 'unreachable' and rows['miner4']['address'] == '10.0.0.4'
    assert rows['miner5']['status'] == 'not_run' and rows['miner5']['address'] == 'miner5'
    assert rows['miner6']['status'] == 'stopped'
    assert rows['miner7']['status'] == 'btminer_down'
    for name in ('miner3', 'miner4', 'miner5'):
        assert rows[name]['hashrate_ths'] is None and rows[name]['power_w'] is None and rows[name]['error_codes'] == []
    assert [column['key'] for column in report['columns']][:3] == ['miner', 'address', 'status']
    assert all(set(row) >= {column['key'] for column in report['columns']} for row in report['miners'])


def test_row_figures_and_issues():
    rows = by_name(fleet_report(fleet(), hashrate_warn_percent=90, temperature_warn_c=90))
    healthy = rows['miner10']
    assert healthy['hashrate_ths'] == 100.0 and healthy['factory_hashrate_ths'] == 104.0
    assert healthy['hashrate_percent'] == 96.2
    assert healthy['efficiency_j_per_th'] == 34.0
    assert healthy['pool_url'] == 'stratum+tcp://a.example:3333' and healthy['pool_status'] == 'Alive'
    assert healthy['pools_alive'] == 1 and healthy['pools_configured'] == 2
    assert healthy['error_codes'] == [350] and healthy['issues'] == ['error 350: text 350']
    slow = rows['miner2']
    assert 'hash rate 76.9% of factory' in slow['issues'] and 'board temperature 92.0 C' in slow['issues']
    assert rows['miner6']['efficiency_j_per_th'] is None and 'mining stopped' in rows['miner6']['issues']
    assert rows['miner7']['issues'] == ['btminer not answering: pools, summary']


def test_fallbacks_to_boards_and_computed_efficiency():
    record = ok()
    summary = record['facts']['summary']
    for key in ('factory_hashrate_ths', 'efficiency_j_per_th', 'temperature_c', 'chip_temp_max_c'):
        summary[key] = None
    record['facts']['boards'] = [{'factory_hashrate_ths': 30.0, 'temperature_c': 70.0, 'chip_temp_max_c': 85.0},
                                 {'factory_hashrate_ths': 31.0, 'temperature_c': 72.5, 'chip_temp_max_c': 88.0}]
    row = fleet_report({'m': record})['miners'][0]
    assert row['factory_hashrate_ths'] == 61.0 and row['efficiency_j_per_th'] == 34.0
    assert row['temperature_c'] == 72.5 and row['chip_temp_max_c'] == 88.0


def test_no_pool_and_dead_pools_are_issues():
    rows = by_name(fleet_report({'a': ok(pools=[]), 'b': ok(pools=[{'slot': 1, 'url': 'u', 'status': 'Dead', 'priority': 0}])}))
    assert 'no pool configured' in rows['a']['issues'] and rows['a']['pool_url'] is None
    assert 'no pool alive' in rows['b']['issues'] and rows['b']['pool_url'] == 'u'


def test_totals_and_mixes():
    report = fleet_report(fleet())
    totals = report['totals']
    assert totals['miners'] == 7 and totals['reporting'] == 4 and totals['hashing'] == 2
    assert totals['hashrate_ths'] == 180.0 and totals['power_w'] == 6800.0
    assert totals['efficiency_j_per_th'] == round(6800.0 / 180.0, 2)
    assert totals['hashrate_percent'] == round(100 * 180.0 / 312.0, 1)  # the stopped miner counts against the fleet
    assert totals['statuses'] == {'ok': 2, 'stopped': 1, 'btminer_down': 1, 'failed': 1, 'unreachable': 1, 'not_run': 1}
    assert totals['miners_with_errors'] == 2 and totals['temperature_max_c'] == 92.0
    mixes = report['mixes']
    assert [(entry['code'], entry['count'], entry['miners']) for entry in mixes['errors']] == \
        [(350, 2, ['miner6', 'miner10']), (2010, 1, ['miner6'])]
    assert [(entry['name'], entry['count']) for entry in mixes['models']] == [('M50VH20', 2), ('M30S+VE40', 1)]
    assert [entry['name'] for entry in mixes['statuses']] == ['ok', 'stopped', 'btminer_down', 'failed', 'unreachable', 'not_run']
    pools = {entry['url']: entry for entry in mixes['pools']}
    assert pools['stratum+tcp://a.example:3333']['miners'] == 3 and pools['stratum+tcp://a.example:3333']['active'] == 2
    assert pools['stratum+tcp://b.example:3333']['statuses'] == {'Dead': 3}
    assert report['units']['efficiency_j_per_th'] == 'J/TH'


def test_empty_fleet():
    report = fleet_report({})
    assert report['miners'] == [] and report['totals']['miners'] == 0 and report['totals']['hashrate_ths'] is None
    charts = fleet_report_charts(report)
    assert all(chart['rows'] == [] for chart in charts)
    assert {chart['id']: chart['empty'] for chart in charts}['errors'] == 'No error codes reported.'


@pytest.mark.parametrize('maximum, top, ticks', [
    (0, 1.0, [0.0, 1.0]), (3, 3, [0, 1, 2, 3]), (176.8, 200, [0, 50, 100, 150, 200]), (3600, 4000, [0, 1000, 2000, 3000, 4000]),
    (0.3, 0.3, [0, 0.1, 0.2, 0.3]), (98, 100, [0, 20, 40, 60, 80, 100]),
])
def test_ticks_are_round(maximum, top, ticks):
    assert _ticks(maximum, integer=isinstance(maximum, int)) == (pytest.approx(top), pytest.approx(ticks))


def test_chart_geometry():
    charts = {chart['id']: chart for chart in fleet_report_charts(fleet_report(fleet(), temperature_warn_c=95), width=700)}
    assert list(charts) == ['status', 'hashrate', 'efficiency', 'power', 'temperature', 'pools', 'errors', 'firmware', 'models']
    for chart in charts.values():
        plot = chart['plot']
        assert chart['width'] == 700 and plot['x0'] < plot['x1'] <= 700
        assert [tick['x'] for tick in chart['ticks']] == sorted(tick['x'] for tick in chart['ticks'])
        for row in chart['rows']:
            assert plot['y0'] <= row['y'] <= plot['y1'] <= chart['height']
            for rect in row['bars']:
                assert plot['x0'] <= rect['x'] and rect['x'] + rect['width'] <= plot['x1'] + 0.2, (chart['id'], rect)
    hashrate = charts['hashrate']
    assert [row['label'] for row in hashrate['rows']] == ['miner2', 'miner3', 'miner4', 'miner5', 'miner6', 'miner7', 'miner10']
    rows = {row['label']: row for row in hashrate['rows']}
    assert [rect['cls'] for rect in rows['miner10']['bars']] == ['hashrate', 'factory']
    assert rows['miner3']['bars'] == [] and rows['miner3']['value'] == 'no data: failed' and 'missing' in rows['miner3']['cls']
    assert rows['miner7']['value'] == 'no data: btminer down'
    assert rows['miner10']['value'] == '100 TH/s (96%)'
    assert charts['temperature']['threshold']['label'] == 'board warning 95 C'
    assert len({row['label']: row for row in charts['power']['rows']}['miner10']['marks']) == 1
    pools = {row['label']: row for row in charts['pools']['rows']}
    assert [rect['cls'] for rect in pools['stratum+tcp://a.example:3333']['bars']] == ['pool-alive']
    assert pools['stratum+tcp://a.example:3333']['value'] == '3 miners, 2 active'
    assert [row['value'] for row in charts['status']['rows']] == ['2 miners', '1 miner', '1 miner', '1 miner', '1 miner', '1 miner']


def test_long_labels_are_cut_with_the_full_text_kept():
    report = fleet_report({'m' * 80: ok()})
    row = fleet_report_charts(report)[1]['rows'][0]
    assert row['label'] == 'm' * 80 and row['short'].endswith('\u2026') and len(row['short']) < 80


def test_natural_key():
    assert sorted(['miner10', 'miner2', 'Miner1'], key=natural_key) == ['Miner1', 'miner2', 'miner10']


def render_csv(report):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True, keep_trailing_newline=True)
    return env.get_template('report.csv.j2').render(report_data=report)


def test_csv_quotes_text_and_defuses_formulas():
    record = ok(errors=[350, 2010], pools=[{'slot': 1, 'url': '=HYPERLINK("http://evil")', 'user': 'a "quoted", user',
                                           'status': 'Alive', 'priority': 0, 'stratum_active': True}])
    text = render_csv(fleet_report({'miner1': record, 'miner2': {'result': 'failed', 'msg': 'line one\nline two'}}))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 and text.count('\n') == 3 + 1  # header, two rows, one embedded newline
    assert rows[0]['pool_url'] == '\'=HYPERLINK("http://evil")' and rows[0]['pool_user'] == 'a "quoted", user'
    assert rows[0]['error_codes'] == '350; 2010' and rows[0]['hashrate_ths'] == '100.0'
    assert rows[1]['message'] == 'line one\nline two' and rows[1]['hashrate_ths'] == ''
    assert list(rows[0]) == [column['key'] for column in fleet_report({})['columns']]
