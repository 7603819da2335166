# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The v2 command vocabulary in terms of API v3: one data table for reads, one for writes.

Why data: the engine, the settings table and the facts speak the v2 vocabulary (``status``,
``summary``, ``adjust_power_limit``, ...). ``V3Client`` answers those commands from v3
requests and returns replies shaped like the 2025 v2 flavour (flat, ``Msg`` holding the data,
hash rates of ``summary`` in MH/s and of ``edevs`` in TH/s), so ``_engine`` and ``_facts`` work
unchanged. Every translation lives here; docs/api-v3.md is the same table for people.

Reads: a ``V3Read`` names the v3 requests it needs (``SOURCES``: each sent at most once per
translated read) and how each v2 field is taken from their ``msg`` (``Field``: source, path of
keys, conversion). List sections (``POOLS``, ``DEVS``) map each v3 item the same way.

Writes: a v2 write becomes one or more ``Step``s: a v3 command and a function that builds its
``param`` from the v2 parameters (numbers as numbers: v3 takes real JSON types). ``encrypted``
marks the two commands whose param is AES-encrypted (pools and the password).

Commands without an equivalent are listed in ``UNSUPPORTED`` with the reason, and fail with
"not supported by this firmware (API v3)".
"""

from __future__ import annotations

from . import _values as v

# -- v3 requests a translated read may need ------------------------------------------------
SOURCES = {
    'device': ('get.device.info', None),            # every section: network, miner, system, power, ...
    'power': ('get.device.info', 'power'),
    'errors': ('get.device.info', 'error-code'),
    'summary': ('get.miner.status', 'summary'),
    'pools': ('get.miner.status', 'pools'),
    'edevs': ('get.miner.status', 'edevs'),
    'setting': ('get.miner.setting', None),
}

#: The v3 account the collection writes as (the documented default; ``admin`` is refused).
ACCOUNT = 'super'
#: Whole-number date of the first firmware that serves API v3 (protocol-notes).
V3_FIRMWARE_DATE = 20241101


# -- conversions -----------------------------------------------------------------------------
def th_to_mh(value):
    """TH/s (v3) -> MH/s (v2 ``summary``)."""
    number = v.to_float(value)
    return None if number is None else round(number * 1e6, 2)


def th_to_gh(value):
    number = v.to_float(value)
    return None if number is None else round(number * 1000.0, 2)


def as_text(value):
    return None if value is None else v.to_text(value)


def bool_text(value):
    flag = v.to_bool(value)
    return None if flag is None else ('true' if flag else 'false')


def not_text(value):
    """``working`` ("true" = mining) -> ``mineroff`` ("true" = NOT mining)."""
    flag = v.to_bool(value)
    return None if flag is None else ('false' if flag else 'true')


def capital(value):
    text = v.to_text(value)
    return text.capitalize() if text else text


def lower(value):
    return v.to_lower(value)


def int_text(value):
    number = v.to_int(value)
    return None if number is None else str(number)


def hottest(values):
    numbers = [v.to_float(item) for item in values] if isinstance(values, list) else [v.to_float(values)]
    numbers = [n for n in numbers if n is not None]
    return max(numbers) if numbers else None


def volts_to_centivolts(value):
    """v3 ``vin`` in V -> v2 ``vin`` text in 0.01 V."""
    number = v.to_float(value)
    return None if number is None else str(int(round(number * 100)))


def amps_to_milliamps(value):
    number = v.to_float(value)
    return None if number is None else str(int(round(number * 1000)))


def fast_boot_text(value):
    flag = v.to_bool(value)
    return None if flag is None else ('enable' if flag else 'disable')


class Field:
    """One v2 field: ``source`` (a SOURCES key, or ``item`` for the current list item), a
    dotted ``path`` in that source's ``msg``, and a conversion."""

    __slots__ = ('name', 'source', 'path', 'convert')

    def __init__(self, name, source, path, convert=None):
        self.name = name
        self.source = source
        self.path = tuple(path.split('.'))
        self.convert = convert

    def pick(self, msgs, item=None):
        value = item if self.source == 'item' else msgs.get(self.source)
        for key in self.path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        if value is None:
            return None
        return self.convert(value) if self.convert else value


