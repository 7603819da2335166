# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Geometry of the fleet report's bar charts, so the HTML template only draws shapes.

Why here: the report must open without a network (no chart library from a CDN), so its charts
are inline SVG made on the controller. Scales, ticks, bar positions and label truncation are
arithmetic that would be unreadable in Jinja; the template gets rectangles and text positions.
"""

from __future__ import annotations

DOCUMENTATION = r'''
name: fleet_report_charts
short_description: Bar chart geometry for the WhatsMiner fleet report
version_added: 0.1.0
description:
  - Lays out the charts of the HTML fleet report from the output of the
    P(minerops.whatsminer.fleet_report#filter) filter as horizontal bar charts. Returns
    positions and sizes in SVG user units; the template of the role
    C(minerops.whatsminer.report) draws them as inline SVG, so the report needs no network.
  - "Charts, by id: V(status) (miners per status), V(hashrate) (hash rate against the factory
    rate, per miner), V(efficiency) (J/TH per miner), V(power) (power per miner with its
    power limit), V(temperature) (board, hottest chip and intake temperature per miner),
    V(pools) (miners per pool URL by pool status), V(errors) (miners per error code),
    V(firmware) and V(models) (fleet mix)."
  - A miner without figures (failed, unreachable, btminer down) keeps its line in the
    per-miner charts, with its status instead of a bar.
author:
  - minerops.whatsminer contributors (@minerops)
options:
  _input:
    description: The report made by P(minerops.whatsminer.fleet_report#filter).
    type: dict
    required: true
  width:
    description: Width of each chart in SVG user units (the page scales it).
    type: int
    default: 680
'''

EXAMPLES = r'''
- name: Ids of the charts
  ansible.builtin.debug:
    msg: "{{ report | minerops.whatsminer.fleet_report_charts | map(attribute='id') | list }}"
  vars:
    report: "{{ miners | minerops.whatsminer.fleet_report }}"
# ok: => {"msg": ["status", "hashrate", "efficiency", "power", "temperature", "pools", "errors",
#                 "firmware", "models"]}
'''

RETURN = r'''
_value:
  description:
    - One entry per chart with C(id), C(kind) (V(miners) for per-miner charts, V(mix) for
      counts), C(title), C(subtitle), C(unit), C(width), C(height), C(label_width),
      C(legend) (list of C(cls), C(label)), C(ticks) (list of C(x), C(label)), C(plot)
      (C(x0), C(x1), C(y0), C(y1) of the plotting area), C(threshold) (C(x), C(label)) or
      V(null), C(empty) (text shown when there are no rows) and C(rows).
    - A row has C(label), C(short) (the label cut to fit), C(y) (middle of the row),
      C(bars) (list of C(x), C(y), C(width), C(height), C(cls), C(title)), C(marks)
      (vertical lines C(x), C(y1), C(y2), C(cls), C(title)), C(value) (text after the
      bars), C(value_x) and C(cls) (classes of the row, C(row-) followed by the miner
      status, and C(missing) when it has no bar).
  type: list
  elements: dict
'''

import math

CHAR_WIDTH = 6.4       # of the 11 px sans-serif labels, generous
VALUE_WIDTH = 150
TOP = 22               # tick labels
BOTTOM = 6
ROW_GAP = 7


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _fmt(value, digits=1):
    if value is None:
        return '-'
    text = '%.*f' % (digits, value)
    if '.' in text:
        text = text.rstrip('0').rstrip('.')
    return text


def _ticks(maximum, integer=False):
    """A round top of the scale at or above ``maximum`` and ticks from 0 to it (about 5)."""
    if not maximum or maximum <= 0:
        return 1.0, [0.0, 1.0]
    raw = maximum / 5.0
    magnitude = 10 ** math.floor(math.log10(raw))
    step = magnitude
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    if integer:
        step = max(1.0, math.ceil(step))
    top = math.ceil(maximum / step - 1e-9) * step
    count = int(round(top / step))
    return top, [round(i * step, 6) for i in range(count + 1)]


def _label_width(labels, low=80, high=250):
    longest = max([len(str(label)) for label in labels] or [0])
    return int(min(high, max(low, longest * CHAR_WIDTH + 22)))


def _short(label, width):
    label = str(label)
    room = max(4, int((width - 14) / CHAR_WIDTH))
    return label if len(label) <= room else label[:room - 1] + '\u2026'


class _Frame:
    """Horizontal scale of one chart."""

    def __init__(self, width, label_width, top_value, ticks):
        self.width = width
        self.x0 = label_width
        self.x1 = width - VALUE_WIDTH
        self.top_value = top_value
        self.tick_values = ticks

    def x(self, value):
        value = max(0.0, min(value, self.top_value))
        return round(self.x0 + (self.x1 - self.x0) * value / self.top_value, 1)

    def ticks(self):
        return [{'x': self.x(value), 'label': _fmt(value, 2)} for value in self.tick_values]


def _chart(cid, kind, title, subtitle, unit, frame, rows, legend, empty, threshold=None):
    height = (rows[-1]['bottom'] if rows else TOP) + BOTTOM
    for row in rows:
        row.pop('bottom')
    return {
        'id': cid, 'kind': kind, 'title': title, 'subtitle': subtitle, 'unit': unit,
        'width': frame.width, 'height': int(math.ceil(height)), 'label_width': frame.x0,
        'legend': [{'cls': cls, 'label': label} for cls, label in legend],
        'ticks': frame.ticks(), 'plot': {'x0': frame.x0, 'x1': frame.x1, 'y0': TOP, 'y1': int(math.ceil(height)) - BOTTOM},
        'threshold': threshold, 'empty': empty, 'rows': rows,
    }


def _miner_chart(report, width, cid, title, subtitle, unit, series, value, extra=None, threshold=None, legend=None):
    """One line per miner; ``series`` = [(row key, css class, label)], one bar each."""
    miners = report.get('miners') or []
    labels = [row['miner'] for row in miners]
    label_width = _label_width(labels)
    values = [_number(row.get(key)) for row in miners for key, dummy, dummy2 in series]
    values += [_number(row.get(extra[0])) for row in miners] if extra else []
    values.append(threshold[0] if threshold else None)
    top_value, ticks = _ticks(max([v for v in values if v is not None] or [0]))
    frame = _Frame(width, label_width, top_value, ticks)
    bar_height = {1: 12, 2: 8}.get(len(series), 6)
    inner = len(series) * bar_height + (len(series) - 1) * 2
    row_height = max(18, inner + ROW_GAP)
    rows = []
    y = TOP + 2
    for row in miners:
        bars = []
        for index, (key, cls, label) in enumerate(series):
            number = _number(row.get(key))
            if number is None:
                continue
            bar_y = y + (row_height - inner) / 2.0 + index * (bar_height + 2)
            bars.append({'x': frame.x0, 'y': round(bar_y, 1), 'width': max(0.0, round(frame.x(number) - frame.x0, 1)),
                         'height': bar_height, 'cls': cls, 'title': '%s %s: %s %s' % (row['miner'], label, _fmt(number, 2), unit)})
        marks = []
        if extra is not None and _number(row.get(extra[0])):
            mark_x = frame.x(_number(row.get(extra[0])))
            marks.append({'x': mark_x, 'y1': y + 1, 'y2': y + row_height - 1, 'cls': extra[1],
                          'title': '%s %s: %s %s' % (row['miner'], extra[2], _fmt(_number(row.get(extra[0])), 2), unit)})
        missing = not bars
        text = value(row) if not missing else _missing_text(row)
        rows.append({'label': row['miner'], 'short': _short(row['miner'], label_width), 'y': round(y + row_height / 2.0 + 1, 1),
                     'bars': bars, 'marks': marks, 'value': text, 'value_x': frame.x1 + 6 if not missing else frame.x0 + 6,
                     'cls': 'missing row-%s' % row['status'] if missing else 'row-%s' % row['status'],
                     'bottom': y + row_height})
        y += row_height
    if threshold is not None:
        threshold = {'x': frame.x(threshold[0]), 'label': threshold[1]}
    return _chart(cid, 'miners', title, subtitle, unit, frame, rows, legend or [(cls, label) for dummy, cls, label in series],
                  'No miners in the report.', threshold)


def _missing_text(row):
    if row['status'] in ('failed', 'unreachable', 'not_run'):
        return 'no data: %s' % row['status'].replace('_', ' ')
    if row['status'] == 'btminer_down':
        return 'no data: btminer down'
    return 'not reported'


def _count_chart(width, cid, title, subtitle, items, legend, empty, unit='miners'):
    """``items``: [{label, title, segments: [(count, cls, title)], value}]."""
    label_width = _label_width([item['label'] for item in items], high=280)
    top_value, ticks = _ticks(max([sum(s[0] for s in item['segments']) for item in items] or [0]), integer=True)
    frame = _Frame(width, label_width, top_value, ticks)
    rows = []
    y = TOP + 2
    row_height = 22
    for item in items:
        bars = []
        start = 0
        for count, cls, segment_title in item['segments']:
            if not count:
                continue
            x_start, x_end = frame.x(start), frame.x(start + count)
            bars.append({'x': x_start, 'y': y + 4, 'width': round(x_end - x_start, 1), 'height': row_height - 8, 'cls': cls,
                         'title': segment_title})
            start += count
        rows.append({'label': item['label'], 'short': _short(item['label'], label_width), 'y': round(y + row_height / 2.0 + 1, 1),
                     'bars': bars, 'marks': [], 'value': item['value'], 'value_x': frame.x1 + 6, 'cls': item.get('cls', ''),
                     'title': item.get('title', item['label']), 'bottom': y + row_height})
        y += row_height
    return _chart(cid, 'mix', title, subtitle, unit, frame, rows, legend, empty)


def _plural(count, word='miner'):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def _mix_items(mix, prefix):
    return [{'label': entry['name'], 'title': '%s: %s' % (entry['name'], ', '.join(entry['miners'])),
             'segments': [(entry['count'], prefix, '%s: %s' % (entry['name'], _plural(entry['count'])))],
             'value': _plural(entry['count'])} for entry in mix]


def _pool_class(status):
    status = str(status).lower()
    return 'pool-alive' if status == 'alive' else 'pool-dead' if status == 'dead' else 'pool-other'


def fleet_report_charts(report, width=680):
    """The charts of the report, in page order (see RETURN)."""
    report = report if isinstance(report, dict) else {}
    width = int(width)
    mixes = report.get('mixes') or {}
    thresholds = report.get('thresholds') or {}
    temperature_warn = _number(thresholds.get('temperature_warn_c'))
    charts = []

    statuses = [entry for entry in mixes.get('statuses') or [] if entry['count']]
    charts.append(_count_chart(width, 'status', 'Miner status', 'Miners per status of their facts and mining.', [
        {'label': entry['name'].replace('_', ' '), 'title': '%s: %s' % (entry['name'], ', '.join(entry['miners'])),
         'segments': [(entry['count'], 'status-%s' % entry['name'], '%s: %s' % (entry['name'], _plural(entry['count'])))],
         'value': _plural(entry['count'])} for entry in statuses], [], 'No miners in the report.'))

    def hash_value(row):
        percent = row.get('hashrate_percent')
        return '%s TH/s%s' % (_fmt(_number(row.get('hashrate_ths')), 1), ' (%s%%)' % _fmt(percent, 0) if percent is not None else '')

    charts.append(_miner_chart(
        report, width, 'hashrate', 'Hash rate against factory rate',
        'Hash rate over the last 5 minutes and the rate measured at the factory, TH/s.', 'TH/s',
        [('hashrate_ths', 'hashrate', 'hash rate'), ('factory_hashrate_ths', 'factory', 'factory rate')], hash_value))

    charts.append(_miner_chart(
        report, width, 'efficiency', 'Efficiency', 'Power over hash rate, J/TH (lower is better).', 'J/TH',
        [('efficiency_j_per_th', 'efficiency', 'efficiency')],
        lambda row: '%s J/TH' % _fmt(_number(row.get('efficiency_j_per_th')), 1)))

    charts.append(_miner_chart(
        report, width, 'power', 'Power', 'Input power, W; the mark is the power limit.', 'W',
        [('power_w', 'power', 'power')],
        lambda row: '%s W%s' % (_fmt(_number(row.get('power_w')), 0),
                                ' / %s' % _fmt(_number(row.get('power_limit_w')), 0) if _number(row.get('power_limit_w')) else ''),
        extra=('power_limit_w', 'limit', 'power limit'), legend=[('power', 'power'), ('limit', 'power limit')]))

    charts.append(_miner_chart(
        report, width, 'temperature', 'Temperatures', 'Hash board, hottest chip and intake air, C.', 'C',
        [('temperature_c', 'board', 'board'), ('chip_temp_max_c', 'chip', 'hottest chip'), ('env_temperature_c', 'intake', 'intake')],
        lambda row: '%s / %s / %s C' % (_fmt(_number(row.get('temperature_c'))), _fmt(_number(row.get('chip_temp_max_c'))),
                                        _fmt(_number(row.get('env_temperature_c')))),
        threshold=(temperature_warn, 'board warning %s C' % _fmt(temperature_warn)) if temperature_warn is not None else None))

    pool_statuses = []
    for pool in mixes.get('pools') or []:
        for status in pool['statuses']:
            if status not in pool_statuses:
                pool_statuses.append(status)
    charts.append(_count_chart(width, 'pools', 'Pools', 'Miners per configured pool URL, by the status the miner reports.', [
        {'label': pool['url'], 'title': pool['url'],
         'segments': [(count, _pool_class(status), '%s %s: %s' % (pool['url'], status, _plural(count)))
                      for status, count in sorted(pool['statuses'].items(), key=lambda item: _pool_class(item[0]))],
         'value': '%s, %d active' % (_plural(pool['miners']), pool['active'])} for pool in mixes.get('pools') or []],
        [(_pool_class(status), status) for status in sorted(pool_statuses, key=_pool_class)], 'No pool configured on any miner.'))

    charts.append(_count_chart(width, 'errors', 'Error codes', 'Miners reporting each error code.', [
        {'label': '%s %s' % (entry['code'], entry['description'] or ''), 'title': '%s: %s' % (entry['code'], ', '.join(entry['miners'])),
         'segments': [(entry['count'], 'error', '%s: %s' % (entry['code'], _plural(entry['count'])))],
         'value': _plural(entry['count'])} for entry in mixes.get('errors') or []],
        [], 'No error codes reported.'))

    charts.append(_count_chart(width, 'firmware', 'Firmware', 'Miners per firmware version.', _mix_items(mixes.get('firmware') or [], 'firmware'),
                               [], 'No firmware version reported.'))
    charts.append(_count_chart(width, 'models', 'Models', 'Miners per model.', _mix_items(mixes.get('models') or [], 'model'),
                               [], 'No model reported.'))
    return charts


class FilterModule:
    """minerops.whatsminer.fleet_report_charts"""

    def filters(self):
        return {'fleet_report_charts': fleet_report_charts}
