# -*- coding: utf-8 -*-
"""Module families of the fault matrix: one row each.

A row says which module runs, with which arguments (a desired state that differs from the
simulator's defaults, so every family has something to write), which API v2 commands carry
its change (faults aimed at "the write" hit the first of them) and where the simulator shows
the result:

- ``keys``: simulator state keys and their desired values. After a run the miner's state is
  classified per key as old (as before), new (as desired) or other, and as a whole as
  ``old``, ``new`` or ``partial``;
- ``evidence='restart'``: no setting changes; the miner rebooted (``writes_applied`` grew) is
  ``new``;
- ``evidence='file'``: nothing changes on the miner; a complete archive in ``dest`` is
  ``new``, nothing is ``old``, a stray partial file is ``partial``;
- ``evidence='none'``: read-only, the state must stay ``old``.

``idempotent=False``: the raw command module reports every write it sends as a change.
``partial_ok`` marks families whose task sends several independent writes (each restarting
the miner): a failure between two of them leaves the first applied, which the task must then
disclose (``changed`` or a command with an ``unknown`` outcome). Pools are one write and must
never be partial.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

DESIRED_POOLS = [
    {'url': 'stratum+tcp://mx-a.pool.example:3333', 'user': 'mx.a', 'password': 'x'},
    {'url': 'stratum+ssl://mx-b.pool.example:443', 'user': 'mx.b', 'password': 'x'},
    {'url': 'stratum+tcp://mx-c.pool.example:25', 'user': 'mx.c', 'password': 'x'},
]
NEW_ADMIN_PASSWORD = 'Mx_rot8'
WAIT_TIMEOUT = 30


class Family:
    """One module family."""

    # pylint: disable=too-many-arguments
    def __init__(self, name, module, args, writes=(), keys=None, evidence='keys', restarting=False,
                 partial_ok=False, idempotent=True, note=''):
        self.name = name
        self.module = module
        self._args = args
        self.writes = tuple(writes)
        self._keys = keys
        self.evidence = evidence if keys is None else 'keys'
        self.restarting = restarting
        self.partial_ok = partial_ok
        self.idempotent = idempotent
        self.note = note

    @property
    def fqcn(self):
        return 'minerops.whatsminer.%s' % self.module

    def available(self):
        """The module exists in this tree (rows may be written before a module lands)."""
        return (ROOT / 'plugins' / 'modules' / (self.module + '.py')).exists()

    def args(self, cell):
        return self._args(cell) if callable(self._args) else dict(self._args)

    def keys(self, cell):
        if self._keys is None:
            return {}
        return self._keys(cell) if callable(self._keys) else dict(self._keys)


def _pools_state():
    return [{'url': p['url'], 'user': p['user'], 'passwd': p['password']} for p in DESIRED_POOLS]


#: Firmware the matrix installs, per flavour (a 2022-era version keeps a 2022 miner's flavour).
FIRMWARE = {'2022': '20220601.11.Rel', '2025': '20250301.10.Rel', 'v3': '20250701.02.Rel'}


def _firmware_args(cell):
    return {'src': cell['image'], 'version': FIRMWARE[cell['flavor']], 'wait_timeout': WAIT_TIMEOUT}


def _network_args(cell):
    return {'ip': cell['new_ip'], 'netmask': '255.0.0.0', 'gateway': '127.0.0.1', 'dns': ['127.0.0.1'],
            'wait_timeout': WAIT_TIMEOUT}


FAMILIES = (
    Family('facts', 'whatsminer_facts', {'gather_subset': ['all']}, evidence='none',
           note='read-only: every read once'),
    Family('pools', 'whatsminer_pools', {'pools': DESIRED_POOLS}, writes=('update_pools',),
           keys={'pools': _pools_state()}, note='one update_pools carrying all three slots'),
    Family('power', 'whatsminer_power', {'mode': 'low', 'power_limit': 3000, 'wait_timeout': WAIT_TIMEOUT},
           writes=('set_low_power', 'adjust_power_limit'), keys={'power_mode': 'Low', 'power_limit': 3000},
           restarting=True, partial_ok=True, note='two restarting writes, waited for and verified'),
    Family('tuning', 'whatsminer_tuning', {'temp_offset': -5, 'fast_boot': True},
           writes=('set_temp_offset', 'enable_btminer_fast_boot'), keys={'temp_offset': -5, 'fast_boot': True},
           partial_ok=True, note='a write-only and a readable setting'),
    Family('password', 'whatsminer_password', {'new_password': NEW_ADMIN_PASSWORD}, writes=('update_pwd',),
           keys={'password': NEW_ADMIN_PASSWORD}, note='probe, update_pwd, proof'),
    Family('reboot', 'whatsminer_reboot', {'target': 'board', 'wait_timeout': WAIT_TIMEOUT}, writes=('reboot',),
           evidence='restart', restarting=True, note='board reboot, verified by the uptime'),
    Family('logs', 'whatsminer_logs', lambda cell: {'dest': cell['logs_dir']}, writes=('download_logs',),
           evidence='file', note='streamed archive, length-checked'),
    Family('command', 'whatsminer_command', {'command': 'set_hostname', 'params': {'hostname': 'mx-renamed'}},
           writes=('set_hostname',), keys={'hostname': 'mx-renamed'}, idempotent=False,
           note='escape hatch, a plain write (changed whenever a write is sent, like ansible.builtin.command)'),
    Family('network', 'whatsminer_network', _network_args, writes=('net_config',),
           keys=lambda cell: {'ip': cell['new_ip'], 'net_proto': 'static'}, restarting=True,
           note='static address: the board reboots and the miner moves to the new address'),
    Family('system', 'whatsminer_system', {'timezone': 'UTC0', 'zonename': 'UTC', 'web_pools': False},
           writes=('set_zone', 'disable_web_pools'), keys={'timezone': 'UTC0', 'zonename': 'UTC', 'web_pools': False},
           partial_ok=True, note='write-only settings'),
    Family('led', 'whatsminer_led', {'mode': 'manual'}, writes=('set_led',),
           keys={'led_mode': 'manual', 'led_color': 'red', 'led_period': 1000, 'led_duration': 500},
           note='manual pattern (mode readable, pattern write-only), one set_led'),
    Family('firmware', 'whatsminer_firmware', _firmware_args, writes=('update_firmware',),
           keys=lambda cell: {'firmware_version': FIRMWARE[cell['flavor']]}, restarting=True,
           note='streamed image, board reboot, version read back'),
)

BY_NAME = {family.name: family for family in FAMILIES}


def available():
    """The families whose module exists in this tree."""
    return [family for family in FAMILIES if family.available()]