class V3Read:
    """How one v2 read command is answered from v3 requests."""

    def __init__(self, sources, fields=(), section=None, items=None, item_fields=(), finish=None, note=''):
        self.sources = tuple(sources)
        self.fields = tuple(fields)
        self.section = section          # list section of the v2 reply (POOLS, DEVS)
        self.items = items              # (source, dotted path) of the v3 list
        self.item_fields = tuple(item_fields)
        self.finish = finish            # finish(msg, msgs, params) for what a table cannot say
        self.note = note

    def build(self, msgs, params):
        """The v2 ``Msg`` from the v3 ``msg`` of every source."""
        msg = {}
        for field in self.fields:
            value = field.pick(msgs)
            if value is not None:
                msg[field.name] = value
        if self.section:
            source, path = self.items
            entries = Field('', source, path).pick(msgs)
            records = []
            for index, item in enumerate(entries if isinstance(entries, list) else []):
                if not isinstance(item, dict):
                    continue
                record = {}
                for field in self.item_fields:
                    value = field.pick(msgs, item)
                    if value is not None:
                        record[field.name] = value
                record.setdefault('_index', index)
                records.append(record)
            msg[self.section] = records
        if self.finish:
            self.finish(msg, msgs, params)
        return msg


# -- finishing touches ------------------------------------------------------------------------
def _pool_priorities(msg, msgs, params):  # pylint: disable=unused-argument
    """v3 lists pools in priority order and has no priority field."""
    for record in msg.get('POOLS', []):
        record['Priority'] = record.pop('_index')
        record.setdefault('POOL', record['Priority'] + 1)


def _board_extras(msg, msgs, params):  # pylint: disable=unused-argument
    """Board temperature (from the summary list) and PCB serial (from device info) by slot."""
    temps = Field('', 'summary', 'summary.board-temperature').pick(msgs)
    miner = Field('', 'device', 'miner').pick(msgs) or {}
    for record in msg.get('DEVS', []):
        index = record.pop('_index')
        slot = v.to_int(record.get('Slot', record.get('ASC')))
        slot = index if slot is None else slot
        if isinstance(temps, list) and 0 <= slot < len(temps) and 'Temperature' not in record:
            record['Temperature'] = v.to_float(temps[slot], 2)
        serial = miner.get('pcbsn%d' % slot)
        if serial and 'PCB SN' not in record:
            record['PCB SN'] = serial
        if 'Chip Data' not in record and miner.get('chipdata%d' % slot):
            record['Chip Data'] = miner['chipdata%d' % slot]


def _error_list(msg, msgs, params):  # pylint: disable=unused-argument
    """``[{"531": time, "reason": text}]`` -> the fixed v2 shape ``[{"531": time}]``."""
    raw = Field('', 'errors', 'error-code').pick(msgs)
    codes = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict):
            codes.extend({key: value} for key, value in item.items() if key != 'reason')
    msg['error_code'] = codes


def _info_filter(msg, msgs, params):  # pylint: disable=unused-argument
    """get_miner_info answers only the fields named in ``info`` (all when not given)."""
    wanted = params.get('info', params.get('parameter'))
    if isinstance(wanted, str) and wanted.strip():
        names = set(name.strip() for name in wanted.split(','))
        for key in list(msg):
            if key not in names:
                del msg[key]


def _first_chip(msg, msgs, params):  # pylint: disable=unused-argument
    miner = Field('', 'device', 'miner').pick(msgs) or {}
    if 'chip' not in msg and miner.get('chipdata0'):
        msg['chip'] = miner['chipdata0']


