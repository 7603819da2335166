# -*- coding: utf-8 -*-
"""API v3 of a simulated miner (firmware from late 2024): what it answers on port 4433.

Why: miners shipped or upgraded since late 2024 serve API v3 beside a reduced v2, from the
same state.  This module decides the answer to one v3 request, kept free of sockets like
protocol.py; v3_wire.py frames it.  It follows protocol-notes ("API v3"): replies
``{code, when, msg, desc}``; reads need no authentication; writes carry ``ts``, ``account``
(``super``) and ``token`` = first 8 characters of base64(SHA-256(cmd + password + salt + ts));
``set.miner.pools`` and ``set.user.change_passwd`` carry their param AES-256-ECB encrypted with
that digest.  The token is computed here independently of the collection's client.

Writes reuse the v2 handlers of writes.py, so a setting changed through either port reads
the same through both.  Order of checks for ``set.*``: unknown command (-2), account and
token (-1; ``ts`` within TOKEN_WINDOW seconds of the miner's clock), write switch or factory
password (-4), parameters (-3 missing, -2 bad), then the command runs.
"""

from __future__ import annotations

import base64
import hashlib
import json

from . import writes
from .logs import build_archive
from .primitives import CRYPT_ALPHABET, decrypt

API_VERSION = '3.0.1'
ACCOUNT = 'super'
TOKEN_WINDOW = 60
FACTORY_PASSWORDS = ('admin', 'super')
SECTIONS = ('network', 'miner', 'system', 'power', 'salt', 'error-code')
STATUS_PARTS = ('summary', 'pools', 'edevs')


def salt_of(miner):
    """The miner's v3 salt: 8 crypt-alphabet characters, fixed per device."""
    digest = hashlib.sha256(('v3salt|%s|%s' % (miner.fleet.seed, miner.slot)).encode('utf-8')).digest()
    return ''.join(CRYPT_ALPHABET[byte % len(CRYPT_ALPHABET)] for byte in digest[:8])


def token_digest(cmd, password, salt, ts):
    """SHA-256 of cmd + password + salt + ts (ts as the client sent it, in decimal)."""
    return hashlib.sha256(('%s%s%s%s' % (cmd, password, salt, ts)).encode('utf-8')).digest()


def token_of(digest):
    return base64.b64encode(digest).decode('ascii')[:8]


def reply(now, code, msg, desc):
    """The v3 reply object."""
    return {'code': code, 'when': int(now), 'msg': msg, 'desc': desc}


class V3Action:
    """What the transport must do: send ``data`` (a reply dict, or nothing), then maybe
    restart, stream, or stay silent (``hold``)."""

    def __init__(self, data=None, restart=None, stream=None, hold=False, payload=None):
        self.data = data
        self.restart = restart
        self.stream = stream
        self.hold = hold
        self.payload = payload
        self.applied = False


class V3Error(Exception):
    """A rejected request: ``code`` and ``msg``."""

    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code
        self.msg = msg


# ---------------------------------------------------------------------------------- reads

def _two(value):
    return round(float(value), 2)


