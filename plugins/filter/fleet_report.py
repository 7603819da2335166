# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One row per miner and the fleet aggregates, from the facts of every miner of a play.

Why a filter: the report role renders CSV, JSON and HTML from the same data. Computing the
rows, totals and mixes in Jinja would spread the arithmetic over three templates; here it is
done once, in code that unit tests can reach, and the templates only lay it out.
"""

from __future__ import annotations

DOCUMENTATION = r'''
name: fleet_report
short_description: Per-miner rows and fleet totals from WhatsMiner facts
version_added: 0.1.0
description:
  - Turns the facts that M(minerops.whatsminer.whatsminer_facts) gathered on each miner into
    one flat row per miner (hash rate against the factory rate, power, efficiency,
    temperatures, fans, active pool, error codes, firmware, model) and fleet aggregates
    (totals, model, firmware, status, pool and error code mixes).
  - Miners whose facts task failed or that were unreachable keep their row, with their
    status and the error message, and no figures.
  - Used by the role C(minerops.whatsminer.report); the result is what it writes as JSON.
  - Units follow the facts; hash rates in TH/s, power in W, efficiency in J/TH,
    temperatures in C, fan speeds in RPM, durations in seconds.
author:
  - minerops.whatsminer contributors (@minerops)
options:
  _input:
    description:
      - A dictionary of inventory host name to that miner's record. A record has
        C(result) (V(ok), V(failed) or V(unreachable)), C(msg) (the error message when not
        V(ok)), C(address) (the miner's address) and C(facts) (the fact
        C(ansible_facts.whatsminer) when V(ok)).
      - An empty record (V({})) or V(null) means no facts task ran for that host; its row
        has the status V(not_run).
    type: dict
    required: true
  title:
    description: Title of the report.
    type: str
    default: WhatsMiner fleet report
  generated:
    description: When the report was made (free text, for example a UTC time stamp).
    type: str
    default: ''
  hashrate_warn_percent:
    description: A miner hashing below this percentage of its factory rate gets an issue.
    type: float
    default: 90
  temperature_warn_c:
    description: A miner whose hash board temperature reaches this value (C) gets an issue.
    type: float
    default: 90
'''

EXAMPLES = r'''
- name: Rows of the miners of the play, failed ones included
  ansible.builtin.debug:
    msg: "{{ miners | minerops.whatsminer.fleet_report }}"
  vars:
    miners:
      miner01:
        result: ok
        address: 10.1.2.3
        facts: "{{ hostvars['miner01'].ansible_facts.whatsminer }}"
      miner02:
        result: failed
        address: 10.1.2.4
        msg: "10.1.2.4:4028: connection refused"
# ok: => {"msg": {"title": "WhatsMiner fleet report", "miners": [{"miner": "miner01", "status": "ok",
#        "hashrate_ths": 173.7, "factory_hashrate_ths": 173.0, "hashrate_percent": 100.4, ...},
#        {"miner": "miner02", "status": "failed", "message": "10.1.2.4:4028: connection refused",
#        "hashrate_ths": null, ...}], "totals": {"miners": 2, "reporting": 1, ...}, ...}}

- name: Fleet hash rate
  ansible.builtin.debug:
    msg: "{{ (miners | minerops.whatsminer.fleet_report).totals.hashrate_ths }} TH/s"
'''

RETURN = r'''
_value:
  description:
    - The report. Keys C(title), C(generated), C(thresholds), C(columns) (C(key), C(label),
      C(unit) of each row field, in CSV column order), C(units) (row field to unit),
      C(miners) (one row per miner, sorted by inventory name), C(totals) and C(mixes).
    - A row has C(miner), C(address), C(status) (V(ok), V(stopped), V(btminer_down),
      V(failed), V(unreachable), V(not_run)), C(message), C(model), C(firmware),
      C(api_version), C(serial), C(mac), C(hostname), C(mining), C(power_mode),
      C(hashrate_ths) (5-minute rate), C(factory_hashrate_ths), C(hashrate_percent),
      C(power_w), C(power_limit_w), C(efficiency_j_per_th), C(temperature_c),
      C(env_temperature_c), C(chip_temp_max_c), C(psu_temperature_c), C(fan_in_rpm),
      C(fan_out_rpm), C(pool_url), C(pool_user), C(pool_status), C(pools_alive),
      C(pools_configured), C(accepted), C(rejected), C(error_codes) (list of codes),
      C(errors) (list of C(code), C(time), C(description)), C(uptime_s), C(unavailable)
      and C(issues) (list of short texts). A figure the miner did not report is V(null).
    - C(totals) has C(miners), C(reporting) (miners with facts), C(hashing), C(hashrate_ths),
      C(factory_hashrate_ths), C(hashrate_percent), C(power_w), C(efficiency_j_per_th)
      (total power over total hash rate of the miners reporting both), C(temperature_max_c),
      C(chip_temp_max_c), C(miners_with_errors), C(miners_with_issues) and C(statuses)
      (status to count).
    - C(mixes) has C(statuses), C(models), C(firmware), C(power_modes) (lists of C(name),
      C(count), C(miners)), C(pools) (per pool URL C(url), C(miners), C(active),
      C(statuses)) and C(errors) (per error code C(code), C(description), C(count),
      C(miners)).
  type: dict
'''

import math
import re

STATUSES = ('ok', 'stopped', 'btminer_down', 'failed', 'unreachable', 'not_run')

# key, label, unit: the CSV columns, in order.
COLUMNS = (
    ('miner', 'Miner', ''),
    ('address', 'Address', ''),
    ('status', 'Status', ''),
    ('message', 'Message', ''),
    ('model', 'Model', ''),
    ('firmware', 'Firmware', ''),
    ('api_version', 'API version', ''),
    ('serial', 'Serial number', ''),
    ('mac', 'MAC', ''),
    ('hostname', 'Host name', ''),
    ('mining', 'Mining', ''),
    ('power_mode', 'Power mode', ''),
    ('hashrate_ths', 'Hash rate (5 min)', 'TH/s'),
    ('factory_hashrate_ths', 'Factory hash rate', 'TH/s'),
    ('hashrate_percent', 'Of factory', '%'),
    ('power_w', 'Power', 'W'),
    ('power_limit_w', 'Power limit', 'W'),
    ('efficiency_j_per_th', 'Efficiency', 'J/TH'),
    ('temperature_c', 'Board temperature', 'C'),
    ('env_temperature_c', 'Intake temperature', 'C'),
    ('chip_temp_max_c', 'Hottest chip', 'C'),
    ('psu_temperature_c', 'PSU temperature', 'C'),
    ('fan_in_rpm', 'Intake fan', 'RPM'),
    ('fan_out_rpm', 'Exhaust fan', 'RPM'),
    ('pool_url', 'Active pool', ''),
    ('pool_user', 'Worker', ''),
    ('pool_status', 'Pool status', ''),
    ('pools_alive', 'Pools alive', ''),
    ('pools_configured', 'Pools configured', ''),
    ('accepted', 'Accepted shares', ''),
    ('rejected', 'Rejected shares', ''),
    ('error_codes', 'Error codes', ''),
    ('uptime_s', 'Uptime', 's'),
    ('issues', 'Issues', ''),
)


def _number(value):
    """A float for real numbers (not booleans, not text); None otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    return value