READS = {
    'summary': V3Read(('summary', 'setting', 'device'), fields=(
        Field('Elapsed', 'summary', 'summary.elapsed', v.to_int),
        Field('MHS av', 'summary', 'summary.hash-average', th_to_mh),
        Field('MHS 5s', 'summary', 'summary.hash-realtime', th_to_mh),
        Field('MHS 1m', 'summary', 'summary.hash-1min', th_to_mh),
        Field('MHS 15m', 'summary', 'summary.hash-15min', th_to_mh),
        Field('Factory GHS', 'summary', 'summary.factory-hash', th_to_gh),
        Field('Power', 'summary', 'summary.power-realtime', v.to_float),
        Field('Power Rate', 'summary', 'summary.power-rate', v.to_float),
        Field('Power Limit', 'setting', 'power-limit', v.to_int),
        Field('Power Mode', 'setting', 'power-mode', capital),
        Field('Temperature', 'summary', 'summary.board-temperature', hottest),
        Field('Env Temp', 'summary', 'summary.environment-temperature', v.to_float),
        Field('Chip Temp Min', 'summary', 'summary.chip-temp-min', v.to_float),
        Field('Chip Temp Max', 'summary', 'summary.chip-temp-max', v.to_float),
        Field('Chip Temp Avg', 'summary', 'summary.chip-temp-avg', v.to_float),
        Field('Fan Speed In', 'summary', 'summary.fan-speed-in', v.to_int),
        Field('Fan Speed Out', 'summary', 'summary.fan-speed-out', v.to_int),
        Field('freq_avg', 'summary', 'summary.freq-avg', v.to_int),
        Field('Target Freq', 'summary', 'summary.target-freq', v.to_int),
        Field('Uptime', 'summary', 'summary.bootup-time', v.to_int),
        Field('Hash Stable', 'summary', 'summary.up-freq-finish', bool_text),
        Field('Btminer Fast Boot', 'setting', 'fast-boot', fast_boot_text),
        Field('Firmware Version', 'device', 'system.fwversion', as_text),
        Field('MAC', 'device', 'network.mac', as_text),
    ), note='get.miner.status summary (TH/s, converted to MH/s) + get.miner.setting + get.device.info'),
    'pools': V3Read(('pools',), section='POOLS', items=('pools', 'pools'), item_fields=(
        Field('POOL', 'item', 'id', v.to_int),
        Field('URL', 'item', 'url', as_text),
        Field('User', 'item', 'account', as_text),
        Field('Status', 'item', 'status', capital),
        Field('Stratum Active', 'item', 'stratum-active', bool_text),
        Field('Last Share Time', 'item', 'last-share-time', v.to_int),
    ), finish=_pool_priorities, note='get.miner.status pools (no share counts; priority = list order)'),
    'edevs': V3Read(('edevs', 'summary', 'device'), section='DEVS', items=('edevs', 'edevs'), item_fields=(
        Field('ASC', 'item', 'id', v.to_int),
        Field('Slot', 'item', 'slot', v.to_int),
        Field('MHS av', 'item', 'hash-average', v.to_float),
        Field('MHS 1m', 'item', 'hash-1min', v.to_float),
        Field('HS Factory', 'item', 'factory-hash', v.to_float),
        Field('Chip Frequency', 'item', 'freq', v.to_int),
        Field('Effective Chips', 'item', 'effective-chips', v.to_int),
        Field('Chip Temp Min', 'item', 'chip-temp-min', v.to_float),
        Field('Chip Temp Max', 'item', 'chip-temp-max', v.to_float),
        Field('Chip Temp Avg', 'item', 'chip-temp-avg', v.to_float),
        Field('Temperature', 'item', 'temperature', v.to_float),
    ), finish=_board_extras,
        note='get.miner.status edevs (TH/s, as the 2025 v2 flavour) + board temperatures and serials from summary '
             'and get.device.info'),
    'status': V3Read(('device', 'setting'), fields=(
        Field('mineroff', 'device', 'miner.working', not_text),
        Field('FirmwareVersion', 'device', 'system.fwversion', as_text),
        Field('power_mode', 'setting', 'power-mode', lower),
        Field('power_limit_set', 'setting', 'power-limit', int_text),
        Field('hash_percent', 'setting', 'target-freq', int_text),
        Field('power_pct', 'setting', 'power-percent', int_text),
    ), note='get.device.info miner.working, system.fwversion + get.miner.setting'),
    'get_version': V3Read(('device',), fields=(
        Field('api_ver', 'device', 'system.api', as_text),
        Field('fw_ver', 'device', 'system.fwversion', as_text),
        Field('platform', 'device', 'system.platform', as_text),
        Field('miner_type', 'device', 'miner.type', as_text),
    ), finish=_first_chip, note='get.device.info system + miner (api_ver is the v3 API version, 3.x)'),
    'get_miner_info': V3Read(('device', 'setting'), fields=(
        Field('ip', 'device', 'network.ip', as_text),
        Field('proto', 'device', 'network.proto', lower),
        Field('netmask', 'device', 'network.netmask', as_text),
        Field('gateway', 'device', 'network.gateway', as_text),
        Field('dns', 'device', 'network.dns', as_text),
        Field('hostname', 'device', 'network.hostname', as_text),
        Field('mac', 'device', 'network.mac', as_text),
        Field('ledstat', 'device', 'system.ledstatus', lower),
        Field('minersn', 'device', 'miner.miner-sn', as_text),
        Field('powersn', 'device', 'power.sn', as_text),
        Field('upfreq_speed', 'setting', 'upfreq-speed', int_text),
    ), finish=_info_filter, note='get.device.info network, system, miner, power + get.miner.setting upfreq-speed'),
    'get_psu': V3Read(('power',), fields=(
        Field('name', 'power', 'power.type', as_text),
        Field('model', 'power', 'power.model', as_text),
        Field('hw_version', 'power', 'power.hwversion', as_text),
        Field('sw_version', 'power', 'power.swversion', as_text),
        Field('serial_no', 'power', 'power.sn', as_text),
        Field('vendor', 'power', 'power.vendor', as_text),
        Field('fan_speed', 'power', 'power.fanspeed', int_text),
        Field('temp0', 'power', 'power.temp0', as_text),
        Field('vin', 'power', 'power.vin', volts_to_centivolts),
        Field('iin', 'power', 'power.iin', amps_to_milliamps),
    ), note='get.device.info power (vin V -> 0.01 V, iin A -> mA as in v2)'),
    'get_error_code': V3Read(('errors',), finish=_error_list, note='get.device.info error-code'),
}
READS['devs'] = READS['edevs']


