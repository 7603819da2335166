# -*- coding: utf-8 -*-
"""Deterministic identity of one simulated miner (model, serial numbers, MAC, hostname, PSU).

Why: tests and playbooks need stable facts to assert on; the same host and seed always give
the same miner, across simulator restarts, whatever order the fleet is listed in.
"""

from __future__ import annotations

import hashlib

# Nominal figures of each model in normal power mode (air-cooled machines only support
# underclocking with set_target_freq).
MODELS = {
    'M30S+VE40': {
        'ths': 100.0, 'watts': 3400, 'max_watts': 3600, 'boards': 3, 'chips': 156, 'freq': 590,
        'psu': 'P221B', 'chip': 'K88Z347-2039 BINV01-195001D', 'chip_id': 'K88Z001-2039 BINV01-195001B',
        'platform': 'H6OS', 'cooling': 'air',
    },
    'M50VH20': {
        'ths': 114.0, 'watts': 3306, 'max_watts': 3500, 'boards': 3, 'chips': 105, 'freq': 480,
        'psu': 'P221C', 'chip': 'K89Z102-2211 BINV02-194001A', 'chip_id': 'K89Z001-2211 BINV02-194001A',
        'platform': 'H616', 'cooling': 'air',
    },
    'M60SVK30': {
        'ths': 172.0, 'watts': 3344, 'max_watts': 3600, 'boards': 3, 'chips': 111, 'freq': 560,
        'psu': 'P521', 'chip': 'K9XZ205-2342 BINV03-192001C', 'chip_id': 'K9XZ001-2342 BINV03-192001C',
        'platform': 'H616', 'cooling': 'air',
    },
}

MODEL_NAMES = sorted(MODELS)
_SN_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'


class Identity:
    """Facts that never change for one miner slot."""

    def __init__(self, host, seed=0):
        self.host = host
        self.seed = seed
        self._digest = hashlib.sha256(('wmsim|%s|%s' % (seed, host)).encode('utf-8')).digest()
        self.model = MODEL_NAMES[self._digest[0] % len(MODEL_NAMES)]
        self.spec = dict(MODELS[self.model])
        octets = host.split('.')
        if len(octets) == 4 and octets[2] == '0':
            self.hostname = 'WhatsMiner-%02d' % int(octets[3])
        elif len(octets) == 4:
            self.hostname = 'WhatsMiner-%s-%02d' % (octets[2], int(octets[3]))
        else:
            self.hostname = 'WhatsMiner'
        self.mac = 'C6:07:20:%02X:%02X:%02X' % (self._digest[1], self._digest[2], self._digest[3])
        self.minersn = 'HE' + self._code(4, 18)
        self.powersn = 'A' + ''.join(str(byte % 10) for byte in self._digest[10:25])
        self.pcb_sns = ['HEM1EP9C4%s%d' % (self._code(12, 10), slot) for slot in range(self.spec['boards'])]
        # Factory hash rate varies a little from machine to machine (in GH/s).
        self.factory_ghs = int(self.spec['ths'] * 1000 * (0.97 + (self._digest[26] % 60) / 1000.0))
        # How long the miner had been up when the simulator first saw it (1 h .. ~12 days).
        self.initial_uptime = 3600 + int.from_bytes(self._digest[27:30], 'big') % (12 * 86400)
        self.psu_vendor = str(self._digest[30] % 9 + 1)

    def _code(self, offset, length):
        """A run of serial-number characters taken from the digest."""
        return ''.join(_SN_ALPHABET[self._digest[(offset + i) % 32] % len(_SN_ALPHABET)] for i in range(length))

    def number(self, label, modulo):
        """A stable pseudo-random integer in [0, modulo) for the given label."""
        digest = hashlib.sha256(('%s|%s|%s' % (self.seed, self.host, label)).encode('utf-8')).digest()
        return int.from_bytes(digest[:8], 'big') % modulo

    def as_dict(self):
        """Plain description (for the control channel and README examples)."""
        return {
            'host': self.host, 'model': self.model, 'hostname': self.hostname, 'mac': self.mac,
            'minersn': self.minersn, 'powersn': self.powersn, 'pcb_sns': list(self.pcb_sns),
            'factory_ghs': self.factory_ghs, 'psu': self.spec['psu'],
        }
