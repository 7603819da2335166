# -*- coding: utf-8 -*-
"""Read commands: summary, pools, edevs/devs, devdetails, get_psu, get_version, status,
get_miner_info, get_error_code and their ``a+b`` joins.

Why: reads are how clients (and the collection's idempotency checks) see a miner's state, so
every readable setting must show up where real firmware shows it (protocol-notes, "Reading
state back"), in the flavour's shape.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from . import render

MINER_INFO_FIELDS = ('ip', 'proto', 'netmask', 'gateway', 'dns', 'hostname', 'mac', 'ledstat', 'minersn', 'powersn')
API_VERSIONS = {'2022': '2.0.5', '2025': '2.2.1'}
# Commands answered by btminer itself (down when btminer is off on some firmware).
BTMINER_READS = frozenset(('summary', 'pools', 'edevs', 'devs', 'devdetails'))


class ReadContext:
    """What one read needs: the miner, the request and the (simulated) time."""

    def __init__(self, miner, request, now):
        self.miner = miner
        self.request = request
        self.now = now
        # The v2 port of v3 firmware answers the reduced v2 of the 2025 flavour.
        self.flavor = '2025' if miner.settings['flavor'] == 'v3' else miner.settings['flavor']
        self.settings = miner.settings
        self._figures = None

    @property
    def figures(self):
        """Live figures, computed once per request."""
        if self._figures is None:
            self._figures = self.miner.figures(self.now)
        return self._figures

    @property
    def quirky(self):
        """True when the firmware's known JSON quirks are on (2022 flavour, unless switched off)."""
        return self.flavor == '2022' and bool(self.settings.get('quirks', True))

    @property
    def firmware_quoted(self):
        """The firmware version wrapped in single quotes, as 2.0.x firmware prints it."""
        return "'%s'" % self.settings['firmware_version']


def _mhs(ths):
    return render.two(ths * 1e6)


def _summary_fields(ctx):
    fig = ctx.figures
    settings = ctx.settings
    fields = {
        'Elapsed': fig['elapsed'],
        'MHS av': _mhs(fig['ths']),
        'MHS 5s': _mhs(fig['ths_5s']),
        'MHS 1m': _mhs(fig['ths_1m']),
        'MHS 5m': _mhs(fig['ths_5m']),
        'MHS 15m': _mhs(fig['ths_15m']),
        'HS RT': _mhs(fig['ths_5m']),
        'Accepted': fig['accepted'],
        'Rejected': 0,
        'Total MH': render.two(fig['total_mh']),
        'Temperature': render.two(fig['temp']),
        'freq_avg': fig['freq'],
        'Fan Speed In': fig['fan_in'],
        'Fan Speed Out': fig['fan_out'],
        'Power': int(round(fig['power'])),
        'Power Rate': render.two(fig['power_rate']),
        'Pool Rejected%': 0.0,
        'Pool Stale%': 0.0,
        'Last getwork': int(ctx.now) if fig['mining'] else 0,
        'Uptime': fig['uptime'],
        'Security Mode': 0,
        'Hash Stable': fig['hash_stable'],
        'Hash Stable Cost Seconds': fig['stable_cost'],
        'Hash Deviation%': 0.1398 if fig['mining'] else 0.0,
        'Target Freq': fig['target_freq'],
        'Target MHS': int(fig['target_ths'] * 1e6),
        'Env Temp': render.two(fig['env_temp']),
        'Power Mode': settings['power_mode'],
        'Factory GHS': ctx.miner.identity.factory_ghs,
        'Power Limit': int(settings['power_limit']),
        'Chip Temp Min': render.two(fig['chip_min']),
        'Chip Temp Max': render.two(fig['chip_max']),
        'Chip Temp Avg': render.two(fig['chip_avg']),
        'Debug': '-0.0_100.0_354',
        'Btminer Fast Boot': 'enable' if settings['fast_boot'] else 'disable',
        'Firmware Version': ctx.firmware_quoted if ctx.flavor == '2022' else settings['firmware_version'],
        'MAC': ctx.miner.identity.mac,
    }
    if ctx.flavor == '2025':
        fields['Power'] = render.two(fig['power'])
        fields = render.new_style(fields)
    return fields


def summary(ctx):
    """Fan speeds, power, hash rate, power mode and limit, fast boot, firmware."""
    fields = _summary_fields(ctx)
    if ctx.flavor == '2022':
        return render.cgminer(ctx.now, 11, 'Summary', 'SUMMARY', [fields])
    return render.flat(ctx.now, fields)


