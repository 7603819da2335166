# -*- coding: utf-8 -*-
"""Write commands of the vendor document: parameter checks and their effect on the settings.

Why: a client is only proven by a miner that rejects what real firmware rejects and changes
exactly what real firmware changes.  Parameters arrive as real clients send them (numbers as
strings for percent, power_limit, upfreq_speed, temp_offset, poweroff_cool, fan_zero_speed;
LED period/duration/start as integers).  Each handler returns a WriteResult telling the
transport what to do next (answer, stay silent, restart btminer, reboot the board, stream).
"""

from __future__ import annotations

import ipaddress
import re

from . import state as statemod

PASSWORD_RE = re.compile(r'^[A-Za-z0-9_]{1,8}$')
HOSTNAME_RE = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})$')


class CommandError(Exception):
    """A rejected write: answered unencrypted with STATUS E, ``code`` and ``msg``."""

    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code
        self.msg = msg


class WriteResult:
    """What happens after a write was applied."""

    def __init__(self, msg='API command OK', restart=None, silent=False, stream=None):
        self.msg = msg
        self.restart = restart          # None, 'btminer' or 'board'
        self.silent = silent            # close without any reply (not a restart)
        self.stream = stream            # None, 'firmware' or 'logs'


class WriteContext:
    """What one write needs: the miner, the decrypted request, the time and the client."""

    def __init__(self, miner, request, now, client_ip):
        self.miner = miner
        self.request = request
        self.now = now
        self.client_ip = client_ip
        self.settings = miner.settings


def _missing(name):
    return CommandError(132, 'missing parameter: %s' % name)


def _int_param(ctx, name, low, high):
    """An integer parameter sent as a string (or an integer), within [low, high]."""
    if name not in ctx.request:
        raise _missing(name)
    value = ctx.request[name]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CommandError(132, 'invalid %s: %r' % (name, value))
    text = str(value).strip()
    if not re.match(r'^[+-]?\d+$', text):
        raise CommandError(132, 'invalid %s: %r' % (name, value))
    number = int(text)
    if not low <= number <= high:
        raise CommandError(132, '%s out of range (%d ~ %d): %d' % (name, low, high, number))
    return number


def _str_param(ctx, name, allow_empty=False):
    if name not in ctx.request:
        raise _missing(name)
    value = ctx.request[name]
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise CommandError(132, 'invalid %s: %r' % (name, value))
    return value.strip()


def _ipv4(ctx, name):
    value = _str_param(ctx, name)
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise CommandError(132, 'invalid %s: %r' % (name, value)) from None


def update_pools(ctx):
    """All nine fields, strings (empty clears a slot); switches immediately."""
    pools = []
    for slot in (1, 2, 3):
        entry = {}
        for field, key in (('pool', 'url'), ('worker', 'user'), ('passwd', 'passwd')):
            name = '%s%d' % (field, slot)
            if name not in ctx.request:
                raise _missing(name)
            value = ctx.request[name]
            if not isinstance(value, str):
                raise CommandError(132, 'invalid %s: %r (use "" for an unused slot)' % (name, value))
            entry[key] = value.strip()
        if not entry['url']:
            entry = {'url': '', 'user': '', 'passwd': ''}
        pools.append(entry)
    ctx.settings['pools'] = pools
    return WriteResult()


def restart_btminer(ctx):
    """Restart the mining service (not the board)."""
    return WriteResult(restart='btminer')


def power_off(ctx):
    """Stop mining; answers first only with ``respbefore: "true"``."""
    ctx.settings['mining'] = False
    ctx.miner.preheat_started = None
    respbefore = str(ctx.request.get('respbefore', '')).lower() == 'true'
    return WriteResult(silent=not respbefore)


def power_on(ctx):
    """Start mining."""
    ctx.settings['mining'] = True
    ctx.miner.preheat_started = None
    return WriteResult()


def set_led(ctx):
    """``param: auto``, or manual color/period/duration/start (integers, ms)."""
    if ctx.request.get('param') == 'auto':
        ctx.settings.update({'led_mode': 'auto', 'led_color': '', 'led_period': 0, 'led_duration': 0, 'led_start': 0})
        return WriteResult()
    if 'param' in ctx.request:
        raise CommandError(132, 'invalid param: %r' % (ctx.request['param'],))
    color = ctx.request.get('color')
    if color not in ('red', 'green'):
        raise CommandError(132, 'invalid color: %r (red or green)' % (color,))
    period = _int_param(ctx, 'period', 1, 60000)
    duration = _int_param(ctx, 'duration', 0, period)
    start = _int_param(ctx, 'start', 0, period)
    ctx.settings.update({'led_mode': 'manual', 'led_color': color, 'led_period': period,
                         'led_duration': duration, 'led_start': start})
    return WriteResult()