def _first(*values):
    for value in values:
        if value is not None and value != '':
            return value
    return None


def _round(value, digits=2):
    return None if value is None else round(value, digits)


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def natural_key(name):
    """miner2 before miner10."""
    return [(0, int(part), '') if part.isdigit() else (1, 0, part.lower())
            for part in re.split(r'(\d+)', str(name)) if part != '']


def _hottest(boards, key):
    values = [value for value in (_number(board.get(key)) for board in boards) if value is not None]
    return max(values) if values else None


def _active_pool(pools):
    active = [pool for pool in pools if pool.get('stratum_active') is True]
    if active:
        return active[0]
    alive = [pool for pool in pools if str(pool.get('status', '')).lower() == 'alive']
    candidates = alive or pools
    if not candidates:
        return {}
    return sorted(candidates, key=lambda pool: (_number(pool.get('priority')) or 0, _number(pool.get('slot')) or 0))[0]


def _empty_row(name, address, status, message):
    row = {key: None for key, dummy, dummy2 in COLUMNS}
    row.update({'miner': str(name), 'address': address, 'status': status, 'message': message,
                'error_codes': [], 'errors': [], 'unavailable': [], 'issues': []})
    return row


def miner_row(name, record, hashrate_warn_percent=90.0, temperature_warn_c=90.0):
    """One flat row for one miner; ``record`` as documented for the filter's input."""
    record = _dict(record)
    address = _first(record.get('address'), str(name))
    result = record.get('result')
    message = str(record.get('msg') or '')
    if not record or result is None:
        return _empty_row(name, address, 'not_run', message or 'no facts: the play stopped before the report ran on this miner')
    if result == 'unreachable':
        return _empty_row(name, address, 'unreachable', message or 'unreachable')
    if result != 'ok':
        return _empty_row(name, address, 'failed', message or 'the facts task failed')

    facts = _dict(record.get('facts'))
    summary = _dict(facts.get('summary'))
    version = _dict(facts.get('version'))
    status = _dict(facts.get('status'))
    network = _dict(facts.get('network'))
    psu = _dict(facts.get('psu'))
    boards = [board for board in _list(facts.get('boards')) if isinstance(board, dict)]
    pools = [pool for pool in _list(facts.get('pools')) if isinstance(pool, dict)]
    errors = [error for error in _list(facts.get('errors')) if isinstance(error, dict)]
    unavailable = [str(command) for command in _list(facts.get('unavailable'))]

    hashrate = _first(*(_number(summary.get(key)) for key in ('hashrate_5m_ths', 'hashrate_1m_ths', 'hashrate_ths')))
    factory = _number(summary.get('factory_hashrate_ths'))
    if factory is None:
        board_factory = [_number(board.get('factory_hashrate_ths')) for board in boards]
        if board_factory and None not in board_factory:
            factory = sum(board_factory)
    power = _number(summary.get('power_w'))
    efficiency = _number(summary.get('efficiency_j_per_th'))
    if efficiency is None and power is not None and hashrate:
        efficiency = power / hashrate
    percent = 100.0 * hashrate / factory if hashrate is not None and factory else None
    temperature = _first(_number(summary.get('temperature_c')), _hottest(boards, 'temperature_c'))
    chip_max = _first(_number(summary.get('chip_temp_max_c')), _hottest(boards, 'chip_temp_max_c'))
    mining = status.get('mining')
    active = _active_pool(pools)
    alive = [pool for pool in pools if str(pool.get('status', '')).lower() == 'alive']

    if mining == 'stopped':
        state = 'stopped'
    elif unavailable:
        state = 'btminer_down'
    else:
        state = 'ok'

    row = _empty_row(name, address, state, '')
    row.update({
        'model': _first(version.get('model'), *(board.get('model') for board in boards)),
        'firmware': _first(version.get('firmware'), summary.get('firmware'), status.get('firmware')),
        'api_version': version.get('api_version'),
        'serial': network.get('serial'),
        'mac': network.get('mac'),
        'hostname': network.get('hostname'),
        'mining': mining,
        'power_mode': _first(status.get('power_mode'), summary.get('power_mode')),
        'hashrate_ths': _round(hashrate),
        'factory_hashrate_ths': _round(factory),
        'hashrate_percent': _round(percent, 1),
        'power_w': _round(power, 1),
        'power_limit_w': _first(summary.get('power_limit_w'), status.get('power_limit_w')),
        'efficiency_j_per_th': _round(efficiency),
        'temperature_c': _round(temperature, 1),
        'env_temperature_c': _round(_number(summary.get('env_temperature_c')), 1),
        'chip_temp_max_c': _round(chip_max, 1),
        'psu_temperature_c': _round(_number(psu.get('temperature_c')), 1),
        'fan_in_rpm': summary.get('fan_in_rpm'),
        'fan_out_rpm': summary.get('fan_out_rpm'),
        'pool_url': active.get('url') if pools else None,
        'pool_user': active.get('user') if pools else None,
        'pool_status': active.get('status') if pools else None,
        'pools_alive': len(alive) if 'pools' not in unavailable and 'pools' in facts else None,
        'pools_configured': len(pools) if 'pools' not in unavailable and 'pools' in facts else None,
        'accepted': summary.get('accepted'),
        'rejected': summary.get('rejected'),
        'error_codes': [error.get('code') for error in errors],
        'errors': [{'code': error.get('code'), 'time': error.get('time'), 'description': error.get('description')}
                   for error in errors],
        'uptime_s': summary.get('uptime_s'),
        'unavailable': unavailable,
    })

    issues = []
    if state == 'stopped':
        issues.append('mining stopped')
    if unavailable:
        issues.append('btminer not answering: %s' % ', '.join(unavailable))
    if percent is not None and state == 'ok' and percent < hashrate_warn_percent:
        issues.append('hash rate %.1f%% of factory' % percent)
    if temperature is not None and temperature >= temperature_warn_c:
        issues.append('board temperature %.1f C' % temperature)
    if 'pools' in facts and 'pools' not in unavailable:
        if not pools:
            issues.append('no pool configured')
        elif not alive:
            issues.append('no pool alive')
    for error in errors:
        issues.append('error %s: %s' % (error.get('code'), error.get('description') or ''))
    row['issues'] = issues
    return row


