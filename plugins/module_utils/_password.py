# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rotating a miner's admin password (``whatsminer_password``).

Why it is not a settings row: the password is the key of every write, so "reading it back"
means proving that a write signed with it is accepted, and changing it invalidates the token
the other modules share. The steps, each costing as little of the miner's token table as
possible (32 tokens per client address, 30 minutes each; a wrong-password probe uses one):

1. prove the *new* password with a write that changes nothing (re-sending the btminer
   fast-boot setting the miner reports, else ``set_led auto`` when the LED is in auto mode).
   Accepted: the password is already rotated, nothing else is sent. The probe uses a private
   token, so a cached sign of the old password is neither used nor thrown away, unless the
   controller's record says this miner already has the new password (then the shared sign is
   used and a rerun fetches no token at all);
2. otherwise send ``update_pwd`` (old, new) with the current password and the shared token;
3. prove the new password again the same way; the old sign is dropped (the miner forgets
   every token on update_pwd) and the proven new one is what the other tasks reuse.

No probe is repeated. The controller keeps a slow salted hash (PBKDF2) of the password in
force per miner, only to answer check mode without contacting the miner and to trust the
shared token on reruns; never the password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from . import _values as v
from ._applied import AppliedStore
from ._errors import (AuthError, BtminerDownError, ClosedError, DeadlineError, NoReplyError, UnsupportedError,
                      ValidationError, WhatsminerError)
from ._tokens import MemoryTokenStore
from .whatsminer import CONNECTION_SPEC, client_from_params

PASSWORD_SPEC = dict(CONNECTION_SPEC)
PASSWORD_SPEC.update({
    'new_password': {'type': 'str', 'required': True, 'no_log': True},
})

NEW_PASSWORD = re.compile(r'^[A-Za-z0-9_]{1,8}$')
RECORD_KEY = 'admin_password'
KDF_ITERATIONS = 120000
MASK = '********'


class PasswordNotApplied(WhatsminerError):
    """update_pwd was answered, yet a write signed with the new password is refused."""

    kind = 'not_applied'


# -- the record (slow salted hash, never the password) ------------------------------------------
def password_record(password, iterations=KDF_ITERATIONS, salt=None):
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac('sha256', password.encode('utf-8'), salt, iterations)
    return 'pbkdf2_sha256$%d$%s$%s' % (iterations, base64.b64encode(salt).decode('ascii'),
                                       base64.b64encode(digest).decode('ascii'))


def record_matches(record, password):
    try:
        scheme, iterations, salt, digest = (record or '').split('$')
        if scheme != 'pbkdf2_sha256':
            return False
        expected = password_record(password, int(iterations), base64.b64decode(salt)).split('$')[3]
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, digest)


# -- clients ------------------------------------------------------------------------------------
def make_client(params, password, private):
    """A client of the task's miner that signs with ``password``; with ``private`` its API v2
    token lives only in this task (a probe must not use or drop the shared sign)."""
    client = client_from_params(dict(params, password=password))
    if private:
        backend = getattr(client, 'backend', client)  # api_version auto: detected here
        if hasattr(backend, 'tokens'):
            backend.tokens = MemoryTokenStore()
    return client


def shared_store(client):
    backend = getattr(client, 'backend', client)
    return getattr(backend, 'tokens', None)


def share_token(private_client, shared):
    """Hand the token a private probe proved good to the shared cache (saves the next task
    a get_token)."""
    private = shared_store(private_client)
    if shared is None or private is None or private is shared:
        return
    entry = private.get(private_client.miner)
    if not entry:
        return
    shared.drop(private_client.miner)
    shared.get_or_fetch(private_client.miner, lambda: {'sign': entry['sign'], 'salt': entry['salt']})


def noop_write(client):
    """``(command, params)`` of a write that changes nothing on this miner right now.

    The btminer fast-boot switch only matters at the next btminer start and every firmware
    reports it (summary ``Btminer Fast Boot``), so sending its current value is harmless.
    When btminer does not answer (mining stopped on firmware that then refuses summary), an
    LED in auto mode is re-set to auto instead.
    """
    down = None
    try:
        reply = client.read('summary')
        fast = v.to_bool(reply.record('SUMMARY').get('Btminer Fast Boot'))
    except BtminerDownError as exc:
        fast, down = None, exc
    except UnsupportedError:
        fast = None
    if fast is not None:
        return ('enable_btminer_fast_boot' if fast else 'disable_btminer_fast_boot'), {}
    try:
        reply = client.read('get_miner_info', info='ledstat')
        ledstat = v.to_lower(reply.record(None).get('ledstat'))
    except (BtminerDownError, UnsupportedError):
        ledstat = None
    if ledstat == 'auto':
        return 'set_led', {'param': 'auto'}
    error = BtminerDownError if down is not None else WhatsminerError
    raise error('no harmless write is available to test the password with: the miner reports neither '
                'its fast-boot setting (btminer is not answering) nor an LED in auto mode',
                miner=client.miner, command='summary',
                hint='Start mining or set the LED to auto (minerops.whatsminer.whatsminer_led), then retry')


