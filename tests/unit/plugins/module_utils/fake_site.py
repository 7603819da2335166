# -*- coding: utf-8 -*-
"""Fake miners for the network, system and LED modules: FakeMiner plus network, LED and
system settings, and a site of addresses so that a miner can move (net_config).

``Site.client(params)`` is a client factory like ``client_from_params``: the client it returns
talks to whichever miner answers at ``params['host']`` now (ConnectError when none does;
``wait_until_up`` raises DeadlineError then, as a miner that never comes back would).
"""

from __future__ import annotations

from ansible_collections.minerops.whatsminer.plugins.module_utils._client import WriteResult
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import (
    CommandError, ConnectError, DeadlineError)
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply

from .fake_miner import FakeMiner

SYSTEM_COMMANDS = ('set_zone', 'load_log', 'enable_web_pools', 'disable_web_pools')


class NetMiner(FakeMiner):
    """A FakeMiner with network, hostname, LED and system settings."""

    def __init__(self, flavor='2022', address='192.0.2.10', site=None, strict=False):
        super().__init__(flavor)
        self.address = address
        self.site = site
        self.strict = strict
        self.net = {'ip': address, 'proto': 'dhcp', 'netmask': '255.255.255.0', 'gateway': '192.0.2.1',
                    'dns': '192.0.2.1', 'hostname': 'WhatsMiner-10', 'mac': 'c6:07:20:00:00:10'}
        self.led = {'mode': 'auto'}
        self.system = {}
        self.hostname_lags = False    # set_hostname accepted but reported only after a reboot
        self.dhcp_address = address   # where a DHCP server puts this miner
        self.pending_hostname = None

    @property
    def miner(self):
        return '%s:4028' % self.address

    def read(self, command, **params):
        if command == 'get_miner_info':
            self.reads.append(command)
            msg = dict(self.net)
            msg['ledstat'] = 'auto' if self.led['mode'] == 'auto' else 'manual'
            if self.flavor == '2025':
                msg['upfreq_speed'] = str(self.state['upfreq_speed'])
            return Reply({'STATUS': 'S', 'Code': 131, 'Msg': msg})
        return super().read(command, **params)

    def write(self, command, params=None):
        if self.strict:
            raise AssertionError('check mode sent a write: %s %r' % (command, params))
        params = dict(params or {})
        if command == 'set_led':
            self.writes.append((command, params))
            if params.get('param') == 'auto':
                self.led = {'mode': 'auto'}
            else:
                for name in ('period', 'duration', 'start'):
                    assert isinstance(params[name], int), 'LED %s must be sent as an integer' % name
                assert params['color'] in ('red', 'green')
                self.led = dict(params, mode='manual')
            return WriteResult(command, 'ok', None)
        if command in SYSTEM_COMMANDS:
            self.writes.append((command, params))
            if command == 'load_log':
                assert isinstance(params['port'], str), 'load_log port must be sent as a string'
            self.system[command] = params
            return WriteResult(command, 'ok', None)
        if command == 'set_hostname':
            self.writes.append((command, params))
            if self.hostname_lags:
                self.pending_hostname = params['hostname']
            else:
                self.net['hostname'] = params['hostname']
            return WriteResult(command, 'ok', None)
        if command == 'net_config':
            self.writes.append((command, params))
            return self._net_config(params)
        return super().write(command, params)

    def _net_config(self, params):
        if self.pending_hostname:
            self.net['hostname'], self.pending_hostname = self.pending_hostname, None
        if params.get('param') == 'dhcp':
            self.net.update({'proto': 'dhcp', 'ip': self.dhcp_address})
            self.address = self.dhcp_address
        else:
            for name in ('ip', 'mask', 'gate', 'dns'):
                if not isinstance(params.get(name), str) or not params[name]:
                    raise CommandError('invalid %s' % name, miner=self.miner, code=132, command='net_config')
            self.net.update({'proto': 'static', 'ip': params['ip'], 'netmask': params['mask'],
                             'gateway': params['gate'], 'dns': params['dns']})
            if params.get('host'):
                self.net['hostname'] = params['host']
            self.address = params['ip']
        return WriteResult('net_config', 'unknown', None)  # the board reboots without a reply


class Endpoint:
    """A client bound to one address of the site."""

    def __init__(self, site, host, port=4028):
        self.site = site
        self.host = host
        self.port = port
        self.forgotten = 0

    @property
    def miner(self):
        return '%s:%s' % (self.host, self.port)

    def _target(self):
        for miner in self.site.miners:
            if miner.address == self.host:
                return miner
        raise ConnectError('connection refused', miner=self.miner)

    def read(self, command, **params):
        self.site.log.append(('read', self.host, command))
        return self._target().read(command, **params)

    def write(self, command, params=None):
        self.site.log.append(('write', self.host, command))
        return self._target().write(command, params)

    def wait_until_up(self, timeout, probe='status'):
        self.site.log.append(('wait', self.host, probe))
        self.site.waits.append(timeout)
        try:
            self._target()
        except ConnectError as exc:
            raise DeadlineError('did not answer again within %ss (last: %s)' % (timeout, exc.message),
                                phase='restart', miner=self.miner) from exc
        return 1.5

    def forget_token(self):
        self.forgotten += 1


class Site:
    """Miners by address; ``client(params)`` is the client factory."""

    def __init__(self, *miners):
        self.miners = list(miners)
        self.log = []
        self.waits = []
        self.factory_calls = []

    def client(self, params):
        self.factory_calls.append(dict(params))
        return Endpoint(self, params['host'], params.get('port') or 4028)