def _mix(rows, key, order=None):
    counts = {}
    for row in rows:
        name = row.get(key)
        if name is None:
            continue
        counts.setdefault(str(name), []).append(row['miner'])
    names = sorted(counts, key=lambda n: (-len(counts[n]), natural_key(n)))
    if order:
        names = [n for n in order if n in counts] + [n for n in names if n not in order]
    return [{'name': name, 'count': len(counts[name]), 'miners': counts[name]} for name in names]


def _pool_mix(rows, records):
    pools = {}
    for row in rows:
        facts = _dict(_dict(records.get(row['miner'])).get('facts')) if row['status'] not in ('failed', 'unreachable', 'not_run') else {}
        for pool in _list(facts.get('pools')):
            if not isinstance(pool, dict) or not pool.get('url'):
                continue
            entry = pools.setdefault(str(pool['url']), {'url': str(pool['url']), 'miners': 0, 'active': 0, 'statuses': {}})
            entry['miners'] += 1
            status = str(pool.get('status') or 'unknown')
            entry['statuses'][status] = entry['statuses'].get(status, 0) + 1
        if row.get('pool_url') and str(row['pool_url']) in pools and row['status'] == 'ok':
            pools[str(row['pool_url'])]['active'] += 1
    return sorted(pools.values(), key=lambda p: (-p['miners'], p['url']))