def device_info(miner, now, section=None):
    """get.device.info: every section, or the one named by ``param``."""
    settings = miner.settings
    identity = miner.identity
    fig = miner.figures(now)
    spec = identity.spec
    sections = {
        'network': {
            'ip': settings['ip'], 'proto': settings['net_proto'], 'netmask': settings['netmask'],
            'dns': settings['dns'], 'mac': identity.mac, 'gateway': settings['gateway'],
            'hostname': settings['hostname'],
        },
        'miner': dict({
            'working': 'true' if settings['mining'] else 'false',
            'type': identity.model,
            'hash-board': identity.model[-4:],
            'cointype': 'BTC',
            'pool-strategy': 'FAILOVER',
            'heatmode': '',
            'hash-percent': str(settings['target_freq_pct']),
            'eeprom-liquid-cooling': '0-0-0',
            'fast-boot': 'enable' if settings['fast_boot'] else 'disable',
            'board-num': str(spec['boards']),
            'miner-sn': identity.minersn,
            'power-limit-set': str(settings['power_limit']),
            'web-pool': 1 if settings['web_pools'] else 0,
        }, **{'chipdata%d' % slot: spec['chip'] for slot in range(spec['boards'])},
            **{'pcbsn%d' % slot: identity.pcb_sns[slot] for slot in range(spec['boards'])}),
        'system': {
            'api': API_VERSION, 'platform': spec['platform'], 'fwversion': settings['firmware_version'],
            'control-board-version': 'CB6V10', 'btrom': '1', 'apiswitch': '1' if settings['write_api'] else '0',
            'ledstatus': 'auto' if settings['led_mode'] == 'auto' else 'manual',
        },
        'power': {
            'type': spec['psu'], 'mode': '1', 'hwversion': 'V01.00', 'swversion': 'V01.00.V01.03',
            'model': spec['psu'], 'iin': round(fig['power'] / 224.0, 2) if fig['mining'] else 0.12,
            'vin': 224.0, 'vout': 1209, 'pin': int(round(fig['power'])), 'fanspeed': fig['psu_fan'],
            'temp0': round(fig['env_temp'] + 8.5, 1), 'sn': identity.powersn, 'vendor': identity.psu_vendor,
        },
        'salt': salt_of(miner),
        'error-code': [{str(code): stamp, 'reason': 'simulated error %s' % code}
                       for code, stamp in settings['error_codes'].items()],
    }
    if section in (None, ''):
        return sections
    if section not in sections:
        raise V3Error(-2, 'invalid param: %r (one of %s)' % (section, ', '.join(SECTIONS)))
    return {section: sections[section]}


def _summary(miner, now):
    fig = miner.figures(now)
    settings = miner.settings
    return {
        'elapsed': fig['elapsed'], 'bootup-time': fig['uptime'], 'freq-avg': fig['freq'],
        'target-freq': fig['target_freq'], 'factory-hash': _two(miner.identity.factory_ghs / 1000.0),
        'hash-average': _two(fig['ths']), 'hash-1min': _two(fig['ths_1m']), 'hash-15min': _two(fig['ths_15m']),
        'hash-realtime': _two(fig['ths_5s']), 'power-rate': _two(fig['power_rate']),
        'power-5min': _two(fig['power']), 'power-realtime': _two(fig['power']),
        'environment-temperature': _two(fig['env_temp']),
        'board-temperature': [_two(board['temp']) for board in fig['boards']],
        'chip-temp-min': _two(fig['chip_min']), 'chip-temp-avg': _two(fig['chip_avg']),
        'chip-temp-max': _two(fig['chip_max']), 'power-limit': int(settings['power_limit']),
        'up-freq-finish': 1 if fig['hash_stable'] else 0, 'fan-speed-in': fig['fan_in'], 'fan-speed-out': fig['fan_out'],
    }


def _pools(miner, now):
    fig = miner.figures(now)
    entries = []
    for index, pool in enumerate(miner.settings['pools']):
        if not pool.get('url'):
            continue
        active = not entries and fig['mining']
        entries.append({'id': index + 1, 'url': pool['url'], 'status': 'alive', 'account': pool.get('user', ''),
                        'stratum-active': active, 'reject-rate': 0.0,
                        'last-share-time': int(now) - 7 if active else 0})
    return entries


def _edevs(miner, now):
    fig = miner.figures(now)
    return [{'id': board['slot'], 'slot': board['slot'], 'hash-average': _two(board['ths_av']),
             'hash-1min': _two(board['ths_1m']), 'factory-hash': _two(board['factory_ghs'] / 1000.0),
             'freq': board['freq'], 'effective-chips': board['chips'], 'chip-temp-min': _two(board['chip_min']),
             'chip-temp-avg': _two(board['chip_avg']), 'chip-temp-max': _two(board['chip_max'])}
            for board in fig['boards']]


