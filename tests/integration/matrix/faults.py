# -*- coding: utf-8 -*-
"""Faults of the matrix, one row each, and the expected outcome of every family under it.

A fault row says how the simulator (or the inventory) is set up for that miner:
``kind``/``target``/``count``/``seconds`` are a simulator fault (several kinds at once for
the repairable quirks; ``target`` ``all``: every command; ``write``: the first write command
of the family, see families.py), ``password`` a wrong admin password in the inventory,
``settings`` a simulator behaviour switch, ``served=False`` a miner address where nothing
listens, ``args`` task options for that miner only (a short client timeout where the fault
is a delay, a short wait where the miner never comes back). ``families``: ``all``,
``writers`` (faults of the write path mean nothing to a read-only family),
``restarting`` (faults of restarts) or a tuple of family names.

EXPECT gives per fault a default and per-family exceptions: ``ok`` (the task converges), or
``failed`` with the error ``kind`` the result must carry and a ``phrase`` its message must
contain. Every cell is also checked for: the miner address in a failure message, no traceback,
``changed`` only with a real change, and no half-applied state (see runner.py).
"""

from __future__ import annotations

#: Client timeout of the miners whose fault is a delay or silence, and the delay that
#: exceeds it. The other miners keep the default timeout (10 s), so that a loaded test
#: machine does not turn a slow reply into a false failure.
TIMEOUT = 6
DELAY = 14
#: wait_timeout of the miners that never come back (the others wait up to families.WAIT_TIMEOUT).
SHORT_WAIT = 5


class Fault:
    """One row: how a miner is made faulty."""

    # pylint: disable=too-many-arguments
    def __init__(self, name, kind=None, target='all', count=None, seconds=None, password=None, settings=None,
                 served=True, args=None, families='all', image_bytes=None, note=''):
        self.name = name
        self.kinds = (kind,) if isinstance(kind, str) else tuple(kind or ())
        self.target = target
        self.count = count
        self.seconds = seconds
        self.password = password
        self.settings = settings or {}
        self.served = served
        self.args = args or {}
        self.families = families
        self.image_bytes = image_bytes
        self.note = note

    def commands(self, family):
        """Command names the simulator fault applies to (None: all)."""
        if self.target == 'all':
            return None
        return list(family.writes[:1]) or ['-none-']

    def applies(self, family):
        if isinstance(self.families, tuple):
            return family.name in self.families
        if self.families == 'writers':
            return bool(family.writes)
        if self.families == 'restarting':
            return family.restarting
        return True

    def task_args(self, family, args):
        """The family's arguments with this fault's overrides (only options it has)."""
        args = dict(args)
        for name, value in self.args.items():
            if name == 'timeout' or name in args:
                args[name] = value
        return args


WRONG_PASSWORD = 'wrong_pw9'

FAULTS = (
    Fault('none', note='no fault; restarting writes close the connection without a reply (simulator default)'),
    Fault('drop', 'drop', note='every connection closed without a reply'),
    Fault('drop_write', 'drop', target='write', families='writers',
          note='the reply to the write is lost (the write is applied)'),
    Fault('delay', 'delay', seconds=DELAY, args={'timeout': TIMEOUT},
          note='every reply %ss late (timeout %ss)' % (DELAY, TIMEOUT)),
    Fault('delay_write', 'delay', target='write', seconds=DELAY, args={'timeout': TIMEOUT}, families='writers',
          note='the reply to the write %ss late (timeout %ss; the write is applied)' % (DELAY, TIMEOUT)),
    Fault('garbage', 'garbage', note='random bytes instead of every reply'),
    Fault('truncated', 'truncated', note='every reply cut in half'),
    Fault('quirks', ('trailing_nul', 'trailing_comma', 'newline'),
          note='every reply ends in ",}" followed by a NUL byte and a newline'),
    Fault('token_expired_once', 'token_expired', count=1, families='writers', note='one 135 check token err'),
    Fault('token_expired', 'token_expired', families='writers', note='135 check token err on every encrypted request'),
    Fault('token_full', 'token_full', families='writers', note='136 over max connect on get_token'),
    Fault('write_off', 'write_off', note='write API switched off'),
    Fault('wrong_password', password=WRONG_PASSWORD, note='wrong admin password (code 23)'),
    Fault('silent_wrong_password', 'silent_wrong_password', password=WRONG_PASSWORD,
          args={'timeout': TIMEOUT, 'wait_timeout': SHORT_WAIT},
          families='writers', note='wrong admin password answered with silence (older firmware)'),
    Fault('btminer_down', 'btminer_down', note='"Socket connect failed" to every command'),
    Fault('never_returns', 'never_returns', args={'wait_timeout': SHORT_WAIT}, families='restarting',
          note='down for good after the next restarting write'),
    Fault('unreachable', served=False, note='nothing listens at the address'),
    Fault('reply_before_restart', settings={'reply_before_restart': True}, families='restarting',
          note='restarting writes answered before the restart'),
    Fault('upload_interrupted', 'upload_interrupted', families=('firmware',), image_bytes=16 * 1024 * 1024,
          note='the miner resets the connection half way through the firmware upload (a 16 MB image: a smaller '
               'one fits in the socket buffers and the reset arrives after the client sent everything)'),
    Fault('boots_old_version', 'boots_old_version', families=('firmware',),
          note='the upload is accepted, the board reboots into the old firmware'),
)

