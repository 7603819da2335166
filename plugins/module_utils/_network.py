# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``whatsminer_network``: DHCP or a static address, DNS servers and the hostname.

Why not rows of the settings table: the settings are compared one by one, but they travel
together in one ``net_config`` that reboots the board and may move the miner to another
address, after which the task must wait and verify *there*. So this file plans and applies
itself, with the engine's conventions (Write entries, before/after/diff, check mode sends
nothing, validation before any contact):

- everything is validated before the miner is contacted: addresses, a contiguous netmask,
  the gateway inside ip/netmask, DNS servers, the hostname label, no static field with
  ``dhcp: true``, a static address needs ip, netmask and gateway;
- ``net_config`` is sent only when the address settings differ; it carries the hostname
  (desired, else the current one) so that one reboot does everything. A change of the
  hostname alone is ``set_hostname`` (no reboot; the vendor says it takes effect when the
  network restarts);
- after ``net_config`` the client drops its token (a reboot clears the miner's token table).
  With a static address the task waits for the miner at the NEW address, through a new client:
  tokens, API detection and the last-applied record are keyed by ``host:port``, so the moved
  miner starts fresh there and its last-applied record moves with it. The wait is
  ``_reboot.wait_for_restart``: the miner must answer with an uptime younger than the command,
  since a board may answer for a moment before it goes down. With DHCP the miner may
  come back anywhere: the task waits at the old address and, when the miner does not answer
  there, says so and how to find it (the ``minerops.whatsminer.whatsminer`` inventory plugin)
  instead of failing.
"""

from __future__ import annotations

import ipaddress
import re
import time

from ._applied import AppliedStore
from ._client import DEFAULT_PORT
from ._client_v3 import DEFAULT_V3_PORT
from ._detect import ApiCache
from ._engine import Gatherer, NotApplied, Write
from ._errors import DeadlineError, NoReplyError, ProtocolError, ValidationError, WhatsminerError
from ._reboot import wait_for_restart
from ._schema import is_ipv4
from . import _values as v
from .whatsminer import CONNECTION_SPEC, WAIT_SPEC, client_from_params

NETWORK_SPEC = dict(CONNECTION_SPEC)
NETWORK_SPEC.update(WAIT_SPEC)
NETWORK_SPEC.update({
    'dhcp': {'type': 'bool'},
    'ip': {'type': 'str'},
    'netmask': {'type': 'str'},
    'gateway': {'type': 'str'},
    'dns': {'type': 'list', 'elements': 'str'},
    'hostname': {'type': 'str'},
    'state': {'type': 'str', 'default': 'merged', 'choices': ['merged', 'gathered', 'rendered']},
})

STATIC_FIELDS = ('ip', 'netmask', 'gateway', 'dns')
REQUIRED_STATIC = ('ip', 'netmask', 'gateway')
FIELDS = ('dhcp', 'ip', 'netmask', 'gateway', 'dns', 'hostname')
DNS_MAX = 3
PREFIX_RANGE = (1, 30)
_HOSTNAME = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')
_COLON_IP = re.compile(r'^\d{1,3}(?::\d{1,3}){3}$')
#: Seconds to wait for a hostname set without a reboot to show in get_miner_info.
HOSTNAME_GRACE = 10.0
#: Last-applied entry: a hostname the miner accepted but does not report yet.
HOSTNAME_PENDING = 'hostname_pending'
INVENTORY_PLUGIN = 'minerops.whatsminer.whatsminer'
CURRENT_DNS = '<current dns>'


# -- validation (before any contact) ------------------------------------------------------------
def _unicast_error(name, text):
    if not is_ipv4(text):
        return '%s must be an IPv4 address such as 192.168.1.50, got %r' % (name, text)
    address = ipaddress.IPv4Address(text)
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return '%s must be a unicast IPv4 address (not 0.0.0.0, multicast or reserved), got %r' % (name, text)
    return None


def netmask_prefix(text):
    """Prefix length of a contiguous dotted netmask, or None."""
    if not is_ipv4(text):
        return None
    value = int(ipaddress.IPv4Address(text))
    inverted = ~value & 0xFFFFFFFF
    if inverted & (inverted + 1):
        return None  # ones after a zero: not contiguous
    return 32 - inverted.bit_length()


def desired_network(params):
    """The managed fields of the task, validated: ``{field: value}`` for the given ones,
    with ``dhcp`` False implied by a static address. Raises ValidationError naming every
    problem."""
    errors = []
    dhcp = params.get('dhcp')
    given = [name for name in STATIC_FIELDS if params.get(name) is not None]
    if dhcp is True and given:
        errors.append('%s cannot be combined with dhcp=true (DHCP assigns the address, netmask, gateway and DNS)'
                      % ', '.join(given))
    static = dhcp is False or (dhcp is None and bool(given))
    if static:
        missing = [name for name in REQUIRED_STATIC if params.get(name) is None]
        if missing:
            errors.append('a static address (dhcp=false) needs ip, netmask and gateway; missing: %s' % ', '.join(missing))
    for name in ('ip', 'gateway'):
        if params.get(name) is not None:
            error = _unicast_error(name, params[name])
            if error:
                errors.append(error)
    prefix = None
    if params.get('netmask') is not None:
        prefix = netmask_prefix(params['netmask'])
        if prefix is None or not PREFIX_RANGE[0] <= prefix <= PREFIX_RANGE[1]:
            errors.append('netmask must be a contiguous IPv4 netmask from 128.0.0.0 (/1) to 255.255.255.252 (/30) '
                          'such as 255.255.255.0, got %r' % params['netmask'])
            prefix = None
    ip_ok = params.get('ip') is not None and _unicast_error('ip', params['ip']) is None
    gateway_ok = params.get('gateway') is not None and _unicast_error('gateway', params['gateway']) is None
    if ip_ok and prefix is not None:
        network = ipaddress.IPv4Network('%s/%d' % (params['ip'], prefix), strict=False)
        ip = ipaddress.IPv4Address(params['ip'])
        if ip in (network.network_address, network.broadcast_address):
            errors.append('ip %s is the network or broadcast address of %s' % (ip, network))
        if gateway_ok:
            gateway = ipaddress.IPv4Address(params['gateway'])
            if gateway not in network:
                errors.append('gateway %s must be inside ip/netmask (%s)' % (gateway, network))
            elif gateway == ip:
                errors.append('gateway must differ from ip, got %s for both' % gateway)
            elif gateway in (network.network_address, network.broadcast_address):
                errors.append('gateway %s is the network or broadcast address of %s' % (gateway, network))
    dns = params.get('dns')
    if dns is not None:
        if not 1 <= len(dns) <= DNS_MAX:
            errors.append('dns must list 1 to %d IPv4 addresses, got %d' % (DNS_MAX, len(dns)))
        for index, server in enumerate(dns, start=1):
            error = _unicast_error('dns[%d]' % index, server)
            if error:
                errors.append(error)
    hostname = params.get('hostname')
    if hostname is not None and not _HOSTNAME.match(hostname):
        errors.append('hostname must be one label of 1 to 63 letters, digits and hyphens, not starting or ending '
                      'with a hyphen (no dots), got %r' % hostname)
    if errors:
        raise ValidationError('; '.join(errors), miner='%s:%s' % (params.get('host'), params.get('port')))
    desired = {}
    if dhcp is True:
        desired['dhcp'] = True
    elif static:
        desired['dhcp'] = False
        for name in STATIC_FIELDS:
            if params.get(name) is not None:
                desired[name] = list(params[name]) if name == 'dns' else params[name]
    if hostname is not None:
        desired['hostname'] = hostname
    return desired


# -- reading ------------------------------------------------------------------------------------------
def _address(value):
    text = v.to_text(value)
    if text and _COLON_IP.match(text):
        text = text.replace(':', '.')  # the vendor document shows 192:168:2:16
    return text or None


def dns_list(value):
    """``"1.1.1.1 8.8.8.8"`` (v2), a list, or comma separated text -> list of servers."""
    if isinstance(value, list):
        items = [v.to_text(item) for item in value]
    else:
        items = re.split(r'[\s,;]+', v.to_text(value) or '')
    return [item for item in items if item]


def network_from_record(record):
    """get_miner_info fields -> the module's vocabulary (plus ``mac``)."""
    proto = v.to_lower(record.get('proto'))
    return {
        'dhcp': None if not proto else proto == 'dhcp',
        'ip': _address(record.get('ip')),
        'netmask': _address(record.get('netmask')),
        'gateway': _address(record.get('gateway')),
        'dns': dns_list(record.get('dns')),
        'hostname': v.to_text(record.get('hostname')) or None,
        'mac': (v.to_text(record.get('mac')) or '').upper() or None,
    }


def read_network(client):
    gatherer = Gatherer(client)
    record = gatherer.record('get_miner_info')
    if 'get_miner_info' in gatherer.down:
        raise gatherer.down['get_miner_info']  # btminer is not running: nothing can be read
    if not record or 'proto' not in record and 'ip' not in record:
        raise ProtocolError('get_miner_info reports no network settings', miner=client.miner, command='get_miner_info',
                            hint='This firmware does not report its network; nothing was sent')
    return network_from_record(record)


# -- planning -------------------------------------------------------------------------------------------
def differing(desired, current):
    return [name for name in FIELDS if name in desired and current.get(name) != desired[name]]


def plan_network(desired, current, pending=None):
    """The writes that reach ``desired``: one ``net_config`` (reboot) when an address setting
    differs, carrying the hostname; else one ``set_hostname`` when only the hostname differs
    and was not already accepted and pending a network restart (``pending``)."""
    names = differing(desired, current)
    address_names = [name for name in names if name != 'hostname']
    if address_names and desired.get('dhcp'):
        if 'hostname' not in names:
            return [Write('net_config', {'param': 'dhcp'}, names, restarts='board', order=90)]
        # net_config dhcp carries no hostname: set it first, the reboot then applies it
        return [Write('set_hostname', {'hostname': desired['hostname']}, ['hostname'], order=10),
                Write('net_config', {'param': 'dhcp'}, address_names, restarts='board', order=90)]
    if address_names:
        dns = desired.get('dns') or current.get('dns')
        params = {'ip': desired['ip'], 'mask': desired['netmask'], 'gate': desired['gateway'],
                  'dns': ' '.join(dns) if dns else CURRENT_DNS}
        host = desired.get('hostname') or current.get('hostname')
        if host:
            params['host'] = host
        return [Write('net_config', params, names, restarts='board', order=90)]
    if 'hostname' in names and pending != desired['hostname']:
        return [Write('set_hostname', {'hostname': desired['hostname']}, ['hostname'], order=10)]
    return []


# -- the task -------------------------------------------------------------------------------------------------
class NetworkTask:
    """One whatsminer_network task against one miner."""

    # pylint: disable=too-many-arguments
    def __init__(self, params, check_mode=False, client_factory=client_from_params, applied=None,
                 monotonic=time.monotonic, sleep=time.sleep, api_cache=None):
        self.params = params
        self.check_mode = check_mode
        self.client_factory = client_factory
        self.applied = applied if applied is not None else AppliedStore()
        self.api_cache = api_cache
        self.monotonic = monotonic
        self.sleep = sleep
        self.wait = params.get('wait') is not False
        self.wait_timeout = params.get('wait_timeout') or 300
        self.warnings = []

    def run(self):
        state = self.params.get('state') or 'merged'
        desired = desired_network(self.params) if state != 'gathered' else {}
        if state == 'rendered':
            writes = plan_network(desired, {})
            return {'changed': False, 'rendered': [w.shown() for w in writes]}
        client = self.client_factory(self.params)
        current = read_network(client)
        address = self.params['host']
        if state == 'gathered':
            gathered = {name: current[name] for name in FIELDS}
            return {'changed': False, 'gathered': gathered, 'mac': current['mac'], 'address': address}
        record = self.applied.load(client.miner)
        pending = record.get(HOSTNAME_PENDING)
        if pending is not None and current.get('hostname') == pending:
            self.applied.forget(client.miner, [HOSTNAME_PENDING])  # applied by now
            pending = None
        writes = plan_network(desired, current, pending)
        if not writes and pending is not None and desired.get('hostname') == pending:
            self.warnings.append(_pending_text(client.miner, pending, current.get('hostname')))
        if CURRENT_DNS in [w.params.get('dns') for w in writes]:
            raise ValidationError('dns is required: the miner reports no DNS server to keep', miner=client.miner)
        before = {name: current.get(name) for name in desired}
        after = dict(before)
        for write in writes:
            after.update({name: desired[name] for name in write.names})
        result = {'changed': bool(writes), 'before': before, 'after': after, 'diff': {'before': before, 'after': after},
                  'commands': [w.shown() for w in writes], 'address': address, 'mac': current['mac'], 'moved': False}
        if self.check_mode or not writes:
            if any(w.command == 'net_config' for w in writes) and desired.get('dhcp'):
                result['address_note'] = _dhcp_text(current, address)
            return self._finish(result)
        return self._finish(self._apply(client, writes, desired, current, result))

    def _finish(self, result):
        if self.warnings:
            result['warnings'] = list(self.warnings)
        return result

    def _apply(self, client, writes, desired, current, result):
        shown, silent, sent_at = [], False, None
        try:
            for write in sorted(writes, key=lambda w: w.order):
                if write.command == 'net_config':
                    sent_at = self.monotonic()
                outcome = client.write(write.command, write.params)
                shown.append(write.shown(outcome.outcome))
                silent = silent or (write.command == 'net_config' and outcome.silent)
            result['commands'] = shown
            if any(w.command == 'net_config' for w in writes):
                return self._after_net_config(client, desired, current, result, silent, sent_at)
            # set_hostname alone: no reboot; it may show only after the network restarts
            result['after'] = self._verify(client, desired, grace=HOSTNAME_GRACE, hostname_may_lag=True)
            result['diff'] = {'before': result['before'], 'after': result['after']}
            return result
        except WhatsminerError as exc:
            result.update({'failed': True, 'msg': str(exc), 'error': exc.as_dict(), 'commands': shown,
                           'changed': any(entry.get('outcome') == 'ok' for entry in shown)})
            return result

    # pylint: disable-next=too-many-arguments
    def _after_net_config(self, client, desired, current, result, silent=False, sent_at=None):
        old_host = self.params['host']
        dhcp = bool(desired.get('dhcp'))
        new_ip = None if dhcp else desired['ip']
        moved = new_ip is not None and new_ip != (current.get('ip') or old_host) and new_ip != old_host
        result.update({'restarted': True, 'moved': moved, 'address': new_ip if moved else old_host})
        if moved:
            new_params = dict(self.params, host=new_ip)
            target = self.client_factory(new_params)
            self.applied_moves(client.miner, target.miner)
            # the old address is vacated: its API detection (and v3 salt) describe nobody now
            cache = self.api_cache if self.api_cache is not None else ApiCache()
            cache.drop(ApiCache.key(old_host, self.params.get('port') or DEFAULT_PORT,
                                    self.params.get('v3_port') or DEFAULT_V3_PORT))
        else:
            new_params, target = self.params, client
        if dhcp:
            result['address_note'] = _dhcp_text(current, old_host)
        if not self.wait:
            if dhcp:
                result['address'] = None
            return result
        sent_at = self.monotonic() if sent_at is None else sent_at
        try:
            result['waited'] = round(self._wait_up(new_params, target, sent_at), 1)
        except DeadlineError as exc:
            if dhcp and not self._answers(self.params):
                # not a failure: the change was sent and the miner left its old address
                result['address'] = None
                self.warnings.append('%s did not answer at %s within %ss after switching to DHCP: %s'
                                     % (client.miner, old_host, self.wait_timeout, result['address_note']))
                result['verified'] = False
                return result
            if moved:
                if silent and _answers_unchanged(client, current):
                    # silence, then the miner kept its address and settings: most likely the
                    # password was refused (older firmware refuses it in silence)
                    raise NoReplyError('net_config got no reply, and the miner still answers at %s with its old '
                                       'network settings' % old_host, miner=client.miner, command='net_config') from exc
                exc.hint = ('net_config was sent; the miner did not answer at its new address %s. It may be '
                            'unreachable from the controller on the new network (check the gateway and VLAN), or '
                            'it kept its old address %s' % (new_ip, old_host))
            raise
        remaining = max(self.wait_timeout - (self.monotonic() - sent_at), 1.0)
        try:
            result['after'] = self._verify(target, desired, grace=remaining)
        except NotApplied as exc:
            if not silent:
                raise
            raise NoReplyError('net_config got no reply, and %s' % exc.message, miner=target.miner,
                               command='net_config') from exc
        result['diff'] = {'before': result['before'], 'after': result['after']}
        result['verified'] = True
        if dhcp:
            result['address_note'] = 'the miner switched to DHCP and answers at %s again' % old_host
        return result

    def applied_moves(self, old_key, new_key):
        """The last-applied record follows the miner to its new address."""
        record = self.applied.load(old_key)
        if record:
            self.applied.update(new_key, record)
            self.applied.forget(old_key)

    def _probe(self, params, target=None):
        """The client that waits: API v2 on the v2 port (every firmware serves it; probing
        API v3 while the board boots would cache "v2" for a new address), unless the task
        forces API v3."""
        if (params.get('api_version') or 'auto') == 'v3':
            return target if target is not None else self.client_factory(params)
        return self.client_factory(dict(params, api_version='v2'))

    def _wait_up(self, params, target, sent_at):
        """Seconds from ``sent_at`` until the miner answers having rebooted (its uptime is
        younger than the command: a miner may answer for a moment before it goes down)."""
        waited, _seen = wait_for_restart(self._probe(params, target), 'board', sent_at, self.wait_timeout,
                                         monotonic=self.monotonic, sleep=self.sleep)
        return waited

    def _answers(self, params):
        """Whether the miner still answers reads at ``params['host']``."""
        try:
            self._probe(params).read('status')
        except WhatsminerError:
            return False
        return True

    def _verify(self, client, desired, grace, hostname_may_lag=False):
        """Read back until the miner reports ``desired`` (within ``grace`` seconds)."""
        deadline = self.monotonic() + grace
        delay = 0.3
        while True:
            now = read_network(client)
            wrong = differing(desired, now)
            if not wrong:
                return {name: now.get(name) for name in desired}
            if self.monotonic() >= deadline:
                if hostname_may_lag and wrong == ['hostname']:
                    self.applied.update(client.miner, {HOSTNAME_PENDING: desired['hostname']})
                    self.warnings.append(_pending_text(client.miner, desired['hostname'], now.get('hostname')))
                    verified = {name: now.get(name) for name in desired}
                    verified['hostname'] = desired['hostname']
                    return verified
                details = ', '.join('%s: wanted %r, miner reports %r' % (name, desired[name], now.get(name))
                                    for name in wrong)
                raise NotApplied('the miner did not apply the network change (%s)' % details, miner=client.miner,
                                 hint='The write was sent; the firmware may have refused part of it')
            self.sleep(delay)
            delay = min(delay * 1.6, 3.0)


def _answers_unchanged(client, current):
    """True when the miner answers at its old address with its old address settings."""
    try:
        now = read_network(client)
    except WhatsminerError:
        return False
    return all(now.get(name) == current.get(name) for name in ('dhcp', 'ip', 'netmask', 'gateway'))


def _pending_text(miner, wanted, reported):
    return ('%s accepted hostname %s but still reports %s: the hostname takes effect when the miner\'s network '
            'restarts (a reboot with minerops.whatsminer.whatsminer_reboot, or the next network change); it is not '
            'sent again meanwhile' % (miner, wanted, reported))


def _dhcp_text(current, address):
    mac = current.get('mac')
    return ('with DHCP the miner may come back at another address than %s, which this task cannot know: find it '
            'with the inventory plugin %s (it scans the site networks)%s'
            % (address, INVENTORY_PLUGIN, ' and match its MAC %s' % mac if mac else ''))


def run_network(params, check_mode):
    return NetworkTask(params, check_mode).run()
