# -*- coding: utf-8 -*-
"""The log archive that download_logs streams: a real .tgz built in memory.

Why: clients must handle the ``logfilelen`` header followed by raw bytes on the same socket,
and tests want to open the archive and find the miner's own settings in it.
"""

from __future__ import annotations

import io
import tarfile
import time


def _add(archive, name, text, mtime):
    data = text.encode('utf-8')
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


def build_archive(miner, now):
    """Bytes of a gzip-compressed tar with a few log files describing the miner."""
    settings = miner.settings
    identity = miner.identity
    stamp = time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(now))
    pools = '\n'.join('%s pool%d url=%s user=%s' % (stamp, index + 1, pool['url'], pool['user'])
                      for index, pool in enumerate(settings['pools']))
    btminer = '\n'.join([
        '%s btminer: model %s, firmware %s' % (stamp, identity.model, settings['firmware_version']),
        '%s btminer: power mode %s, power limit %s W, target freq %s%%' % (
            stamp, settings['power_mode'], settings['power_limit'], settings['target_freq_pct']),
        '%s btminer: mining %s, fast boot %s, upfreq speed %s' % (
            stamp, 'on' if settings['mining'] else 'off', 'enable' if settings['fast_boot'] else 'disable',
            settings['upfreq_speed']),
        pools,
    ])
    system = '\n'.join([
        '%s system: hostname %s, mac %s, serial %s' % (stamp, settings['hostname'], identity.mac, identity.minersn),
        '%s network: %s ip %s netmask %s gateway %s dns %s' % (
            stamp, settings['net_proto'], settings['ip'], settings['netmask'], settings['gateway'], settings['dns']),
        '%s system: timezone %s (%s), syslog %s:%s/%s' % (
            stamp, settings['timezone'], settings['zonename'], settings['syslog_ip'], settings['syslog_port'],
            settings['syslog_proto']),
    ])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w:gz') as archive:
        _add(archive, 'logs/btminer.log', btminer + '\n', now)
        _add(archive, 'logs/messages', system + '\n', now)
        _add(archive, 'logs/api.log', '%s api: log export for %s\n' % (stamp, miner.host), now)
    return buffer.getvalue()
