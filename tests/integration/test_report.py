# -*- coding: utf-8 -*-
"""The fleet report (playbooks/report.yml, role minerops.whatsminer.report) against a mixed
simulated fleet with an error code, a down miner and a miner whose btminer is not running:
CSV and JSON content, then the HTML rendered by headless Chromium (DOM and a screenshot kept
under tests/output/report/)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from .conftest import loopback_hosts
from .harness import ROOT, SimulatorProcess, ansible_playbook

CHROMIUM = '/usr/bin/chromium'
ARTIFACTS = ROOT / 'tests' / 'output' / 'report'
PLAYBOOK = str(ROOT / 'playbooks' / 'report.yml')
CHARTS = {'status', 'hashrate', 'efficiency', 'power', 'temperature', 'pools', 'errors', 'firmware', 'models'}
PER_MINER_CHARTS = {'hashrate', 'efficiency', 'power', 'temperature'}
MINERS = ['miner%02d' % i for i in range(1, 7)]
HOSTILE_USER = 'acct"<b>bold</b>'
HOSTILE_URL = 'stratum+tcp://btc.pool.example:3333/<script>alert(1)</script>'


@pytest.fixture
def sim(tmp_path):
    running = SimulatorProcess(tmp_path, loopback_hosts(6), 'mixed')
    yield running
    running.stop()


def inventory_for(tmp_path, sim):
    hosts = {name: {'ansible_host': host} for name, host in zip(MINERS, sim.hosts)}
    data = {'all': {'children': {'whatsminer': {'hosts': hosts}}, 'vars': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
        'whatsminer_port': sim.port, 'whatsminer_password': 'secret1', 'report_timeout': 3}}}
    path = tmp_path / 'inventory.json'
    path.write_text(json.dumps(data))
    return path


def prepare_fleet(sim):
    """miner01: error 350; miner02: down (closes every connection without a reply);
    miner03: btminer not running; miner04: a worker name with markup in it; others healthy."""
    for host in sim.hosts:
        sim.control.set(host, error_codes={})
    sim.control.set(sim.hosts[0], error_codes={'350': '2026-01-17 11:28:11'})
    sim.control.fault(sim.hosts[1], 'drop')
    sim.control.fault(sim.hosts[2], 'btminer_down')
    sim.control.set(sim.hosts[3], pools=[{'url': HOSTILE_URL, 'user': HOSTILE_USER, 'passwd': 'x'},
                                         {'url': '', 'user': '', 'passwd': ''}, {'url': '', 'user': '', 'passwd': ''}])


def writes(sim):
    return sum(sim.counters(host)['write_requests'] for host in sim.hosts)


def number(text):
    return float(text) if text != '' else None


def check_csv(path):
    with path.open(newline='') as handle:
        rows = list(csv.DictReader(handle))
    assert [row['miner'] for row in rows] == MINERS
    header = set(rows[0])
    assert {'hashrate_ths', 'factory_hashrate_ths', 'hashrate_percent', 'power_w', 'power_limit_w', 'efficiency_j_per_th',
            'temperature_c', 'chip_temp_max_c', 'env_temperature_c', 'fan_in_rpm', 'pool_url', 'pool_status',
            'error_codes', 'firmware', 'model', 'status', 'message'} <= header
    by_name = {row['miner']: row for row in rows}
    assert by_name['miner02']['status'] == 'failed'
    assert 'without a reply' in by_name['miner02']['message'] and by_name['miner02']['hashrate_ths'] == ''
    assert by_name['miner03']['status'] == 'btminer_down' and by_name['miner03']['hashrate_ths'] == ''
    assert by_name['miner01']['error_codes'] == '350'
    firmware = set()
    for name in ('miner01', 'miner04', 'miner05', 'miner06'):
        row = by_name[name]
        assert row['status'] == 'ok', row
        hashrate, factory, power = number(row['hashrate_ths']), number(row['factory_hashrate_ths']), number(row['power_w'])
        # TH/s on both flavours (2022 firmware reports MH/s, 2025 mixes MH/s and TH/s).
        assert 50 < hashrate < 300 and 50 < factory < 300, row
        assert 80 < number(row['hashrate_percent']) < 120
        assert 1000 < power < 6000
        assert abs(number(row['efficiency_j_per_th']) - power / hashrate) < 0.1 * power / hashrate
        assert 0 < number(row['temperature_c']) < 120 and 0 < number(row['env_temperature_c']) < 60
        firmware.add(row['firmware'])
    assert firmware == {'20220125.13.Rel', '20250214.16.Rel'}, 'the fleet mixes both firmware flavours'
    assert by_name['miner04']['pool_user'] == HOSTILE_USER and by_name['miner04']['pool_url'] == HOSTILE_URL
    return rows


def check_json(path):
    report = json.loads(path.read_text())
    assert [row['miner'] for row in report['miners']] == MINERS
    assert report['units']['hashrate_ths'] == 'TH/s' and report['units']['power_w'] == 'W'
    assert report['units']['efficiency_j_per_th'] == 'J/TH' and report['units']['temperature_c'] == 'C'
    totals = report['totals']
    assert totals['miners'] == 6 and totals['reporting'] == 5 and totals['hashing'] == 4
    assert totals['statuses']['ok'] == 4 and totals['statuses']['failed'] == 1 and totals['statuses']['btminer_down'] == 1
    healthy = [row for row in report['miners'] if row['status'] == 'ok']
    assert totals['hashrate_ths'] == pytest.approx(sum(row['hashrate_ths'] for row in healthy), abs=0.05)
    assert totals['power_w'] == pytest.approx(sum(row['power_w'] for row in healthy), abs=0.5)
    assert totals['efficiency_j_per_th'] == pytest.approx(totals['power_w'] / totals['hashrate_ths'], rel=0.01)
    errors = report['mixes']['errors']
    assert [(entry['code'], entry['miners']) for entry in errors] == [(350, ['miner01'])]
    assert {entry['name'] for entry in report['mixes']['firmware']} == {'20220125.13.Rel', '20250214.16.Rel'}
    assert sum(entry['count'] for entry in report['mixes']['models']) == 4
    return report


class DomSummary(HTMLParser):
    """What the test needs from the rendered DOM: charts with their rows and bars, table rows."""

    def __init__(self):
        super().__init__()
        self.charts = {}
        self.table_rows = []
        self.chart = None
        self.in_table = False
        self.references = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ('src', 'href'):
            if attrs.get(name):
                self.references.append(attrs[name])
        if tag == 'link':
            self.references.append('link:%s' % attrs.get('href'))
        if tag == 'figure' and 'data-chart' in attrs:
            self.chart = self.charts.setdefault(attrs['data-chart'], {'svg': 0, 'rows': [], 'bars': 0, 'marks': 0})
        elif self.chart is not None and tag == 'svg':
            self.chart['svg'] += 1
        elif self.chart is not None and tag == 'g' and 'row' in attrs.get('class', '').split():
            self.chart['rows'].append(attrs.get('data-label'))
        elif self.chart is not None and tag == 'rect' and 'bar' in attrs.get('class', '').split():
            self.chart['bars'] += 1
        elif self.chart is not None and tag == 'line' and 'mark' in attrs.get('class', '').split():
            self.chart['marks'] += 1
        elif tag == 'table' and attrs.get('id') == 'miners':
            self.in_table = True
        elif self.in_table and tag == 'tr' and 'data-miner' in attrs:
            self.table_rows.append((attrs['data-miner'], attrs.get('data-status')))

    def handle_endtag(self, tag):
        if tag == 'figure':
            self.chart = None
        elif tag == 'table':
            self.in_table = False


def chromium(*args):
    if not os.path.exists(CHROMIUM):
        if os.environ.get('CI', '').lower() in ('true', '1', 'yes'):
            pytest.fail('%s is missing: `make chromium` installs it (CI must render the report)' % CHROMIUM)
        pytest.skip('%s is missing: run `make chromium`' % CHROMIUM)
    profile = ARTIFACTS / 'chromium-profile'
    shutil.rmtree(profile, ignore_errors=True)
    cmd = [CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--user-data-dir=%s' % profile, '--window-size=1400,2000'] + list(args)
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def check_html(path):
    raw = path.read_text()
    # Self-contained: no stylesheet, script, image or font is fetched; data from miners is escaped.
    assert not re.search(r'<link|<img|@import|url\(|src=', raw)
    assert '<b>' not in raw and '<script>alert' not in raw
    assert 'acct&#34;&lt;b&gt;bold&lt;/b&gt;' in raw and ':3333/&lt;script&gt;alert(1)&lt;/script&gt;' in raw
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / path.name)
    screenshot = ARTIFACTS / 'whatsminer-report.png'
    screenshot.unlink(missing_ok=True)
    chromium('--screenshot=%s' % screenshot, path.as_uri())
    assert screenshot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n' and screenshot.stat().st_size > 20000

    dom = DomSummary()
    dom.feed(chromium('--dump-dom', path.as_uri()))
    assert set(dom.charts) == CHARTS, sorted(dom.charts)
    for name, chart in dom.charts.items():
        assert chart['svg'] == 1, name
    for name in PER_MINER_CHARTS:
        assert dom.charts[name]['rows'] == MINERS, (name, dom.charts[name]['rows'])
    assert dom.charts['hashrate']['bars'] == 8  # hash rate and factory rate of the 4 hashing miners
    assert dom.charts['temperature']['bars'] == 12
    assert dom.charts['power']['marks'] == 4  # power limits
    assert dom.charts['errors']['rows'] == ['350 Hash board 0: over-temperature protection']
    assert dom.charts['status']['rows'] == ['ok', 'btminer down', 'failed']
    assert sorted(dom.charts['firmware']['rows']) == ['20220125.13.Rel', '20250214.16.Rel']
    assert dom.table_rows == [('miner01', 'ok'), ('miner02', 'failed'), ('miner03', 'btminer_down'),
                              ('miner04', 'ok'), ('miner05', 'ok'), ('miner06', 'ok')]
    assert all(ref.startswith('whatsminer-report.') for ref in dom.references), dom.references


def test_report_csv_json_html(sim, tmp_path, private_state):
    prepare_fleet(sim)
    inventory = inventory_for(tmp_path, sim)
    out = tmp_path / 'report'

    run = ansible_playbook(PLAYBOOK, inventory, private_state, ['-e', 'report_dir=%s' % out])
    assert run.rc == 0, run.output
    assert run.total('failed') == 0 and run.recap['miner02']['ok'] >= 1, run.output
    assert run.output.count('...ignoring') == 1
    assert str(out / 'whatsminer-report.html') in run.output, 'the playbook prints where the report is'
    assert writes(sim) == 0, 'the report only reads'
    for name in ('whatsminer-report.csv', 'whatsminer-report.json', 'whatsminer-report.html'):
        assert 'secret1' not in (out / name).read_text()

    check_csv(out / 'whatsminer-report.csv')
    report = check_json(out / 'whatsminer-report.json')
    check_html(out / 'whatsminer-report.html')

    # The module path (facts delegated to a gateway, async...) gives the same rows.
    module_out = tmp_path / 'report-module'
    again = ansible_playbook(PLAYBOOK, inventory, private_state, ['-e', 'report_dir=%s' % module_out], module_path=True)
    assert again.rc == 0, again.output
    rows = json.loads((module_out / 'whatsminer-report.json').read_text())['miners']
    assert [(row['miner'], row['status'], row['model'], row['firmware'], row['error_codes']) for row in rows] == \
        [(row['miner'], row['status'], row['model'], row['firmware'], row['error_codes']) for row in report['miners']]

    # Check mode reads the miners but writes no file.
    checked = tmp_path / 'report-check'
    check = ansible_playbook(PLAYBOOK, inventory, private_state, ['--check', '-e', 'report_dir=%s' % checked])
    assert check.rc == 0, check.output
    assert 'check mode: not written' in check.output
    assert not checked.exists()
    assert writes(sim) == 0