# -- writes ----------------------------------------------------------------------------------
class Step:
    """One v3 request of a translated write: ``param(params)`` builds its param (``SKIP``:
    this step is not needed for these parameters; ``NO_PARAM``: send no param)."""

    __slots__ = ('command', 'param', 'encrypted')

    def __init__(self, command, param=None, encrypted=False):
        self.command = command
        self.param = param
        self.encrypted = encrypted

    def build(self, params):
        if self.param is None:
            return NO_PARAM
        if callable(self.param):
            return self.param(params)
        return self.param


class _Marker:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


SKIP = _Marker('SKIP')
NO_PARAM = _Marker('NO_PARAM')


def _number(name):
    def build(params):
        number = v.to_int(params.get(name))
        if number is None:
            raise ValueError('%s must be a whole number, got %r' % (name, params.get(name)))
        return number
    return build


def _pools(params):
    """All nine v2 fields -> up to three ``{pool, worker, passwd}`` (empty slots left out)."""
    pools = []
    for slot in (1, 2, 3):
        url = params.get('pool%d' % slot) or ''
        if url:
            pools.append({'pool': url, 'worker': params.get('worker%d' % slot) or '',
                          'passwd': params.get('passwd%d' % slot) or ''})
    return pools


def _led(params):
    if params.get('param') == 'auto':
        return 'auto'
    return [{'color': params.get('color'), 'period': v.to_int(params.get('period')),
             'duration': v.to_int(params.get('duration')), 'start': v.to_int(params.get('start'))}]


def _net(params):
    if params.get('param') == 'dhcp':
        return 'dhcp'
    return {'ip': params.get('ip'), 'netmask': params.get('mask'), 'gateway': params.get('gate'),
            'dns': params.get('dns')}


def _net_hostname(params):
    host = params.get('host')
    if params.get('param') == 'dhcp' or not host:
        return SKIP
    return {'hostname': host}


