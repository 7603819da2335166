# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors of the WhatsMiner client.

Why typed: an operator facing 2,000 failed hosts needs to know at a glance whether a miner
is unreachable, has the wrong password, has its write API switched off or ran out of
tokens. Every error carries the miner address, the API code when there is one, and a hint
that says what to do. Plugins turn these into ``failed`` results; nothing here knows Ansible.
"""

from __future__ import annotations


class WhatsminerError(Exception):
    """Base class: a failure talking to one miner."""

    kind = 'error'
    default_hint = ''

    def __init__(self, message, miner=None, code=None, hint=None, command=None):
        super().__init__(message)
        self.message = message
        self.miner = miner
        self.code = code
        self.command = command
        self.hint = self.default_hint if hint is None else hint

    def __str__(self):
        parts = []
        if self.miner:
            parts.append('miner %s' % self.miner)
        if self.command:
            parts.append('command %s' % self.command)
        text = self.message
        if self.code is not None:
            text = '%s (API code %s)' % (text, self.code)
        if parts:
            text = '%s: %s' % (', '.join(parts), text)
        if self.hint:
            text = '%s. %s' % (text.rstrip('.'), self.hint)
        return text

    def as_dict(self):
        """Machine-readable form for task results (``error`` key)."""
        return {
            'kind': self.kind,
            'miner': self.miner,
            'code': self.code,
            'command': self.command,
            'message': self.message,
            'hint': self.hint,
        }


class ConnectError(WhatsminerError):
    """The TCP connection could not be made (refused, unreachable, connect timeout)."""

    kind = 'unreachable'
    default_hint = ('Check that the miner is powered, on the network and that its API port '
                    'is reachable from the controller')
    port_hint = ('Check that the miner is powered, on the network and that TCP port '
                 '{port} is reachable from the controller')


class DeadlineError(WhatsminerError):
    """No (complete) reply within a deadline; ``phase`` says which one."""

    kind = 'timeout'

    def __init__(self, message, phase, **kwargs):
        self.phase = phase
        super().__init__(message, **kwargs)

    def as_dict(self):
        data = super().as_dict()
        data['phase'] = self.phase
        return data


class ClosedError(WhatsminerError):
    """The miner closed the connection without sending a reply."""

    kind = 'closed'
    default_hint = 'The miner may be restarting; retry once it answers reads again'


class ProtocolError(WhatsminerError):
    """The reply could not be understood (garbage, truncated JSON beyond repair)."""

    kind = 'protocol'
    default_hint = 'The reply was not valid JSON even after the known repairs'


class BtminerDownError(WhatsminerError):
    """The API front end answers, but btminer behind it is not running."""

    kind = 'btminer_down'
    default_hint = ('btminer is not running (stopped, restarting or crashed); wait for it '
                    'to start or restart it with minerops.whatsminer.whatsminer_reboot')


class AuthError(WhatsminerError):
    """Wrong admin password (code 23, or silence right after a token on old firmware)."""

    kind = 'auth'
    default_hint = ('The miner password is wrong: set the password option or the '
                    'whatsminer_password host variable to the miner\'s password')


class NoReplyError(AuthError):
    """An encrypted request was delivered with a fresh token and no reply came in time.

    Older firmware answers a wrong admin password like this, but so does an overloaded miner,
    which may have applied the write: the outcome is unknown. Callers that can read the
    setting back do so (and succeed when it was applied); the others fail with this error,
    whose ``error`` data says ``outcome: unknown``.
    """

    default_hint = ('Older firmware answers a wrong miner password with silence: check the password option / '
                    'whatsminer_password host variable. If the password is right, the miner is overloaded and '
                    'may have applied the write: run the task again to find out')

    def as_dict(self):
        data = super().as_dict()
        data['outcome'] = 'unknown'
        return data


class WriteDisabledError(WhatsminerError):
    """The miner's write-API switch is off."""

    kind = 'write_disabled'
    default_hint = ('The write API is switched off on this miner: enable it once with '
                    'WhatsMinerTool (change the default password, then tick "API" / '
                    '"Enable API"); factory_reset turns it off again')


class TokenLimitError(WhatsminerError):
    """Code 136: this controller holds 32 live tokens on the miner (or 16 clients)."""

    kind = 'token_limit'
    default_hint = ('The miner\'s token table is full for this controller (32 tokens per '
                    'client address, each alive 30 minutes, 16 client addresses). It frees '
                    'within 30 minutes; stop other tools that fetch a token per write')


class TokenExpiredError(WhatsminerError):
    """Code 135: the sign is expired or unknown (handled inside the client)."""

    kind = 'token_expired'
    default_hint = 'The token expired and a fresh one was also refused'


class UnsupportedError(WhatsminerError):
    """The firmware does not know or no longer supports this command."""

    kind = 'unsupported'
    default_hint = 'This firmware does not support the command'


class CommandError(WhatsminerError):
    """The miner rejected the command (code 14 with data, 132, 45 ...)."""

    kind = 'command'


class ValidationError(WhatsminerError):
    """Bad input detected before anything was sent."""

    kind = 'validation'
