# -*- coding: utf-8 -*-
"""A miner's settings: defaults, what may be set from outside, and the JSON state file.

Why: every write changes one of these settings and every read renders from them, so they live
in one plain dict per miner.  The state file lets a simulator restart (or a test) pick up where
the last one stopped, and lets a playbook test inspect what the miners ended up with.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile

# 'v3': firmware that also serves API v3 (its own port, v3.py); its v2 port answers like 2025.
FLAVORS = ('2022', '2025', 'v3')
DEFAULT_FIRMWARE = {'2022': '20220125.13.Rel', '2025': '20250214.16.Rel', 'v3': '20250612.08.Rel'}
# Firmware from this date on serves the reduced v2 API of the 2025 flavour on port 4028.
NEW_API_DATE = 20241101

DEFAULT_POOLS = (
    ('stratum+tcp://btc.ss.poolin.com:443', 'microbtinitial', '123'),
    ('stratum+tcp://btc.ss.poolin.com:1883', 'microbtinitial', '123'),
    ('stratum+tcp://btc.ss.poolin.com:25', 'microbtinitial', '123'),
)

FACTORY_PASSWORD = 'admin'

# Keys that are switches of the simulation itself rather than settings of a real miner.
BEHAVIOUR_KEYS = ('reply_before_restart', 'pre_power_on_seconds', 'quirks', 'api_down_when_off')

POWER_MODES = ('Low', 'Normal', 'High')


def flavor_for_version(version, fallback='2022'):
    """The API flavour a firmware version implies (by its leading yyyymmdd date)."""
    match = re.match(r'^(\d{8})', str(version))
    if not match:
        return fallback
    if int(match.group(1)) >= NEW_API_DATE:
        return 'v3' if fallback == 'v3' else '2025'
    return '2022'


def empty_pools():
    """Three cleared pool slots."""
    return [{'url': '', 'user': '', 'passwd': ''} for dummy in range(3)]


def network_defaults(host):
    """What DHCP hands a miner at ``host`` (also what factory_reset restores)."""
    return {
        'net_proto': 'dhcp', 'ip': host, 'netmask': '255.255.255.0',
        'gateway': '127.0.0.1', 'dns': '127.0.0.1',
    }


def default_settings(identity, flavor, password, write_api=True):
    """Settings of a freshly configured miner (pools set, write API as requested)."""
    settings = {
        'flavor': flavor,
        'firmware_version': DEFAULT_FIRMWARE[flavor],
        'password': password,
        'write_api': bool(write_api),
        'pools': [{'url': url, 'user': user, 'passwd': passwd} for url, user, passwd in DEFAULT_POOLS],
        'power_mode': 'Normal',
        'power_limit': identity.spec['max_watts'],
        'target_freq_pct': 0,
        'mining': True,
        'fast_boot': False,
        'upfreq_speed': 0,
        'power_pct': 100,
        'power_pct_mode': 'normal',
        'temp_offset': 0,
        'poweroff_cool': 1,
        'fan_zero_speed': 0,
        'web_pools': True,
        'timezone': 'CST-8',
        'zonename': 'Asia/Shanghai',
        'syslog_ip': '',
        'syslog_port': '',
        'syslog_proto': '',
        'hostname': identity.hostname,
        'led_mode': 'auto',
        'led_color': '',
        'led_period': 0,
        'led_duration': 0,
        'led_start': 0,
        'error_codes': {'329': '2022-01-17 11:28:11'},
        'last_firmware': None,
        'reply_before_restart': False,
        'pre_power_on_seconds': 5.0,
        'quirks': True,
        'api_down_when_off': False,
    }
    settings.update(network_defaults(identity.host))
    return settings


def factory_settings(identity, current):
    """Settings after factory_reset: what the vendor text says it restores; firmware is kept."""
    settings = default_settings(identity, current['flavor'], FACTORY_PASSWORD, write_api=False)
    settings['firmware_version'] = current['firmware_version']
    settings['pools'] = empty_pools()
    settings['web_pools'] = True
    settings['error_codes'] = {}
    for key in BEHAVIOUR_KEYS + ('last_firmware',):
        settings[key] = copy.deepcopy(current[key])
    return settings


def merge_settings(defaults, loaded):
    """Loaded settings over the defaults, ignoring keys this version does not know."""
    merged = copy.deepcopy(defaults)
    for key, value in (loaded or {}).items():
        if key in merged:
            merged[key] = value
    return merged


def check_settable(settings, values):
    """Validate values given to Miner.set(); raise ValueError for unknown keys or bad values."""
    for key, value in values.items():
        if key not in settings:
            raise ValueError('unknown setting %r (known: %s)' % (key, ', '.join(sorted(settings))))
        if key == 'flavor' and value not in FLAVORS:
            raise ValueError('flavor must be one of %s' % ', '.join(FLAVORS))
        if key == 'power_mode' and value not in POWER_MODES:
            raise ValueError('power_mode must be one of %s' % ', '.join(POWER_MODES))
        if key == 'pools':
            if not isinstance(value, list) or len(value) != 3:
                raise ValueError('pools must be a list of three {url, user, passwd} objects')
        if key == 'error_codes' and not isinstance(value, dict):
            raise ValueError('error_codes must be an object {code: "yyyy-mm-dd hh:mm:ss"}')


def new_counters():
    """Counters of one miner, all zero."""
    return {'connections': 0, 'get_token': 0, 'write_requests': 0, 'writes_applied': 0, 'commands': {}}


class StateFile:
    """The JSON state file: ``{"format": 1, "miners": {slot host: {"settings", "counters"}}}``."""

    FORMAT = 1

    def __init__(self, path):
        self.path = os.path.abspath(path)

    def load(self):
        """The miners recorded in the file ({} when there is no file yet)."""
        if not os.path.exists(self.path):
            return {}
        with open(self.path, 'r', encoding='utf-8') as handle:
            data = json.load(handle)
        return dict(data.get('miners') or {})

    def save(self, miners):
        """Write the file atomically (temporary file in the same folder, then rename)."""
        folder = os.path.dirname(self.path) or '.'
        os.makedirs(folder, exist_ok=True)
        text = json.dumps({'format': self.FORMAT, 'miners': miners}, indent=1, sort_keys=True)
        handle, temp_path = tempfile.mkstemp(prefix='.wmsim-state-', suffix='.tmp', dir=folder)
        try:
            with os.fdopen(handle, 'w', encoding='utf-8') as stream:
                stream.write(text + '\n')
            os.replace(temp_path, self.path)
        except BaseException:
            if os.path.exists(temp_path):
                os.unlink(temp_path)
            raise