def _percent(mode):
    def build(params):
        return {'percent': _number('percent')(params), 'mode': mode}
    return build


def _timezone(params):
    return {'timezone': params.get('timezone'), 'zonename': params.get('zonename')}


def _syslog(params):
    return {'ip': params.get('ip'), 'port': str(params.get('port')), 'proto': params.get('proto')}


def _password(params):
    return {'account': ACCOUNT, 'old': params.get('old'), 'new': params.get('new')}


WRITES = {
    'update_pools': (Step('set.miner.pools', _pools, encrypted=True),),
    'set_low_power': (Step('set.miner.power_mode', 'low'),),
    'set_normal_power': (Step('set.miner.power_mode', 'normal'),),
    'set_high_power': (Step('set.miner.power_mode', 'high'),),
    'adjust_power_limit': (Step('set.miner.power_limit', _number('power_limit')),),
    'set_target_freq': (Step('set.miner.target_freq', _number('percent')),),
    'set_power_pct': (Step('set.miner.power_percent', _percent('fast')),),
    'set_power_pct_v2': (Step('set.miner.power_percent', _percent('normal')),),
    'power_on': (Step('set.miner.service', 'start'),),
    'power_off': (Step('set.miner.service', 'stop'),),
    'restart_btminer': (Step('set.miner.service', 'restart'),),
    'enable_btminer_fast_boot': (Step('set.miner.fastboot', 'enable'),),
    'disable_btminer_fast_boot': (Step('set.miner.fastboot', 'disable'),),
    'adjust_upfreq_speed': (Step('set.miner.upfreq_speed', _number('upfreq_speed')),),
    'set_temp_offset': (Step('set.fan.temp_offset', _number('temp_offset')),),
    'set_poweroff_cool': (Step('set.fan.poweroff_cool', _number('poweroff_cool')),),
    'set_fan_zero_speed': (Step('set.fan.zero_speed', _number('fan_zero_speed')),),
    'set_led': (Step('set.system.led', _led),),
    'reboot': (Step('set.system.reboot'),),
    'factory_reset': (Step('set.system.factory_reset'),),
    'net_config': (Step('set.system.hostname', _net_hostname), Step('set.system.net_config', _net)),
    'set_hostname': (Step('set.system.hostname', lambda params: {'hostname': params.get('hostname')}),),
    'set_zone': (Step('set.system.timezone', _timezone),),
    'load_log': (Step('set.log.upload', _syslog),),
    'enable_web_pools': (Step('set.system.webpools', 'enable'),),
    'disable_web_pools': (Step('set.system.webpools', 'disable'),),
    'update_pwd': (Step('set.user.change_passwd', _password, encrypted=True),),
}

#: Streams: translated by V3Client.upload_firmware / download_logs, not by write().
STREAMS = {'update_firmware': 'set.system.update_firmware', 'download_logs': 'get.log.download'}

#: v2 commands with no API v3 equivalent, and why.
UNSUPPORTED = {
    'pre_power_on': 'API v3 has no preheating command; start mining with set.miner.service instead',
    'devdetails': 'API v3 has no devdetails; board models come from get.device.info',
    'get_token': 'API v3 needs no token from the miner (a fresh one is computed per request)',
}


def firmware_date(version):
    """``20250214.16.Rel`` -> 20250214 (None when the version does not start with a date)."""
    text = (v.to_text(version) or '')[:8]
    return int(text) if len(text) == 8 and text.isdigit() else None


def api_from_version(msg):
    """'v3', 'v2' or None from a v2 ``get_version`` message: firmware dated 20241101 or later
    serves API v3 on its own port (and a reduced v2 on 4028); older firmware does not."""
    if not isinstance(msg, dict):
        return None
    date = firmware_date(msg.get('fw_ver'))
    if date is not None:
        return 'v3' if date >= V3_FIRMWARE_DATE else 'v2'
    api = v.to_text(msg.get('api_ver')) or ''
    parts = api.split('.')
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return 'v3' if (int(parts[0]), int(parts[1])) >= (2, 2) else 'v2'
    return None