def _stratum_host(url):
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _pool_entries(ctx):
    fig = ctx.figures
    entries = []
    priority = 0
    for index, pool in enumerate(ctx.settings['pools']):
        if not pool.get('url'):
            continue
        active = priority == 0 and fig['mining']
        entries.append({
            'POOL': index + 1,
            'URL': pool['url'],
            'Status': 'Alive',
            'Priority': priority,
            'Quota': 1,
            'Long Poll': 'N',
            'Getworks': int(fig['elapsed'] / 30) + 1 if active else 1,
            'Accepted': fig['accepted'] if active else 0,
            'Rejected': 0,
            'Works': fig['accepted'] * 4 if active else 0,
            'Discarded': 0,
            'Stale': 0,
            'Get Failures': 0,
            'Remote Failures': 0,
            'User': pool.get('user', ''),
            'Last Share Time': int(ctx.now) - 7 if active else 0,
            'Diff1 Shares': 0,
            'Proxy Type': '',
            'Proxy': '',
            'Difficulty Accepted': float(fig['accepted'] * 65536) if active else 0.0,
            'Difficulty Rejected': 0.0,
            'Difficulty Stale': 0.0,
            'Last Share Difficulty': 65536.0 if active else 0.0,
            'Work Difficulty': 65536.0 if active else 0.0,
            'Has Stratum': 1,
            'Stratum Active': active,
            'Stratum URL': _stratum_host(pool['url']) if active else '',
            'Stratum Difficulty': 65536.0 if active else 0.0,
            'Best Share': fig['accepted'] * 131072 if active else 0,
            'Pool Rejected%': 0.0,
            'Pool Stale%': 0.0,
            'Bad Work': 0,
            'Current Block Height': 880000 + int(ctx.now // 600) % 100000 if active else 0,
            'Current Block Version': 536870916,
        })
        priority += 1
    return entries


def pools(ctx):
    """Configured pools: URL, User, Priority (passwords are never readable)."""
    entries = _pool_entries(ctx)
    if ctx.flavor == '2022':
        return render.cgminer(ctx.now, 7, '%d Pool(s)' % len(entries), 'POOLS', entries)
    return render.flat(ctx.now, {'POOLS': render.new_style(entries)})


def _board_entries(ctx):
    fig = ctx.figures
    identity = ctx.miner.identity
    new = ctx.flavor == '2025'
    scale = 1.0 if new else 1e6
    entries = []
    for board in fig['boards']:
        entries.append({
            'ASC': board['slot'],
            'Slot': board['slot'],
            'Enabled': 'Y',
            'Status': 'Alive',
            'Temperature': render.two(board['temp']),
            'Chip Frequency': board['freq'],
            'MHS av': render.two(board['ths_av'] * scale),
            'MHS 5s': render.two(board['ths_5s'] * scale),
            'MHS 1m': render.two(board['ths_1m'] * scale),
            'MHS 5m': render.two(board['ths_5m'] * scale),
            'MHS 15m': render.two(board['ths_15m'] * scale),
            'HS RT': render.two(board['ths_5m'] * scale),
            'HS Factory': render.two(board['factory_ghs'] / 1000.0) if new else board['factory_ghs'],
            'Accepted': board['accepted'],
            'Rejected': 0,
            'Last Valid Work': int(ctx.now) - board['slot'] if fig['mining'] else 0,
            'Upfreq Complete': 1 if fig['hash_stable'] else 0,
            'Effective Chips': board['chips'],
            'PCB SN': board['pcb_sn'],
            'Chip Data': identity.spec['chip'],
            'Chip Temp Min': render.two(board['chip_min']),
            'Chip Temp Max': render.two(board['chip_max']),
            'Chip Temp Avg': render.two(board['chip_avg']),
            'chip_vol_diff': 9,
        })
    return entries


def edevs(ctx):
    """Per hash board figures (MH/s on 2022, TH/s on 2025 under the same key names)."""
    entries = _board_entries(ctx)
    if ctx.flavor == '2022':
        return render.cgminer(ctx.now, 9, '%d ASC(s)' % len(entries), 'DEVS', entries)
    return render.flat(ctx.now, {'DEVS': render.new_style(entries)})


def devdetails(ctx):
    """Hash board details on 2022; deprecated (132) on 2025."""
    if ctx.flavor == '2025':
        return render.error(ctx.now, 132, 'This command is deprecated.')
    model = ctx.miner.identity.model
    items = [{'DEVDETAILS': slot, 'Name': 'SM', 'ID': slot, 'Driver': 'bitmicro', 'Kernel': '', 'Model': model}
             for slot in range(ctx.miner.identity.spec['boards'])]
    return render.cgminer(ctx.now, 69, 'Device Details', 'DEVDETAILS', items)


def get_psu(ctx):
    """Power supply facts; 2.0.x firmware spells the vendor key ``vender``."""
    fig = ctx.figures
    identity = ctx.miner.identity
    vin = 22400
    iin = int(round(fig['power'] / (vin / 100.0) * 1000)) if fig['mining'] else 120
    msg = {
        'name': identity.spec['psu'],
        'hw_version': 'V01.00',
        'sw_version': 'V01.00.V01.03',
        'model': identity.spec['psu'],
        'iin': str(iin),
        'vin': str(vin),
        'fan_speed': str(fig['psu_fan']),
        'version': '-1',
        'serial_no': identity.powersn,
        'vender' if ctx.quirky else 'vendor': identity.psu_vendor,
        'temp0': '%.1f' % (fig['env_temp'] + 8.5),
    }
    return render.flat(ctx.now, msg)


def get_version(ctx):
    """API and firmware version; 2025 also names the miner type."""
    identity = ctx.miner.identity
    msg = {
        'api_ver': API_VERSIONS[ctx.flavor],
        'fw_ver': ctx.settings['firmware_version'],
        'platform': identity.spec['platform'],
        'chip': identity.spec['chip_id'],
    }
    if ctx.flavor == '2025':
        msg['miner_type'] = identity.model
    return render.flat(ctx.now, msg)


def status(ctx):
    """Mining on/off, firmware, power mode, target frequency percent (and more on 2025)."""
    settings = ctx.settings
    off = 'false' if settings['mining'] else 'true'
    if ctx.flavor == '2022':
        msg = {
            'btmineroff': off,
            'Firmware Version': ctx.firmware_quoted,
            'power_mode': settings['power_mode'],
            'hash_percent': str(settings['target_freq_pct']),
        }
    else:
        msg = {
            'mineroff': off,
            'FirmwareVersion': settings['firmware_version'],
            'power_mode': settings['power_mode'].lower(),
            'power_limit_set': str(settings['power_limit']),
            'hash_percent': str(settings['target_freq_pct']),
            'power_pct': str(settings['power_pct']),
        }
    return render.flat(ctx.now, msg)


def get_miner_info(ctx):
    """Network, hostname, MAC, LED state and serial numbers, filtered by ``info``."""
    settings = ctx.settings
    identity = ctx.miner.identity
    values = {
        'ip': settings['ip'],
        'proto': settings['net_proto'],
        'netmask': settings['netmask'],
        'gateway': settings['gateway'],
        'dns': settings['dns'],
        'hostname': settings['hostname'],
        'mac': identity.mac,
        'ledstat': 'auto' if settings['led_mode'] == 'auto' else 'manual',
        'minersn': identity.minersn,
        'powersn': identity.powersn,
    }
    known = list(MINER_INFO_FIELDS)
    if ctx.flavor == '2025':
        values['upfreq_speed'] = str(settings['upfreq_speed'])
        known.append('upfreq_speed')
    wanted = ctx.request.get('info', ctx.request.get('parameter'))
    if isinstance(wanted, str) and wanted.strip():
        names = [name.strip() for name in wanted.split(',') if name.strip()]
    else:
        names = known
    msg = {name: values[name] for name in names if name in values}
    return render.flat(ctx.now, msg)


def get_error_code(ctx):
    """Error codes with their time stamps (invalid JSON on 2.0.x firmware)."""
    return render.error_codes(ctx.now, ctx.settings['error_codes'], ctx.quirky)


READS = {
    'summary': summary,
    'pools': pools,
    'edevs': edevs,
    'devs': edevs,
    'devdetails': devdetails,
    'get_psu': get_psu,
    'get_version': get_version,
    'status': status,
    'get_miner_info': get_miner_info,
    'get_error_code': get_error_code,
}


def is_read(name):
    """True for a read command or a join of read commands."""
    parts = str(name).split('+')
    return all(part in READS for part in parts)


def run(ctx, name):
    """Reply text of a read command or of a join (``summary+pools``)."""
    parts = name.split('+')
    if len(parts) == 1:
        return READS[name](ctx)
    return render.join([(part, READS[part](ctx)) for part in parts])