BY_NAME = {fault.name: fault for fault in FAULTS}


class Expect:
    """What a cell must end in."""

    def __init__(self, outcome, kind=None, phrase=None):
        self.outcome = outcome
        self.kind = kind
        self.phrase = phrase

    def __repr__(self):
        if self.outcome == 'ok':
            return 'ok'
        return 'failed %s: %s' % (self.kind, self.phrase)


OK = Expect('ok')
CLOSED = Expect('failed', 'closed', 'closed without a reply')
DELAYED = Expect('failed', 'timeout', 'no reply within')
PROTOCOL = Expect('failed', 'protocol', 'not valid JSON')
TOKEN_REFUSED = Expect('failed', 'token_expired', 'token refused')
TOKEN_FULL = Expect('failed', 'token_limit', 'token table full')
WRITE_OFF = Expect('failed', 'write_disabled', 'write API is switched off')
WRONG = Expect('failed', 'auth', 'miner password is wrong')
SILENT = Expect('failed', 'auth', 'check the password option')
NO_REPLY = Expect('failed', 'auth', 'may have applied the write')
BTMINER_DOWN = Expect('failed', 'btminer_down', 'btminer is not running')
NEVER_BACK = Expect('failed', 'timeout', 'did not answer again')
UNREACHABLE = Expect('failed', 'unreachable', 'connection refused')

#: fault -> {'*': default, family: exception}
EXPECT = {
    'none': {'*': OK},
    'drop': {'*': CLOSED},
    # streams (logs, firmware) lose their "ready" or header: nothing was transferred
    'drop_write': {'*': OK, 'logs': CLOSED, 'firmware': CLOSED},
    'delay': {'*': DELAYED},
    # silence after a delivered write: verified by reading back where a setting of the write
    # is readable, otherwise a failure that says the write may have been applied
    'delay_write': {'*': OK, 'logs': SILENT, 'firmware': SILENT, 'command': NO_REPLY, 'tuning': NO_REPLY,
                    'system': NO_REPLY},
    'garbage': {'*': PROTOCOL},
    'truncated': {'*': PROTOCOL},
    'quirks': {'*': OK},
    'token_expired_once': {'*': OK},
    'token_expired': {'*': TOKEN_REFUSED, 'facts': OK},
    'token_full': {'*': TOKEN_FULL, 'facts': OK},
    'write_off': {'*': WRITE_OFF, 'facts': OK},
    'wrong_password': {'*': WRONG, 'facts': OK,
                       'password': Expect('failed', 'auth', 'accepts neither new_password nor password')},
    'silent_wrong_password': {'*': SILENT},
    'btminer_down': {'*': BTMINER_DOWN, 'facts': OK,
                     'password': Expect('failed', 'btminer_down', 'btminer is not answering')},
    'never_returns': {'*': NEVER_BACK, 'firmware': Expect('failed', 'timeout', 'the outcome of the upgrade')},
    'unreachable': {'*': UNREACHABLE},
    'reply_before_restart': {'*': OK},
    'upload_interrupted': {'*': Expect('failed', 'not_applied', 'the upload was interrupted')},
    'boots_old_version': {'*': Expect('failed', 'not_applied', 'came back on its old firmware')},
}


#: API v3 (the ``v3`` flavour) where it differs: its log download is a read (no password, no
#: token), its errors have their own words.
V3_EXPECT = {
    'token_expired': {'*': Expect('failed', 'token_expired', 'refused the token as expired'), 'logs': OK},
    'write_off': {'*': Expect('failed', 'write_disabled', 'no permission'), 'logs': OK},
    'wrong_password': {'logs': OK},
    'silent_wrong_password': {'logs': OK},
}
#: Faults of the v3 matrix: those aimed at every command (the ones aimed at "the write" name
#: v2 commands) that the simulator implements on API v3 (no repairable quirks: v3 is framed;
#: no token table: no 136).
V3_FAULTS = ('none', 'drop', 'delay', 'garbage', 'truncated', 'token_expired', 'write_off', 'wrong_password',
             'silent_wrong_password', 'btminer_down', 'never_returns', 'unreachable', 'upload_interrupted',
             'boots_old_version')


def expect(fault, family, flavor=None):
    """The family's own entry (v3 table first), else the fault's default (v3 table first)."""
    tables = ((V3_EXPECT.get(fault.name, {}),) if flavor == 'v3' else ()) + (EXPECT[fault.name],)
    for key in (family.name, '*'):
        for table in tables:
            if key in table:
                return table[key]
    raise KeyError(fault.name)


#: The inventory plugin's scan (reads only) per fault: ``discovered`` (a host of the inventory)
#: or the reason it counts the address as skipped. A miner whose btminer is down answers, so it
#: is discovered (by its address: it cannot tell its hostname).
INVENTORY_EXPECT = {
    'none': 'discovered', 'drop': 'closed', 'delay': 'timeout', 'garbage': 'protocol', 'truncated': 'protocol',
    'quirks': 'discovered', 'token_full': 'discovered', 'write_off': 'discovered',
    'silent_wrong_password': 'discovered', 'btminer_down': 'discovered', 'unreachable': 'absent',
}
