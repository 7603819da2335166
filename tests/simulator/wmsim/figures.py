# -*- coding: utf-8 -*-
"""Live figures (hash rate, power, temperatures, fans, shares) derived from the settings.

Why: a write is only verifiable if a read shows its effect.  Low mode lowers power and hash
rate, a power limit caps Power, a target frequency percent scales the hash rate, power percent
scales both, a stopped miner hashes nothing and draws ~0 W.  The small wobble is a function of
the simulated time, so the same instant always reads the same.
"""

from __future__ import annotations

import math

MODE_FACTORS = {
    # mode: (hash factor, power factor)
    'Low': (0.85, 0.78),
    'Normal': (1.0, 1.0),
    'High': (1.1, 1.18),
}

ENV_TEMP = 25.0


def _wobble(now, period, amplitude, phase=0.0):
    """A deterministic small oscillation around 1.0."""
    return 1.0 + amplitude * math.sin((now + phase) * 2.0 * math.pi / period)


def compute(identity, settings, now, elapsed, uptime):
    """All numbers the read commands need, as a plain dict (hash rates in TH/s, power in W)."""
    spec = identity.spec
    hash_factor, power_factor = MODE_FACTORS.get(settings['power_mode'], (1.0, 1.0))
    freq_factor = max(0.0, 1.0 + float(settings['target_freq_pct']) / 100.0)
    pct = max(0.0, min(100.0, float(settings['power_pct']))) / 100.0
    nominal_ths = identity.factory_ghs / 1000.0
    ths = nominal_ths * hash_factor * freq_factor * pct
    power = spec['watts'] * power_factor * freq_factor * pct
    limit = float(settings['power_limit'])
    if 0 < limit < power:
        ths *= limit / power
        power = limit
    mining = bool(settings['mining'])
    if not mining:
        ths = 0.0
        power = 0.0
    load = power / spec['watts'] if spec['watts'] else 0.0
    target_temp = 80.0 + float(settings['temp_offset'])
    env = ENV_TEMP + 2.0 * math.sin(now / 3600.0)
    if mining:
        board_temps = [round(min(target_temp, env + 55.0 * load) + 0.5 * slot, 2) for slot in range(spec['boards'])]
        fan = int(4500 * max(0.3, load) * (1.0 + (-float(settings['temp_offset'])) / 60.0))
    else:
        board_temps = [round(env + 3.0 + 0.25 * slot, 2) for slot in range(spec['boards'])]
        if settings['fan_zero_speed']:
            fan = 0
        else:
            fan = 1200 if settings['poweroff_cool'] else 600
    freq = int(spec['freq'] * hash_factor * freq_factor) if mining else 0
    per_board = ths / spec['boards'] if spec['boards'] else 0.0
    boards = []
    for slot in range(spec['boards']):
        board_ths = per_board * (1.0 + 0.006 * (slot - 1))
        temp = board_temps[slot]
        boards.append({
            'slot': slot,
            'ths_av': board_ths,
            'ths_5s': board_ths * _wobble(now, 7.0, 0.03, slot),
            'ths_1m': board_ths * _wobble(now, 60.0, 0.01, slot),
            'ths_5m': board_ths * _wobble(now, 300.0, 0.004, slot),
            'ths_15m': board_ths * _wobble(now, 900.0, 0.002, slot),
            'factory_ghs': int(identity.factory_ghs / spec['boards']),
            'temp': temp,
            'chip_min': round(temp + 0.6, 2) if mining else temp,
            'chip_max': round(temp + 17.0 * load, 2) if mining else temp,
            'chip_avg': round(temp + 9.0 * load, 2) if mining else temp,
            'freq': freq + slot,
            'accepted': int(elapsed / 45) + slot if mining else 0,
            'chips': spec['chips'],
            'pcb_sn': identity.pcb_sns[slot],
        })
    accepted = sum(board['accepted'] for board in boards)
    return {
        'mining': mining,
        'ths': ths,
        'ths_5s': ths * _wobble(now, 7.0, 0.03),
        'ths_1m': ths * _wobble(now, 60.0, 0.01),
        'ths_5m': ths * _wobble(now, 300.0, 0.004),
        'ths_15m': ths * _wobble(now, 900.0, 0.002),
        'target_ths': nominal_ths * hash_factor * freq_factor * 0.9 if mining else 0.0,
        'total_mh': ths * 1e6 * max(0.0, elapsed),
        'power': power * _wobble(now, 11.0, 0.002) if mining else 0.0,
        'power_rate': (power / ths) if ths > 0 else 0.0,
        'freq': freq,
        'target_freq': int(freq * 0.97),
        'temp': max(board_temps) if board_temps else env,
        'env_temp': round(env, 2),
        'chip_min': min(board['chip_min'] for board in boards),
        'chip_max': max(board['chip_max'] for board in boards),
        'chip_avg': round(sum(board['chip_avg'] for board in boards) / len(boards), 2),
        'fan_in': fan,
        'fan_out': fan,
        'psu_fan': 6976 if mining else 2100,
        'elapsed': int(elapsed),
        'uptime': int(uptime),
        'accepted': accepted,
        'hash_stable': mining and elapsed > 60,
        'stable_cost': int(min(elapsed, 60)),
        'boards': boards,
    }
