# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
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
  strings where real clients send strings). ``params``: instead, a function
  ``(value, context) -> dict`` for a command that carries several parameters (``context``
  holds the task's desired values and companion options): a composite value (syslog's ip,
  port and proto) or settings that are sent together (``set_zone`` carries timezone and
  zonename). Rows whose writes come out identical are sent as one write.
- ``restarts``: ``btminer`` or ``board`` when the write restarts the miner.
- ``range`` / ``choices``: validation before anything is sent; ``check``: a function
  ``(value, context) -> error text or None`` for formats and rules between options;
  ``together``: options that must be given with this one. ``options``: suboptions of a
  ``dict`` setting (its argument spec).
- ``when_down``: the value to assume when the read answers "btminer is not running".
- ``pre_steps``: per value, a command polled before the write when a companion option asks
  for it (``pre_power_on`` before ``power_on`` with ``preheat``).
"""

from __future__ import annotations

import ipaddress
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
                 choices=None, order=50, secret=False, when_down=None, pre_steps=None, params=None, check=None,
                 together=(), options=None):
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
        self.params = params
        self.check = check
        self.together = tuple(together)
        self.options = options

    def pre_step_for(self, value, options):
        """The PreStep to run before writing ``value``, or None."""
        if not self.pre_steps:
            return None  # also for values that cannot be keys (a dict setting such as syslog)
        step = self.pre_steps.get(value)
        return step if step is not None and options.get(step.option) else None

    def command_for(self, value, options):
        """(command, params) that set ``value``; ``options`` holds companion options (and,
        for ``params`` functions, the other desired values of the task)."""
        command = self.command
        if isinstance(command, dict):
            key = options.get(self.command_key) if self.command_key else value
            command = command[key]
        params = dict(COMMAND_EXTRAS.get(command, {}))
        if self.params:
            params.update(self.params(value, options))
        elif self.param:
            params[self.param] = self.encode(value)
        return command, params

    def validate(self, value, context=None):
        """Error text naming the option and what is allowed, or None when valid.
        ``context``: the task's desired values and companion options."""
        if value is None:
            return None
        context = context or {}
        missing = [name for name in self.together if context.get(name) is None]
        if missing:
            return '%s must be given together with %s' % (self.name, ', '.join(missing))
        if self.choices is not None and value not in self.choices:
            return '%s must be one of %s, got %r' % (self.name, ', '.join(str(c) for c in self.choices), value)
        if self.range is not None:
            low, high = self.range
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                return '%s must be an integer from %s to %s, got %r' % (self.name, low, high, value)
        if self.check is not None:
            return self.check(value, context)
        return None

    def spec(self):
        """The Ansible argument spec entry of this setting."""
        entry = {'type': self.kind}
        if self.choices is not None and self.kind == 'str':
            entry['choices'] = list(self.choices)
        if self.options is not None:
            entry['options'] = self.options
        return entry


def _str(value):
    return str(value)


def _bool01(value):
    return '1' if value else '0'


def is_ipv4(text):
    """Whether ``text`` is a dotted-quad IPv4 address (no leading zeros, no spaces)."""
    if not isinstance(text, str):
        return False
    try:
        return str(ipaddress.IPv4Address(text)) == text
    except ValueError:
        return False


# -- system: time zone, remote syslog, web pool editing (write-only on API v2) -------------------
#: POSIX TZ text as the firmware takes it: CST-8, UTC0, EST5EDT,M3.2.0,M11.1.0, <+03>-3
_TIMEZONE = re.compile(r'^[A-Za-z<][A-Za-z0-9<>+,.:/-]{2,63}$')
#: tz database name: Asia/Shanghai, UTC, America/Argentina/Buenos_Aires, Etc/GMT-8
_ZONENAME = re.compile(r'^(?=.{1,64}$)[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}$')
SYSLOG_PROTOCOLS = ('udp', 'tcp')
SYSLOG_OPTIONS = {
    'ip': {'type': 'str', 'required': True},
    'port': {'type': 'int', 'default': 514},
    'proto': {'type': 'str', 'default': 'udp', 'choices': list(SYSLOG_PROTOCOLS)},
}


def _timezone_check(value, context):  # pylint: disable=unused-argument
    if not _TIMEZONE.match(value):
        return ('timezone must be a POSIX TZ string of 3 to 64 characters without spaces such as CST-8, UTC0 '
                'or EST5EDT,M3.2.0,M11.1.0, got %r' % value)
    return None


def _zonename_check(value, context):  # pylint: disable=unused-argument
    if not _ZONENAME.match(value):
        return 'zonename must be a time zone name such as Asia/Shanghai, UTC or America/New_York, got %r' % value
    return None


def _zone_params(value, context):  # pylint: disable=unused-argument
    return {'timezone': context.get('timezone'), 'zonename': context.get('zonename')}


def _syslog_check(value, context):  # pylint: disable=unused-argument
    if not isinstance(value, dict):
        return 'syslog must be a dictionary with ip, port and proto, got %r' % (value,)
    errors = []
    if not is_ipv4(value.get('ip')):
        errors.append('syslog.ip must be an IPv4 address such as 192.0.2.5, got %r' % (value.get('ip'),))
    port = value.get('port', 514)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        errors.append('syslog.port must be an integer from 1 to 65535, got %r' % (port,))
    if value.get('proto', 'udp') not in SYSLOG_PROTOCOLS:
        errors.append('syslog.proto must be one of %s, got %r' % (', '.join(SYSLOG_PROTOCOLS), value.get('proto')))
    return '; '.join(errors) or None


