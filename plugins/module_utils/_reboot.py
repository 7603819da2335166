# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restarting a miner (``whatsminer_reboot``) and waiting for a restart to really happen.

Why a restart is verified: after ``reboot`` or ``restart_btminer`` the miner often closes the
connection at once but keeps answering reads for a moment before it goes down. A client that
only waits "until the API answers" may catch that moment and report a restart that has not
happened yet. So after the API answers, the restart counter is read (summary ``Uptime`` for
the board, ``Elapsed`` for btminer): it must be no larger than the time since the command was
sent. Until it is, the wait goes on (bounded by ``wait_timeout``).

``factory_reset`` restores the network (DHCP), the password (``admin``), removes the pools and
switches the write API off. It is refused unless ``confirm`` holds the exact sentence below.
Afterwards the controller forgets its token and its last-applied record of the miner (they
describe a configuration that no longer exists), and the wait covers reads only: writes stay
refused until someone enables the API with WhatsMinerTool.
"""

from __future__ import annotations

import time

from . import _values as v
from ._applied import AppliedStore
from ._errors import BtminerDownError, DeadlineError, NoReplyError, UnsupportedError, ValidationError, WhatsminerError
from .whatsminer import CONNECTION_SPEC, WAIT_SPEC, client_from_params

CONFIRM_FACTORY_RESET = 'I understand this resets the password and disables the write API'

REBOOT_SPEC = dict(CONNECTION_SPEC)
REBOOT_SPEC.update(WAIT_SPEC)
REBOOT_SPEC.update({
    'target': {'type': 'str', 'default': 'board', 'choices': ['board', 'btminer']},
    'factory_reset': {'type': 'bool', 'default': False},
    'confirm': {'type': 'str'},
})

COMMANDS = {'board': 'reboot', 'btminer': 'restart_btminer'}
#: The summary counter that restarts from zero with each kind of restart.
COUNTERS = {'board': 'Uptime', 'btminer': 'Elapsed'}
#: Seconds of slack when comparing the miner's counter with the controller's clock.
SLACK = 1.0

FACTORY_RESET_WARNING = ('{miner} was reset to factory settings: the password is the factory default again, the write API '
                         'is switched off (enable it with WhatsMinerTool before any other module can write), the pools '
                         'are removed and the network is back on DHCP, so the miner may come back at another address')


def wait_for_restart(client, restarts, sent_at, timeout, monotonic=time.monotonic, sleep=time.sleep):
    """Wait until the miner answers reads again after a write that restarts ``restarts``
    (``board`` or ``btminer``) sent at ``sent_at`` (monotonic seconds).

    Returns ``(seconds since sent_at, verified)``: ``verified`` is False when the restart
    counter could not be read (mining stopped on firmware that then refuses summary). Raises
    DeadlineError when the miner does not answer, or answers without having restarted, within
    ``timeout`` seconds of ``sent_at``.
    """
    field = COUNTERS[restarts]
    deadline = sent_at + timeout
    delay = 0.5
    while True:
        client.wait_until_up(max(deadline - monotonic(), 0.1))
        counter, readable = _counter(client, field)
        now = monotonic()
        if readable and counter is None:
            return now - sent_at, False
        if counter is not None and counter <= now - sent_at + SLACK:
            return now - sent_at, True
        if now >= deadline:
            if counter is None:
                raise DeadlineError('the miner did not answer steadily within %ss' % timeout, phase='restart',
                                    miner=client.miner,
                                    hint='Raise wait_timeout if this model restarts slowly, or check the miner')
            exc = DeadlineError('the miner answers but has not restarted: its %s is %ss, longer than the %.0fs since '
                                'the command was sent' % (field, int(counter), now - sent_at),
                                phase='restart', miner=client.miner,
                                hint='The command was sent but apparently not carried out; check the miner')
            exc.restarted = False
            raise exc
        sleep(min(delay, max(deadline - now, 0.1)))
        delay = min(delay * 1.6, 5.0)


def _counter(client, field):
    """``(seconds, readable)``: the restart counter, ``(None, True)`` when this miner does not
    report it right now (btminer stopped on firmware that then refuses summary, while status
    answers), ``(None, False)`` when the miner went away again (still restarting)."""
    try:
        return v.to_float(client.read('summary').record('SUMMARY').get(field)), True
    except (BtminerDownError, UnsupportedError):
        pass
    except WhatsminerError:
        return None, False
    try:
        client.read('status')
    except WhatsminerError:
        return None, False
    return None, True


def not_restarted(exc, outcome, result):
    """A wait that saw the miner answer all along without restarting, after a command the
    miner never confirmed: nothing happened, so the task did not change the miner; when the
    command itself met silence, the likely cause is a wrong admin password (older firmware
    refuses it in silence). Returns the error to report."""
    if getattr(exc, 'restarted', None) is not False or outcome.confirmed:
        return exc
    result['changed'] = False
    if outcome.silent:
        return NoReplyError('%s got no reply, and %s' % (outcome.command, exc.message), miner=exc.miner,
                            command=outcome.command)
    return exc


def validate(params):
    errors = []
    if params.get('factory_reset'):
        if params.get('confirm') != CONFIRM_FACTORY_RESET:
            errors.append('factory_reset needs confirm set to exactly "%s"' % CONFIRM_FACTORY_RESET)
        if params.get('target') == 'btminer':
            errors.append('target must be board with factory_reset (a factory reset reboots the board)')
    elif params.get('confirm') is not None:
        errors.append('confirm is only used with factory_reset: true')
    timeout = params.get('wait_timeout')
    if timeout is not None and timeout < 1:
        errors.append('wait_timeout must be at least 1 second, got %r' % timeout)
    if errors:
        raise ValidationError('; '.join(errors), miner='%s:%s' % (params.get('host'), params.get('port')))


def run_reboot(params, check_mode, applied=None, monotonic=time.monotonic, sleep=time.sleep):
    validate(params)
    factory = bool(params.get('factory_reset'))
    target = 'board' if factory else (params.get('target') or 'board')
    command = 'factory_reset' if factory else COMMANDS[target]
    wait = params.get('wait', True)
    result = {'changed': True, 'command': command, 'restarts': target, 'elapsed': 0.0, 'verified': False}
    if check_mode:
        result['commands'] = [{'command': command, 'params': {}}]
        return result
    client = client_from_params(params)
    result['miner'] = client.miner
    sent_at = monotonic()
    outcome = client.write(command, {})
    result['commands'] = [{'command': command, 'params': {}, 'outcome': outcome.outcome}]
    if factory:
        # A factory reset invalidates what the controller knows about this miner.
        client.forget_token()
        (applied if applied is not None else AppliedStore()).forget(client.miner)
        result['warnings'] = [FACTORY_RESET_WARNING.format(miner=client.miner)]
    try:
        if wait:
            elapsed, verified = wait_for_restart(client, target, sent_at, params.get('wait_timeout') or 300,
                                                 monotonic=monotonic, sleep=sleep)
            result.update({'elapsed': round(elapsed, 1), 'verified': verified})
        else:
            result['elapsed'] = round(monotonic() - sent_at, 1)
    except WhatsminerError as exc:
        exc = not_restarted(exc, outcome, result)
        if factory:
            exc.hint = ('%s. After a factory reset the miner uses DHCP and may have another address: find it with '
                        'the minerops.whatsminer.whatsminer inventory plugin' % exc.hint.rstrip('.'))
        result.update({'failed': True, 'msg': str(exc), 'error': exc.as_dict()})
    return result