def _error_mix(rows):
    codes = {}
    for row in rows:
        for error in row['errors']:
            entry = codes.setdefault(str(error.get('code')), {'code': error.get('code'), 'description': error.get('description'),
                                                              'count': 0, 'miners': []})
            if row['miner'] not in entry['miners']:
                entry['miners'].append(row['miner'])
                entry['count'] += 1
    return sorted(codes.values(), key=lambda e: (-e['count'], natural_key(e['code'])))


def _totals(rows):
    reporting = [row for row in rows if row['status'] in ('ok', 'stopped', 'btminer_down')]

    def total(key):
        values = [row[key] for row in reporting if _number(row[key]) is not None]
        return round(sum(values), 2) if values else None

    both = [row for row in reporting if _number(row['power_w']) is not None and (_number(row['hashrate_ths']) or 0) > 0]
    power_both = sum(row['power_w'] for row in both)
    hash_both = sum(row['hashrate_ths'] for row in both)
    rated = [row for row in reporting if _number(row['hashrate_ths']) is not None and _number(row['factory_hashrate_ths'])]
    rated_hash = sum(row['hashrate_ths'] for row in rated)
    rated_factory = sum(row['factory_hashrate_ths'] for row in rated)

    def highest(key):
        values = [row[key] for row in reporting if _number(row[key]) is not None]
        return max(values) if values else None

    statuses = {status: 0 for status in STATUSES}
    for row in rows:
        statuses[row['status']] += 1
    return {
        'miners': len(rows),
        'reporting': len(reporting),
        'hashing': len([row for row in reporting if (_number(row['hashrate_ths']) or 0) > 0]),
        'hashrate_ths': total('hashrate_ths'),
        'factory_hashrate_ths': total('factory_hashrate_ths'),
        'hashrate_percent': round(100.0 * rated_hash / rated_factory, 1) if rated_factory else None,
        'power_w': total('power_w'),
        'efficiency_j_per_th': round(power_both / hash_both, 2) if hash_both else None,
        'temperature_max_c': highest('temperature_c'),
        'chip_temp_max_c': highest('chip_temp_max_c'),
        'miners_with_errors': len([row for row in rows if row['error_codes']]),
        'miners_with_issues': len([row for row in rows if row['issues'] or row['status'] != 'ok']),
        'statuses': statuses,
    }


def fleet_report(miners, title='WhatsMiner fleet report', generated='', hashrate_warn_percent=90, temperature_warn_c=90):
    """The report: rows, totals and mixes (see RETURN)."""
    records = _dict(miners)
    hashrate_warn_percent = float(hashrate_warn_percent)
    temperature_warn_c = float(temperature_warn_c)
    rows = [miner_row(name, records[name], hashrate_warn_percent, temperature_warn_c)
            for name in sorted(records, key=natural_key)]
    return {
        'title': str(title),
        'generated': str(generated or ''),
        'thresholds': {'hashrate_warn_percent': hashrate_warn_percent, 'temperature_warn_c': temperature_warn_c},
        'columns': [{'key': key, 'label': label, 'unit': unit} for key, label, unit in COLUMNS],
        'units': {key: unit for key, dummy, unit in COLUMNS if unit},
        'miners': rows,
        'totals': _totals(rows),
        'mixes': {
            'statuses': _mix(rows, 'status', order=STATUSES),
            'models': _mix(rows, 'model'),
            'firmware': _mix(rows, 'firmware'),
            'power_modes': _mix(rows, 'power_mode'),
            'pools': _pool_mix(rows, records),
            'errors': _error_mix(rows),
        },
    }


class FilterModule:
    """minerops.whatsminer.fleet_report"""

    def filters(self):
        return {'fleet_report': fleet_report}