def miner_status(miner, now, param):
    """get.miner.status: ``summary``, ``pools``, ``edevs`` joined with ``+``; none: no data."""
    if param in (None, ''):
        return {}
    if not isinstance(param, str):
        raise V3Error(-2, 'invalid param: %r' % (param,))
    builders = {'summary': _summary, 'pools': _pools, 'edevs': _edevs}
    msg = {}
    for part in param.split('+'):
        if part not in builders:
            raise V3Error(-2, 'invalid param: %r (summary, pools, edevs)' % part)
        msg[part] = builders[part](miner, now)
    return msg


def miner_setting(miner, now, param):  # pylint: disable=unused-argument
    settings = miner.settings
    return {'power-limit': int(settings['power_limit']), 'power-mode': settings['power_mode'].lower(),
            'upfreq-speed': int(settings['upfreq_speed']), 'fast-boot': 'enable' if settings['fast_boot'] else 'disable',
            'target-freq': int(settings['target_freq_pct']), 'power-percent': int(settings['power_pct'])}


def system_setting(miner, now, param):  # pylint: disable=unused-argument
    settings = miner.settings
    return {'web-pool': 1 if settings['web_pools'] else 0, 'timezone': settings['timezone'],
            'zonename': settings['zonename'], 'hostname': settings['hostname'],
            'log-upload': {'ip': settings['syslog_ip'], 'port': settings['syslog_port'],
                           'proto': settings['syslog_proto']},
            'ntp-server': ['0.pool.ntp.org']}


def fan_setting(miner, now, param):  # pylint: disable=unused-argument
    settings = miner.settings
    return {'fan-poweroff-cool': int(settings['poweroff_cool']), 'fan-zero-speed': int(settings['fan_zero_speed']),
            'fan-temp-offset': int(settings['temp_offset'])}


READS = {
    'get.device.info': device_info,
    'get.miner.status': miner_status,
    'get.miner.setting': miner_setting,
    'get.system.setting': system_setting,
    'get.fan.setting': fan_setting,
}


# ---------------------------------------------------------------------------------- writes

def _number(param, name='param'):
    if isinstance(param, bool) or not isinstance(param, (int, float, str)):
        raise V3Error(-2, 'invalid param: %s must be a number, got %r' % (name, param))
    text = str(param).strip()
    try:
        return int(float(text))
    except ValueError:
        raise V3Error(-2, 'invalid param: %s must be a number, got %r' % (name, param)) from None


def _choice(param, choices):
    if param not in choices:
        raise V3Error(-2, 'invalid param: %r (one of %s)' % (param, ', '.join(choices)))
    return param


def _object(param, *keys):
    if isinstance(param, str):
        try:
            param = json.loads(param)  # some clients send objects as JSON text
        except ValueError:
            raise V3Error(-2, 'invalid param: expected an object') from None
    if not isinstance(param, dict):
        raise V3Error(-2, 'invalid param: expected an object with %s' % ', '.join(keys))
    for key in keys:
        if key not in param:
            raise V3Error(-3, 'missing parameter: %s' % key)
    return param


def _encrypted(ctx, param):
    if not isinstance(param, str):
        raise V3Error(-2, 'invalid param: must be encrypted (base64 text)')
    try:
        return json.loads(decrypt(ctx.digest, param).decode('utf-8'))
    except (ValueError, UnicodeDecodeError):
        raise V3Error(-1, 'param decrypt failed') from None


def _pools_write(ctx, param):
    pools = _encrypted(ctx, param)
    if not isinstance(pools, list) or not 1 <= len(pools) <= 3:
        raise V3Error(-2, 'invalid param: one to three pools')
    request = {}
    for slot in (1, 2, 3):
        pool = pools[slot - 1] if slot <= len(pools) else {}
        if not isinstance(pool, dict):
            raise V3Error(-2, 'invalid param: pool %d is not an object' % slot)
        request['pool%d' % slot] = str(pool.get('pool') or '')
        request['worker%d' % slot] = str(pool.get('worker') or '')
        request['passwd%d' % slot] = str(pool.get('passwd') or '')
    return 'update_pools', request


