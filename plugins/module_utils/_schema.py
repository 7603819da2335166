# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The settings table: every configurable setting of a miner as one row of data.

Why data: the engine, argument validation, the argument specs and the tests all derive from
these rows, so adding a setting is one row and firmware differences live in one place.

A row says:
- ``read``: where the value can be read back, as ``(command, field)`` candidates tried in
  order. A flavour that reports none of them makes the setting *write-only* there (the
  engine detects this from the replies, so newer firmware that adds a field needs no code).
- ``normalise``: how a reported value becomes comparable with the desired one.
- ``command``: the write command, or a mapping from the value (or from a companion option,
  ``command_key``) to the command; ``param`` / ``encode``: how the value is sent (numbers as
  strings where real clients send strings).
- ``restarts``: ``btminer`` or ``board`` when the write restarts the miner.
- ``range`` / ``choices``: validation before anything is sent.
- ``when_down``: the value to assume when the read answers "btminer is not running".
- ``pre_steps``: per value, a command polled before the write when a companion option asks
  for it (``pre_power_on`` before ``power_on`` with ``preheat``).
"""

from __future__ import annotations

import re

from . import _values as v


#: Parameters some commands need whatever the value (protocol-notes: power_off answers
#: before stopping only when asked to).
COMMAND_EXTRAS = {'power_off': {'respbefore': 'true'}}


class PreStep:
    """A command sent (and re-sent, as a poll) before a row's write while the companion option
    ``option`` is true, until the reply's ``Msg[field]`` is ``done`` or ``timeout_option``
    seconds have passed. The write follows either way; a firmware that lacks the command
    gets the write alone, with a warning."""

    def __init__(self, command, option, timeout_option, field, done, timeout_range=(1, 7200)):
        self.command = command
        self.option = option
        self.timeout_option = timeout_option
        self.field = field
        self.done = done
        self.timeout_range = timeout_range

    def validate(self, options):
        timeout = options.get(self.timeout_option)
        low, high = self.timeout_range
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int)
                                    or not low <= timeout <= high):
            return '%s must be an integer from %s to %s, got %r' % (self.timeout_option, low, high, timeout)
        return None


class Setting:
    """One row of the table."""

    # pylint: disable=too-many-instance-attributes,too-many-arguments
    def __init__(self, name, group, kind, description, read=(), normalise=None, command=None,
                 command_key=None, param=None, encode=None, restarts=None, value_range=None,
                 choices=None, order=50, secret=False, when_down=None, pre_steps=None):
        self.name = name
        self.group = group
        self.kind = kind
        self.description = description
        self.read = tuple(read)
        self.normalise = normalise or (lambda value: value)
        self.command = command
        self.command_key = command_key
        self.param = param
        self.encode = encode or (lambda value: value)
        self.restarts = restarts
        self.range = value_range
        self.choices = choices
        self.order = order
        self.secret = secret
        self.when_down = when_down
        self.pre_steps = pre_steps or {}

    def pre_step_for(self, value, options):
        """The PreStep to run before writing ``value``, or None."""
        step = self.pre_steps.get(value)
        return step if step is not None and options.get(step.option) else None

    def command_for(self, value, options):
        """(command, params) that set ``value``; ``options`` holds companion options."""
        command = self.command
        if isinstance(command, dict):
            key = options.get(self.command_key) if self.command_key else value
            command = command[key]
        params = dict(COMMAND_EXTRAS.get(command, {}))
        if self.param:
            params[self.param] = self.encode(value)
        return command, params

    def validate(self, value):
        """Error text naming the option and what is allowed, or None when valid."""
        if value is None:
            return None
        if self.choices is not None and value not in self.choices:
            return '%s must be one of %s, got %r' % (self.name, ', '.join(str(c) for c in self.choices), value)
        if self.range is not None:
            low, high = self.range
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                return '%s must be an integer from %s to %s, got %r' % (self.name, low, high, value)
        return None

    def spec(self):
        """The Ansible argument spec entry of this setting."""
        entry = {'type': self.kind}
        if self.choices is not None and self.kind == 'str':
            entry['choices'] = list(self.choices)
        return entry


def _str(value):
    return str(value)


def _bool01(value):
    return '1' if value else '0'


SETTINGS = (
    # -- power: operational settings, changed often (energy prices, curtailment) --------------
    Setting('mode', 'power', 'str', 'Power mode.', choices=('low', 'normal', 'high'),
            read=(('status', 'power_mode'), ('summary', 'Power Mode')), normalise=v.to_lower,
            command={'low': 'set_low_power', 'normal': 'set_normal_power', 'high': 'set_high_power'},
            restarts='btminer', order=60),
    Setting('power_limit', 'power', 'int', 'Upper limit of the input power in watts.', value_range=(0, 99999),
            read=(('status', 'power_limit_set'), ('summary', 'Power Limit')), normalise=v.to_int,
            command='adjust_power_limit', param='power_limit', encode=_str, restarts='btminer', order=61),
    Setting('target_freq_percent', 'power', 'int', 'Target frequency adjustment in percent.',
            value_range=(-100, 100), read=(('status', 'hash_percent'),), normalise=v.to_int,
            command='set_target_freq', param='percent', encode=_str, restarts='btminer', order=62),
    Setting('power_percent', 'power', 'int', 'Power percentage of the stable mining power.',
            value_range=(0, 100), read=(('status', 'power_pct'),), normalise=v.to_int,
            command={'fast': 'set_power_pct', 'normal': 'set_power_pct_v2'}, command_key='power_percent_mode',
            param='percent', encode=_str, order=40),
    Setting('mining', 'power', 'str', 'Whether the hash boards mine.', choices=('started', 'stopped'),
            read=(('status', 'btmineroff'), ('status', 'mineroff')), normalise=v.mining_state,
            command={'started': 'power_on', 'stopped': 'power_off'}, order=90, when_down='stopped',
            pre_steps={'started': PreStep('pre_power_on', 'preheat', 'preheat_timeout', 'complete', 'true')}),
    # -- tuning: set-and-forget behaviour of the miner --------------------------------------
    Setting('temp_offset', 'tuning', 'int', 'Offset of the hash board target temperature in C.',
            value_range=(-30, 0), command='set_temp_offset', param='temp_offset', encode=_str),
    Setting('upfreq_speed', 'tuning', 'int', 'Frequency ramp-up speed, 0 normal to 9 fastest.',
            value_range=(0, 9), read=(('get_miner_info', 'upfreq_speed'),), normalise=v.to_int,
            command='adjust_upfreq_speed', param='upfreq_speed', encode=_str),
    Setting('fan_zero_speed', 'tuning', 'bool', 'Whether fans may stop completely.',
            command='set_fan_zero_speed', param='fan_zero_speed', encode=_bool01),
    Setting('poweroff_cool', 'tuning', 'bool', 'Whether to keep cooling after mining stops.',
            command='set_poweroff_cool', param='poweroff_cool', encode=_bool01),
    Setting('fast_boot', 'tuning', 'bool', 'btminer fast boot (takes effect at the next restart).',
            read=(('summary', 'Btminer Fast Boot'),), normalise=v.to_bool,
            command={True: 'enable_btminer_fast_boot', False: 'disable_btminer_fast_boot'}),
)


BY_NAME = {row.name: row for row in SETTINGS}


def group(name):
    """Rows of one module, in table order."""
    return [row for row in SETTINGS if row.group == name]


# -- pools -----------------------------------------------------------------------------------
POOL_SCHEMES = ('stratum+tcp', 'stratum+ssl', 'stratum2+tcp')
POOL_URL_MAX = 255
POOL_USER_MAX = 127
POOL_PASSWORD_MAX = 63
POOL_SLOTS = 3
_HOST = re.compile(r'^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$')
_URL = re.compile(r'^(?P<scheme>[a-z0-9+]+)://(?P<host>\[[0-9A-Fa-f:.]+\]|[^:/\s]+):(?P<port>\d{1,5})(?P<path>/\S*)?$')


def pool_errors(index, pool):
    """Problems of one desired pool entry (1-based ``index``), each naming the option."""
    where = 'pools[%d]' % index
    errors = []
    url = pool.get('url') or ''
    match = _URL.match(url)
    if not match:
        errors.append('%s.url must look like stratum+tcp://host:port, got %r' % (where, url))
    else:
        if match.group('scheme') not in POOL_SCHEMES:
            errors.append('%s.url scheme must be one of %s, got %r' % (where, ', '.join(POOL_SCHEMES), match.group('scheme')))
        host = match.group('host')
        if not host.startswith('[') and not _HOST.match(host):
            errors.append('%s.url host %r is not a valid host name or address' % (where, host))
        if not 1 <= int(match.group('port')) <= 65535:
            errors.append('%s.url port must be from 1 to 65535, got %s' % (where, match.group('port')))
    if len(url) > POOL_URL_MAX:
        errors.append('%s.url must be at most %d characters, got %d' % (where, POOL_URL_MAX, len(url)))
    user = pool.get('user') or ''
    if not user or len(user) > POOL_USER_MAX or any(c.isspace() for c in user):
        errors.append('%s.user must be 1 to %d characters without spaces, got %r' % (where, POOL_USER_MAX, user))
    password = pool.get('password')
    if password is not None and (len(password) > POOL_PASSWORD_MAX or any(c in password for c in '\r\n\0')):
        errors.append('%s.password must be at most %d characters on one line' % (where, POOL_PASSWORD_MAX))
    return errors


def pools_from_reply(records):
    """``pools`` records -> list of {url, user} in priority order (empty slots dropped)."""
    def priority(record):
        prio = v.to_int(record.get('Priority'))
        return (prio if prio is not None else 99, v.to_int(record.get('POOL')) or 0)
    pools = []
    for record in sorted(records, key=priority):
        url = v.to_text(record.get('URL')) or ''
        if url:
            pools.append({'url': url, 'user': v.to_text(record.get('User')) or ''})
    return pools[:POOL_SLOTS]


def update_pools_params(pools):
    """All nine fields of update_pools; empty strings for unused slots (null breaks it)."""
    params = {}
    for slot in range(1, POOL_SLOTS + 1):
        pool = pools[slot - 1] if slot <= len(pools) else {}
        params['pool%d' % slot] = pool.get('url') or ''
        params['worker%d' % slot] = pool.get('user') or ''
        params['passwd%d' % slot] = pool.get('password') or ''
    return params