def probe(client, noop):
    """True when ``client``'s password signs an accepted write; False when the miner says the
    password is wrong. Other errors (unreachable, write API off ...) are raised, and so is a
    lost reply, which proves nothing."""
    command, params = noop
    try:
        outcome = client.write(command, params)
    except AuthError:
        return False
    if not outcome.confirmed:
        raise ClosedError('the miner took the request but sent no reply, so the password is not proven either way',
                          miner=client.miner, command=command)
    return True


def shown(command, outcome=None):
    entry = {'command': command, 'params': {'old': MASK, 'new': MASK} if command == 'update_pwd' else {}}
    if outcome:
        entry['outcome'] = outcome
    return entry


# -- the task -----------------------------------------------------------------------------------
def validate(params):
    errors = []
    new = params.get('new_password')
    if new is None or not NEW_PASSWORD.match(new):
        errors.append('new_password must be 1 to 8 characters, each a letter, digit or underscore '
                      '(the miner accepts nothing else)')
    if not params.get('password'):
        errors.append('password (the current password of the miner) is required: set the password option or the '
                      'whatsminer_password host variable')
    if errors:
        raise ValidationError('; '.join(errors), miner='%s:%s' % (params.get('host'), params.get('port')))


def rotate(params, check_mode, clients=make_client, applied=None):
    """Whole task; ``clients(params, password, private)`` builds clients (tests inject fakes)."""
    validate(params)
    applied = applied if applied is not None else AppliedStore()
    new, old = params['new_password'], params['password']
    shared_new = clients(params, new, False)
    miner = shared_new.miner
    known_new = record_matches(applied.load(miner).get(RECORD_KEY), new)
    result = {'miner': miner, 'diff': {'before': {'password_in_force': 'new_password' if known_new else 'password'},
                                       'after': {'password_in_force': 'new_password'}}}
    if check_mode:
        # Proving a password takes a write: check mode trusts this controller's record.
        result.update({'changed': not known_new, 'proof': 'record' if known_new else None,
                       'commands': [] if known_new else [shown('update_pwd')]})
        return result

    # Known to be rotated already: the shared sign is most likely the new password's (no
    # get_token at all). Otherwise a private token, so the old password's sign survives.
    first = shared_new if known_new else clients(params, new, True)
    noop = noop_write(first)
    if probe(first, noop):
        if not known_new:
            share_token(first, shared_store(shared_new))
            applied.update(miner, {RECORD_KEY: password_record(new)})
        result['diff']['before']['password_in_force'] = 'new_password'
        result.update({'changed': False, 'proof': noop[0], 'commands': []})
        return result
    if new == old:
        raise AuthError('the miner refuses the password given in both password and new_password', miner=miner,
                        command=noop[0])

    current = clients(params, old, False)
    silence = None
    try:
        outcome = current.write('update_pwd', {'old': old, 'new': new}).outcome
    except NoReplyError as exc:
        # silence: a wrong password on older firmware, or an overloaded miner that changed it
        outcome, silence = 'unknown', exc
    except AuthError as exc:
        exc.message = 'the miner accepts neither new_password nor password (the current one)'
        raise
    except DeadlineError:
        outcome = 'unknown'
    if outcome != 'ok':
        # No answer: the change may or may not have happened. One probe settles it.
        current.forget_token()
        if not probe(shared_new, noop):
            text = 'update_pwd got no reply and the new password is not accepted: the password was not changed'
            if silence is not None:
                raise NoReplyError(text, miner=miner, command='update_pwd')
            raise ClosedError(text, miner=miner, command='update_pwd', hint='Retry the task')
    current.forget_token()  # the miner forgot every token; the old password's sign is dead
    result['commands'] = [shown('update_pwd', outcome)]
    if outcome == 'ok' and not probe(shared_new, noop):
        applied.forget(miner, [RECORD_KEY])
        result.update({'changed': True, 'failed': True})
        exc = PasswordNotApplied('update_pwd was accepted but a write signed with new_password is refused',
                                 miner=miner, command=noop[0],
                                 hint='The miner may have changed the password to something else; check it with '
                                      'WhatsMinerTool')
        result.update({'msg': str(exc), 'error': exc.as_dict()})
        return result
    applied.update(miner, {RECORD_KEY: password_record(new)})
    result.update({'changed': True, 'proof': noop[0]})
    return result


def run_password(params, check_mode):
    return rotate(params, check_mode)