def _power_percent(ctx, param):  # pylint: disable=unused-argument
    param = _object(param, 'percent')
    mode = _choice(param.get('mode', 'normal'), ('fast', 'normal'))
    return 'set_power_pct' if mode == 'fast' else 'set_power_pct_v2', {'percent': str(_number(param['percent'], 'percent'))}


def _service(ctx, param):  # pylint: disable=unused-argument
    action = _choice(param, ('start', 'stop', 'restart', 'enable', 'disable'))
    if action in ('enable', 'disable'):
        return None, {}
    return {'start': 'power_on', 'stop': 'power_off', 'restart': 'restart_btminer'}[action], {'respbefore': 'true'}


def _led(ctx, param):  # pylint: disable=unused-argument
    if param == 'auto':
        return 'set_led', {'param': 'auto'}
    if not isinstance(param, list) or not param or not all(isinstance(item, dict) for item in param):
        raise V3Error(-2, 'invalid param: "auto" or a list of {color, period, duration, start}')
    item = param[-1]
    return 'set_led', {'color': item.get('color'), 'period': item.get('period'), 'duration': item.get('duration'),
                       'start': item.get('start')}


def _net(ctx, param):  # pylint: disable=unused-argument
    if param == 'dhcp':
        return 'net_config', {'param': 'dhcp'}
    param = _object(param, 'ip', 'netmask', 'gateway', 'dns')
    return 'net_config', {'ip': param['ip'], 'mask': param['netmask'], 'gate': param['gateway'], 'dns': param['dns']}


def _hostname(ctx, param):  # pylint: disable=unused-argument
    if isinstance(param, dict) or (isinstance(param, str) and param.strip().startswith('{')):
        param = _object(param, 'hostname')['hostname']
    return 'set_hostname', {'hostname': param}


def _password(ctx, param):
    value = _encrypted(ctx, param)
    if not isinstance(value, dict) or 'old' not in value or 'new' not in value:
        raise V3Error(-3, 'missing parameter: old, new')
    if value.get('account', ACCOUNT) != ACCOUNT:
        raise V3Error(-2, 'invalid param: only the super account is simulated')
    return 'update_pwd', {'old': value['old'], 'new': value['new']}


def _simple(name, key=None, convert=None, choices=None):
    def handler(ctx, param):  # pylint: disable=unused-argument
        if choices:
            _choice(param, choices)
        if key is None:
            return name, {}
        return name, {key: convert(param) if convert else param}
    return handler


WRITES = {
    'set.miner.pools': _pools_write,
    'set.miner.power_mode': lambda ctx, param: ('set_%s_power' % _choice(param, ('low', 'normal', 'high')), {}),
    'set.miner.power_limit': _simple('adjust_power_limit', 'power_limit', lambda p: str(_number(p))),
    'set.miner.target_freq': _simple('set_target_freq', 'percent', lambda p: str(_number(p))),
    'set.miner.power_percent': _power_percent,
    'set.miner.service': _service,
    'set.miner.fastboot': lambda ctx, param: ('%s_btminer_fast_boot' % _choice(param, ('enable', 'disable')), {}),
    'set.miner.upfreq_speed': _simple('adjust_upfreq_speed', 'upfreq_speed', lambda p: str(_number(p))),
    'set.fan.temp_offset': _simple('set_temp_offset', 'temp_offset', lambda p: str(_number(p))),
    'set.fan.poweroff_cool': _simple('set_poweroff_cool', 'poweroff_cool', lambda p: str(_number(p))),
    'set.fan.zero_speed': _simple('set_fan_zero_speed', 'fan_zero_speed', lambda p: str(_number(p))),
    'set.system.led': _led,
    'set.system.reboot': _simple('reboot'),
    'set.system.factory_reset': _simple('factory_reset'),
    'set.system.net_config': _net,
    'set.system.hostname': _hostname,
    'set.system.timezone': lambda ctx, param: ('set_zone', {k: _object(param, 'timezone', 'zonename')[k]
                                                            for k in ('timezone', 'zonename')}),
    'set.system.webpools': lambda ctx, param: ('%s_web_pools' % _choice(param, ('enable', 'disable')), {}),
    'set.log.upload': lambda ctx, param: ('load_log', {k: str(_object(param, 'ip', 'port', 'proto')[k])
                                                       for k in ('ip', 'port', 'proto')}),
    'set.user.change_passwd': _password,
    'set.system.update_firmware': _simple('update_firmware'),
}