def _syslog_params(value, context):  # pylint: disable=unused-argument
    """load_log: ip, port as a string (as real clients send it), proto."""
    return {'ip': value['ip'], 'port': str(value.get('port', 514)), 'proto': value.get('proto', 'udp')}


# -- LED: auto, or a manual (locate) pattern that cannot be read back ---------------------------
LED_COLORS = ('red', 'green')
LED_PATTERN = ('color', 'period', 'duration', 'start')
#: The pattern of ``mode: manual`` when the task does not give one: red, on 500 ms of each second.
LED_DEFAULTS = {'color': 'red', 'period': 1000, 'duration': 500, 'start': 0}
LED_PERIOD_MAX = 60000


def led_mode(value):
    """get_miner_info ``ledstat``: ``auto``, anything else is a manual pattern."""
    text = v.to_lower(value)
    if not text:
        return None
    return 'auto' if text == 'auto' else 'manual'


def _led_pattern(context):
    """set_led's manual parameters, integers as the firmware wants them."""
    pattern = {name: context.get(name) for name in LED_PATTERN}
    for name, default in LED_DEFAULTS.items():
        if pattern[name] is None:
            pattern[name] = default
    return {'color': pattern['color'], 'period': int(pattern['period']), 'duration': int(pattern['duration']),
            'start': int(pattern['start'])}


def _led_mode_params(value, context):
    return {'param': 'auto'} if value == 'auto' else _led_pattern(context)


def _led_pattern_params(value, context):  # pylint: disable=unused-argument
    return _led_pattern(context)


def _led_mode_check(value, context):
    given = [name for name in LED_PATTERN if context.get(name) is not None]
    if value == 'auto' and given:
        return '%s only apply to mode=manual, not to mode=auto' % ', '.join(given)
    return None


def _period(context):
    period = context.get('period')
    return LED_DEFAULTS['period'] if period is None else period


def _valid_period(period):
    return isinstance(period, int) and not isinstance(period, bool) and 1 <= period <= LED_PERIOD_MAX


def _led_duration_check(value, context):
    period = _period(context)
    if _valid_period(period) and value > period:
        return 'duration must be at most period (%s ms), got %s' % (period, value)
    return None


def _led_start_check(value, context):
    period = _period(context)
    if _valid_period(period) and value >= period:
        return 'start must be less than period (%s ms), got %s' % (period, value)
    return None


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
    # -- system: write-only on API v2; API v3 reads the time zone and web pools back from
    # get.system.setting (a v2 client refuses that command without sending it) ---------------
    Setting('timezone', 'system', 'str', 'POSIX time zone (TZ) text, sent with zonename.',
            read=(('get.system.setting', 'timezone'),), normalise=v.to_text,
            command='set_zone', params=_zone_params, check=_timezone_check, together=('zonename',)),
    Setting('zonename', 'system', 'str', 'Time zone name, sent with timezone.',
            read=(('get.system.setting', 'zonename'),), normalise=v.to_text,
            command='set_zone', params=_zone_params, check=_zonename_check, together=('timezone',)),
    Setting('syslog', 'system', 'dict', 'Remote syslog server (ip, port, proto).',
            command='load_log', params=_syslog_params, check=_syslog_check, options=SYSLOG_OPTIONS),
    Setting('web_pools', 'system', 'bool', 'Whether pools may be edited on the web interface.',
            read=(('get.system.setting', 'web-pool'),), normalise=v.to_bool,
            command={True: 'enable_web_pools', False: 'disable_web_pools'}),
    # -- LED: auto/manual readable, the manual pattern write-only; one set_led carries it all --
    Setting('mode', 'led', 'str', 'LED control: auto, or the manual pattern.', choices=('auto', 'manual'),
            read=(('get_miner_info', 'ledstat'),), normalise=led_mode, command='set_led',
            params=_led_mode_params, check=_led_mode_check),
    Setting('color', 'led', 'str', 'LED color of the manual pattern.', choices=LED_COLORS,
            command='set_led', params=_led_pattern_params),
    Setting('period', 'led', 'int', 'Cycle of the manual pattern in ms.', value_range=(1, LED_PERIOD_MAX),
            command='set_led', params=_led_pattern_params),
    Setting('duration', 'led', 'int', 'LED on time in each cycle in ms.', value_range=(1, LED_PERIOD_MAX),
            command='set_led', params=_led_pattern_params, check=_led_duration_check),
    Setting('start', 'led', 'int', 'Offset of the on time in the cycle in ms.', value_range=(0, LED_PERIOD_MAX - 1),
            command='set_led', params=_led_pattern_params, check=_led_start_check),
)


#: Rows by (group, option name): option names are unique within a module, not across modules
#: (the LED's ``mode`` is not the power ``mode``). Write-only rows share one last-applied record
#: per miner, so their names are unique across the table (checked by the unit tests).
BY_NAME = {(row.group, row.name): row for row in SETTINGS}


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