def _power_mode(mode):
    def handler(ctx):
        ctx.settings['power_mode'] = mode
        return WriteResult(restart='btminer')
    handler.__doc__ = 'Switch to %s power mode; btminer restarts.' % mode.lower()
    return handler


def update_firmware(ctx):
    """Answer ``ready``; the transport then receives the image and reboots the board."""
    return WriteResult(msg='ready', stream='firmware')


def reboot(ctx):
    """Reboot the control board."""
    return WriteResult(restart='board')


def factory_reset(ctx):
    """Network, password (admin), write switch (off), pools (removed), power settings, ...; reboots."""
    miner = ctx.miner
    fresh = statemod.factory_settings(miner.identity, ctx.settings)
    # DHCP again; in the simulator DHCP hands out the address the miner already has.
    fresh.update(statemod.network_defaults(miner.host))
    ctx.settings.clear()
    ctx.settings.update(fresh)
    miner.pending_ip = None
    miner.tokens.clear()
    return WriteResult(restart='board')


def update_pwd(ctx):
    """Change the admin password; every token dies (the reply still uses the old key)."""
    old = ctx.request.get('old')
    new = ctx.request.get('new')
    if not isinstance(old, str) or old != ctx.settings['password']:
        raise CommandError(132, 'old password error')
    if not isinstance(new, str) or not PASSWORD_RE.match(new):
        raise CommandError(132, 'invalid new password: at most 8 letters, digits or underscores')
    ctx.settings['password'] = new
    ctx.miner.tokens.clear()
    return WriteResult()


def net_config(ctx):
    """``param: dhcp`` or ip/mask/gate/dns(/host); the board reboots (maybe to a new address)."""
    if ctx.request.get('param') == 'dhcp':
        ctx.settings.update(statemod.network_defaults(ctx.miner.host))
        ctx.miner.pending_ip = None
        return WriteResult(restart='board')
    ip = _ipv4(ctx, 'ip')
    mask = _ipv4(ctx, 'mask')
    gate = _ipv4(ctx, 'gate')
    dns_text = _str_param(ctx, 'dns')
    dns = dns_text.split()
    for server in dns:
        try:
            ipaddress.IPv4Address(server)
        except ValueError:
            raise CommandError(132, 'invalid dns: %r' % dns_text) from None
    host = ctx.request.get('host', '')
    if host:
        if not isinstance(host, str) or not HOSTNAME_RE.match(host):
            raise CommandError(132, 'invalid host: %r' % (host,))
        ctx.settings['hostname'] = host
    ctx.settings.update({'net_proto': 'static', 'ip': ip, 'netmask': mask, 'gateway': gate, 'dns': ' '.join(dns)})
    ctx.miner.pending_ip = ip
    return WriteResult(restart='board')


def download_logs(ctx):
    """Answer ``logfilelen``; the transport then sends the archive."""
    return WriteResult(stream='logs')


def set_target_freq(ctx):
    """Percent -100..100 of the normal frequency (air-cooled models: no overclocking); restarts btminer."""
    percent = _int_param(ctx, 'percent', -100, 100)
    if percent > 0 and ctx.miner.identity.spec['cooling'] == 'air':
        raise CommandError(132, 'air-cooled miners only support underclocking (percent <= 0)')
    ctx.settings['target_freq_pct'] = percent
    return WriteResult(restart='btminer')


def _switch(key, value):
    def handler(ctx):
        ctx.settings[key] = value
        return WriteResult()
    handler.__doc__ = 'Set %s to %s.' % (key, value)
    return handler


def set_hostname(ctx):
    """Set the hostname."""
    hostname = _str_param(ctx, 'hostname')
    if not HOSTNAME_RE.match(hostname):
        raise CommandError(132, 'invalid hostname: %r' % hostname)
    ctx.settings['hostname'] = hostname
    return WriteResult()


def set_zone(ctx):
    """Set timezone (e.g. CST-8) and zonename (e.g. Asia/Shanghai)."""
    timezone = _str_param(ctx, 'timezone')
    zonename = _str_param(ctx, 'zonename')
    if len(timezone) > 64 or len(zonename) > 64:
        raise CommandError(132, 'timezone or zonename too long')
    ctx.settings.update({'timezone': timezone, 'zonename': zonename})
    return WriteResult()


