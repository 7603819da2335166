# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One normaliser per facts subset: miner records in, facts with one name and one unit out.

Each function takes the ``Reads`` of _facts.py (each command read once, absent replies as
empty records) and returns the same keys whatever the firmware sent; a value the firmware
does not report is None. Units: hash rates TH/s, power W, temperatures C, voltages V,
currents A, frequencies MHz, efficiency J/TH, durations s.

Unit sources: ``summary`` hash rates are MH/s on both flavours (``Factory GHS`` GH/s);
``edevs`` board rates are MH/s (factory GH/s) in the cgminer shape of 2022-era firmware and
already TH/s in the flat shape of 2025 firmware; ``get_psu`` ``vin`` is in 0.01 V and
``iin`` in mA.
"""

from __future__ import annotations

import re

from . import _values as v
from ._error_codes import describe

MINER_INFO_FIELDS = 'ip,proto,netmask,gateway,dns,hostname,mac,ledstat,minersn,powersn'
#: 1 TH/s in the units each field arrives in.
MHS, GHS = 1e6, 1e3
_COLON_IP = re.compile(r'^\d{1,3}(?::\d{1,3}){3}$')


def _rates(record, divisor):
    """The hash rate windows of a summary or board record, in TH/s (``divisor``: 1 TH/s in
    the unit the record uses)."""
    return {
        'hashrate_ths': v.to_scaled(record.get('MHS av'), divisor),
        'hashrate_5s_ths': v.to_scaled(record.get('MHS 5s'), divisor),
        'hashrate_1m_ths': v.to_scaled(record.get('MHS 1m'), divisor),
        'hashrate_5m_ths': v.to_scaled(record.get('MHS 5m'), divisor),
        'hashrate_15m_ths': v.to_scaled(record.get('MHS 15m'), divisor),
    }


def summary_facts(reads):
    rec = reads.record('summary', 'SUMMARY')
    facts = _rates(rec, MHS)  # MH/s in both flavours
    power = v.to_float(rec.get('Power'), 1)
    facts.update({
        'target_hashrate_ths': v.to_scaled(rec.get('Target MHS'), MHS),
        'factory_hashrate_ths': v.to_scaled(rec.get('Factory GHS'), GHS),
        'power_w': power,
        'power_limit_w': v.to_int(rec.get('Power Limit')),
        'efficiency_j_per_th': v.ratio(power, v.to_scaled(rec.get('MHS 1m'), MHS, 6)),
        'power_mode': v.to_lower(rec.get('Power Mode')),
        'temperature_c': v.to_float(rec.get('Temperature'), 2),
        'env_temperature_c': v.to_float(rec.get('Env Temp'), 2),
        'chip_temp_min_c': v.to_float(rec.get('Chip Temp Min'), 2),
        'chip_temp_max_c': v.to_float(rec.get('Chip Temp Max'), 2),
        'chip_temp_avg_c': v.to_float(rec.get('Chip Temp Avg'), 2),
        'fan_in_rpm': v.to_int(rec.get('Fan Speed In')),
        'fan_out_rpm': v.to_int(rec.get('Fan Speed Out')),
        'frequency_avg_mhz': v.to_int(rec.get('freq_avg')),
        'target_frequency_mhz': v.to_int(rec.get('Target Freq')),
        'accepted': v.to_int(rec.get('Accepted')),
        'rejected': v.to_int(rec.get('Rejected')),
        'elapsed_s': v.to_int(rec.get('Elapsed')),
        'uptime_s': v.to_int(rec.get('Uptime')),
        'hash_stable': v.to_bool(rec.get('Hash Stable')),
        'fast_boot': v.to_bool(rec.get('Btminer Fast Boot')),
        'firmware': v.to_text(rec.get('Firmware Version')),
    })
    return facts


def pools_facts(reads):
    pools = []
    for rec in reads.records('pools', 'POOLS'):
        pools.append({
            'slot': v.to_int(rec.get('POOL')),
            'url': v.to_text(rec.get('URL')) or '',
            'user': v.to_text(rec.get('User')) or '',
            'status': v.to_text(rec.get('Status')),
            'priority': v.to_int(rec.get('Priority')),
            'accepted': v.to_int(rec.get('Accepted')),
            'rejected': v.to_int(rec.get('Rejected')),
            'stratum_active': v.to_bool(rec.get('Stratum Active')),
        })
    return sorted(pools, key=lambda pool: (99 if pool['priority'] is None else pool['priority'], pool['slot'] or 0))


def board_facts(reads):
    records = reads.records('edevs', 'DEVS')
    # 2022 (cgminer shape): MH/s and factory GH/s; 2025 (flat shape): TH/s for both.
    old = reads.cgminer_shape('edevs')
    models, fallback = {}, None
    if records:
        # Firmware that names its model in get_version (already read) has no devdetails.
        if 'get_version' in reads.replies and reads.miner_type():
            fallback = reads.miner_type()
        else:
            models = reads.board_models()
            fallback = None if models else reads.miner_type()
    boards = []
    for rec in records:
        slot = v.to_int(rec.get('Slot', rec.get('ASC')))
        board = {'slot': slot, 'enabled': v.to_bool(rec.get('Enabled')), 'status': v.to_text(rec.get('Status'))}
        board.update(_rates(rec, MHS if old else 1.0))
        board.update({
            'factory_hashrate_ths': v.to_scaled(rec.get('HS Factory'), GHS if old else 1.0),
            'temperature_c': v.to_float(rec.get('Temperature'), 2),
            'chip_temp_min_c': v.to_float(rec.get('Chip Temp Min'), 2),
            'chip_temp_max_c': v.to_float(rec.get('Chip Temp Max'), 2),
            'chip_temp_avg_c': v.to_float(rec.get('Chip Temp Avg'), 2),
            'frequency_mhz': v.to_int(rec.get('Chip Frequency')),
            'accepted': v.to_int(rec.get('Accepted')),
            'rejected': v.to_int(rec.get('Rejected')),
            'effective_chips': v.to_int(rec.get('Effective Chips')),
            'upfreq_complete': v.to_bool(rec.get('Upfreq Complete')),
            'serial': v.to_text(rec.get('PCB SN')),
            'chip_data': v.to_text(rec.get('Chip Data')),
            'model': models.get(slot) or fallback,
        })
        boards.append(board)
    return boards


def psu_facts(reads):
    rec = reads.record('get_psu')
    return {
        'model': v.to_text(rec.get('model')),
        'name': v.to_text(rec.get('name')),
        'serial': v.to_text(rec.get('serial_no')),
        'vendor': v.to_text(rec.get('vendor', rec.get('vender'))),
        'hw_version': v.to_text(rec.get('hw_version')),
        'sw_version': v.to_text(rec.get('sw_version')),
        'fan_rpm': v.to_int(rec.get('fan_speed')),
        'temperature_c': v.to_float(rec.get('temp0'), 2),
        'input_voltage_v': v.to_scaled(rec.get('vin'), 100),
        'input_current_a': v.to_scaled(rec.get('iin'), 1000),
    }


def version_facts(reads):
    rec = reads.record('get_version')
    return {
        'api_version': v.to_text(rec.get('api_ver')),
        'firmware': v.to_text(rec.get('fw_ver')),
        'platform': v.to_text(rec.get('platform')),
        'chip': v.to_text(rec.get('chip')),
        'model': reads.miner_type() or next(iter(reads.board_models().values()), None),
    }


def status_facts(reads):
    rec = reads.record('status')
    off = rec.get('btmineroff', rec.get('mineroff'))
    return {
        'mining': v.mining_state(off),
        'power_mode': v.to_lower(rec.get('power_mode')),
        'firmware': v.to_text(rec.get('Firmware Version', rec.get('FirmwareVersion'))),
        'target_freq_percent': v.to_int(rec.get('hash_percent')),
        'power_limit_w': v.to_int(rec.get('power_limit_set')),
        'power_percent': v.to_int(rec.get('power_pct')),
    }


def network_facts(reads):
    rec = reads.record('get_miner_info', info=MINER_INFO_FIELDS)
    address = v.to_text(rec.get('ip'))
    if address and _COLON_IP.match(address):
        address = address.replace(':', '.')  # the vendor document shows 192:168:2:16
    led = v.to_lower(rec.get('ledstat'))
    return {
        'ip': address,
        'proto': v.to_lower(rec.get('proto')),
        'netmask': v.to_text(rec.get('netmask')),
        'gateway': v.to_text(rec.get('gateway')),
        'dns': [server for server in re.split(r'[\s,]+', v.to_text(rec.get('dns')) or '') if server],
        'hostname': v.to_text(rec.get('hostname')),
        'mac': v.to_text(rec.get('mac')).upper() if rec.get('mac') else None,
        'led': None if not led else ('auto' if led == 'auto' else 'manual'),
        'serial': v.to_text(rec.get('minersn')),
        'psu_serial': v.to_text(rec.get('powersn')),
    }


def error_facts(reads):
    raw = reads.record('get_error_code').get('error_code') or []
    if not isinstance(raw, (dict, list)):
        raw = [raw]  # a single code as text or number
    pairs = []
    for item in raw.items() if isinstance(raw, dict) else raw:
        if isinstance(item, dict):
            pairs.extend(item.items())
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            pairs.append(tuple(item))
        elif item not in (None, ''):
            pairs.append((item, None))
    errors = []
    for code, when in pairs:
        number = v.to_int(code)
        errors.append({'code': number if number is not None else v.to_text(code),
                       'time': v.to_text(when), 'description': describe(code)})
    return errors


BUILDERS = {'summary': summary_facts, 'pools': pools_facts, 'devices': board_facts, 'psu': psu_facts,
            'version': version_facts, 'status': status_facts, 'network': network_facts, 'errors': error_facts}
