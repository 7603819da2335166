# -*- coding: utf-8 -*-
"""An in-memory miner for planning tests: answers reads from a dict, applies writes.

``StrictFakeMiner`` fails the test on any write: every check-mode test uses it, so a plan
that would touch the miner in check mode cannot pass.
"""

from __future__ import annotations

from ansible_collections.minerops.whatsminer.plugins.module_utils._client import RESTARTING_WRITES, WriteResult
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import UnsupportedError
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply

POWER_COMMANDS = {'set_low_power': 'Low', 'set_normal_power': 'Normal', 'set_high_power': 'High'}


class FakeClock:
    """A monotonic clock that moves only when the code under test sleeps: waits and polls run
    instantly and their timing is exact."""

    def __init__(self, start=0.0):
        self.now = start

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class FakeMiner:
    """Two flavours: '2022' (summary in cgminer shape, few readable fields) and '2025'."""

    miner = '192.0.2.10:4028'

    def __init__(self, flavor='2022'):
        self.flavor = flavor
        self.state = {'mode': 'Normal', 'power_limit': 3600, 'hash_percent': 0, 'off': False, 'fast_boot': 'disable',
                      'upfreq_speed': 0, 'power_pct': 100,
                      'pools': [{'url': 'stratum+tcp://old.example:3333', 'user': 'acct.old'}]}
        self.reads = []
        self.writes = []

    # -- reads ---------------------------------------------------------------------------------
    def read(self, command, **params):
        if '.' in command:  # as V2Client: a native API v3 read is refused without being sent
            raise UnsupportedError('%s is an API v3 command' % command, miner=self.miner, command=command)
        self.reads.append(command)
        st = self.state
        if command == 'summary':
            data = {'Power Mode': st['mode'], 'Power Limit': st['power_limit'], 'Btminer Fast Boot': st['fast_boot']}
            if self.flavor == '2022':
                return Reply({'STATUS': [{'STATUS': 'S', 'Msg': 'Summary'}], 'SUMMARY': [data]})
            return Reply({'STATUS': 'S', 'Code': 131, 'Msg': data})
        if command == 'status':
            if self.flavor == '2022':
                msg = {'btmineroff': 'true' if st['off'] else 'false', 'Firmware Version': "'20220125.13.Rel'",
                       'power_mode': st['mode'], 'hash_percent': str(st['hash_percent'])}
            else:
                msg = {'mineroff': 'true' if st['off'] else 'false', 'FirmwareVersion': '20250214.16.Rel',
                       'power_mode': st['mode'].lower(), 'power_limit_set': str(st['power_limit']),
                       'hash_percent': str(st['hash_percent']), 'power_pct': str(st['power_pct'])}
            return Reply({'STATUS': 'S', 'Code': 131, 'Msg': msg})
        if command == 'get_miner_info':
            msg = {'ip': '192.0.2.10', 'ledstat': 'auto'}
            if self.flavor == '2025':
                msg['upfreq_speed'] = str(st['upfreq_speed'])
            return Reply({'STATUS': 'S', 'Code': 131, 'Msg': msg})
        if command == 'pools':
            records = [{'POOL': i + 1, 'URL': p['url'], 'User': p['user'], 'Priority': i}
                       for i, p in enumerate(st['pools']) if p['url']]
            return Reply({'STATUS': [{'STATUS': 'S'}], 'POOLS': records})
        raise AssertionError('unexpected read %s' % command)

    # -- writes --------------------------------------------------------------------------------
    def write(self, command, params=None):
        params = params or {}
        self.writes.append((command, dict(params)))
        st = self.state
        if command in POWER_COMMANDS:
            st['mode'] = POWER_COMMANDS[command]
        elif command == 'adjust_power_limit':
            st['power_limit'] = int(params['power_limit'])
        elif command == 'set_target_freq':
            st['hash_percent'] = int(params['percent'])
        elif command in ('set_power_pct', 'set_power_pct_v2'):
            st['power_pct'] = int(params['percent'])
        elif command == 'power_off':
            assert params.get('respbefore') == 'true'
            st['off'] = True
        elif command == 'power_on':
            st['off'] = False
        elif command == 'enable_btminer_fast_boot':
            st['fast_boot'] = 'enable'
        elif command == 'disable_btminer_fast_boot':
            st['fast_boot'] = 'disable'
        elif command == 'adjust_upfreq_speed':
            st['upfreq_speed'] = int(params['upfreq_speed'])
        elif command == 'update_pools':
            st['pools'] = [{'url': params['pool%d' % i], 'user': params['worker%d' % i]} for i in (1, 2, 3)]
        elif command in ('set_temp_offset', 'set_fan_zero_speed', 'set_poweroff_cool'):
            pass
        else:
            raise AssertionError('unexpected write %s' % command)
        outcome = 'unknown' if command in RESTARTING_WRITES else 'ok'
        return WriteResult(command, outcome, None)

    def wait_until_up(self, timeout, probe='status'):
        self.reads.append('wait:' + probe)
        return 0.0


class StrictFakeMiner(FakeMiner):
    """Check-mode twin: any write fails the test."""

    def write(self, command, params=None):
        raise AssertionError('check mode sent a write: %s %r' % (command, params))