def load_log(ctx):
    """Configure the rsyslog server: ip, port (string), proto tcp/udp."""
    ip = _ipv4(ctx, 'ip')
    port = _int_param(ctx, 'port', 1, 65535)
    proto = _str_param(ctx, 'proto').lower()
    if proto not in ('tcp', 'udp'):
        raise CommandError(132, 'invalid proto: %r (tcp or udp)' % proto)
    ctx.settings.update({'syslog_ip': ip, 'syslog_port': str(port), 'syslog_proto': proto})
    return WriteResult()


def set_power_pct(ctx):
    """Power percent 0..100, fast mode."""
    ctx.settings['power_pct'] = _int_param(ctx, 'percent', 0, 100)
    ctx.settings['power_pct_mode'] = 'fast'
    return WriteResult()


def set_power_pct_v2(ctx):
    """Power percent 0..100, normal mode (air-cooled: only in low or normal power mode)."""
    percent = _int_param(ctx, 'percent', 0, 100)
    if ctx.settings['power_mode'] == 'High' and ctx.miner.identity.spec['cooling'] == 'air':
        raise CommandError(132, 'set_power_pct_v2 needs low or normal power mode on air-cooled miners')
    ctx.settings['power_pct'] = percent
    ctx.settings['power_pct_mode'] = 'normal'
    return WriteResult()


def pre_power_on(ctx):
    """Preheat a powered-off miner; poll until complete is "true"."""
    if ctx.settings['mining']:
        raise CommandError(132, 'btminer is running: power_off first')
    started = ctx.miner.preheat_started
    if started is None:
        ctx.miner.preheat_started = ctx.now
        return WriteResult(msg={'complete': 'false', 'msg': 'wait for adjust temp'})
    if ctx.now - started >= float(ctx.settings['pre_power_on_seconds']):
        return WriteResult(msg={'complete': 'true', 'msg': 'adjust complete'})
    return WriteResult(msg={'complete': 'false', 'msg': 'adjust continue'})


def set_temp_offset(ctx):
    """Hash board target temperature offset, -30..0."""
    ctx.settings['temp_offset'] = _int_param(ctx, 'temp_offset', -30, 0)
    return WriteResult()


def adjust_power_limit(ctx):
    """Power limit in W, 0..99999 (0: no limit); btminer restarts."""
    ctx.settings['power_limit'] = _int_param(ctx, 'power_limit', 0, 99999)
    return WriteResult(restart='btminer')


def adjust_upfreq_speed(ctx):
    """Upfreq speed 0 (normal) .. 9 (fastest)."""
    ctx.settings['upfreq_speed'] = _int_param(ctx, 'upfreq_speed', 0, 9)
    return WriteResult()


def set_poweroff_cool(ctx):
    """Cool the machine when mining stops: 0 or 1."""
    ctx.settings['poweroff_cool'] = _int_param(ctx, 'poweroff_cool', 0, 1)
    return WriteResult()


def set_fan_zero_speed(ctx):
    """Allow fan speed 0: 0 or 1."""
    ctx.settings['fan_zero_speed'] = _int_param(ctx, 'fan_zero_speed', 0, 1)
    return WriteResult()


WRITES = {
    'update_pools': update_pools,
    'restart_btminer': restart_btminer,
    'power_off': power_off,
    'power_on': power_on,
    'set_led': set_led,
    'set_low_power': _power_mode('Low'),
    'set_normal_power': _power_mode('Normal'),
    'set_high_power': _power_mode('High'),
    'update_firmware': update_firmware,
    'reboot': reboot,
    'factory_reset': factory_reset,
    'update_pwd': update_pwd,
    'net_config': net_config,
    'download_logs': download_logs,
    'set_target_freq': set_target_freq,
    'enable_btminer_fast_boot': _switch('fast_boot', True),
    'disable_btminer_fast_boot': _switch('fast_boot', False),
    'enable_web_pools': _switch('web_pools', True),
    'disable_web_pools': _switch('web_pools', False),
    'set_hostname': set_hostname,
    'set_zone': set_zone,
    'load_log': load_log,
    'set_power_pct': set_power_pct,
    'set_power_pct_v2': set_power_pct_v2,
    'pre_power_on': pre_power_on,
    'set_temp_offset': set_temp_offset,
    'adjust_power_limit': adjust_power_limit,
    'adjust_upfreq_speed': adjust_upfreq_speed,
    'set_poweroff_cool': set_poweroff_cool,
    'set_fan_zero_speed': set_fan_zero_speed,
}

# Writes after which btminer restarts or the board reboots (the reply is usually lost).
RESTARTING = frozenset(('set_low_power', 'set_normal_power', 'set_high_power', 'adjust_power_limit', 'set_target_freq',
                        'restart_btminer', 'reboot', 'net_config', 'factory_reset'))