class _Context:
    def __init__(self, digest):
        self.digest = digest


# ---------------------------------------------------------------------------------- requests

def respond(miner, request, client_ip, now):
    """The answer to one v3 request (called under the fleet lock)."""
    cmd = request.get('cmd') if isinstance(request, dict) else None
    if not isinstance(cmd, str) or not cmd:
        return V3Action(reply(now, -1, 'invalid json: no cmd', ''))
    param = request.get('param')
    try:
        if cmd in READS:
            return V3Action(reply(now, 0, READS[cmd](miner, now, param), cmd))
        if cmd == 'get.log.download':
            payload = build_archive(miner, now)
            return V3Action(reply(now, 0, {'logsize': str(len(payload))}, cmd), stream='logs', payload=payload)
        if cmd not in WRITES:
            return V3Action(reply(now, -2, 'invalid command', cmd))
        return _write(miner, request, cmd, param, client_ip, now)
    except V3Error as exc:
        return V3Action(reply(now, exc.code, exc.msg, cmd))


def _write(miner, request, cmd, param, client_ip, now):
    settings = miner.settings
    ts, token = request.get('ts'), request.get('token')
    if request.get('account') != ACCOUNT or ts is None or not isinstance(token, str):
        return V3Action(reply(now, -1, 'invalid account, ts or token', cmd))
    digest = token_digest(cmd, settings['password'], salt_of(miner), ts)
    if token != token_of(digest):
        if miner.faults.take('silent_wrong_password', cmd):
            return V3Action(hold=True)
        return V3Action(reply(now, -1, 'invalid token', cmd))
    miner.tokens.accepted_v3(cmd, ts, token, digest)
    try:
        stale = abs(float(ts) - now) > TOKEN_WINDOW
    except (TypeError, ValueError):
        stale = True
    if stale or miner.faults.take('token_expired', cmd):
        return V3Action(reply(now, -1, 'token expired', cmd))
    if not settings['write_api'] or settings['password'] in FACTORY_PASSWORDS or miner.faults.take('write_off', cmd):
        return V3Action(reply(now, -4, 'no permission', cmd))
    name, v2_request = WRITES[cmd](_Context(digest), param)
    if name is None:
        miner.note_applied()
        action = V3Action(reply(now, 0, 'ok', cmd))
        action.applied = True
        return action
    context = writes.WriteContext(miner, v2_request, now, client_ip)
    try:
        result = writes.WRITES[name](context)
    except writes.CommandError as exc:
        code = -3 if exc.msg.startswith('missing parameter') else -2
        return V3Action(reply(now, code, exc.msg if code == -3 else 'invalid param: %s' % exc.msg, cmd))
    miner.note_applied()
    action = V3Action(restart=result.restart, stream=result.stream)
    action.applied = True
    if result.stream == 'firmware':
        action.data = reply(now, 0, 'ready', cmd)
        return action
    if result.restart and not settings.get('reply_before_restart'):
        return action
    action.data = reply(now, 0, 'ok', cmd)
    return action
