# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Any API command with parameters (``whatsminer_command``): the escape hatch.

Reads go out in plaintext and run in check mode too; writes are encrypted with the shared
token (API v2) or signed (API v3), skipped in check mode, and a restarting write is waited
for (and the restart verified) like ``whatsminer_reboot`` does. Commands that would bypass a
safeguard of another module are refused with a pointer to that module: ``factory_reset``
(needs a confirmation), the two streaming commands (need a file), ``get_token`` (tokens are
managed by the collection: each one costs one of the miner's 32 slots for 30 minutes).

Parameters whose name looks like a secret (``pass``, ``pwd``, ``secret``, ``token``, ``key``,
``old``, ``new``) are masked in the result, and their values are scrubbed from the reply.
"""

from __future__ import annotations

import re
import time

from ._client import REBOOTING_WRITES, RESTARTING_WRITES
from ._errors import ValidationError, WhatsminerError
from ._reboot import not_restarted, wait_for_restart
from .whatsminer import CONNECTION_SPEC, WAIT_SPEC, client_from_params

COMMAND_SPEC = dict(CONNECTION_SPEC)
COMMAND_SPEC.update(WAIT_SPEC)
COMMAND_SPEC.update({
    'command': {'type': 'str', 'required': True},
    'params': {'type': 'dict', 'default': {}},
    'write': {'type': 'bool'},
})

#: Every write command of API v2 (vendor text and protocol notes).
KNOWN_WRITES = frozenset((
    'update_pools', 'restart_btminer', 'power_off', 'power_on', 'set_led', 'set_low_power', 'set_normal_power',
    'set_high_power', 'update_firmware', 'reboot', 'factory_reset', 'update_pwd', 'net_config', 'download_logs',
    'set_target_freq', 'enable_btminer_fast_boot', 'disable_btminer_fast_boot', 'enable_web_pools',
    'disable_web_pools', 'set_hostname', 'set_zone', 'load_log', 'set_power_pct', 'set_power_pct_v2',
    'pre_power_on', 'set_temp_offset', 'adjust_power_limit', 'adjust_upfreq_speed', 'set_poweroff_cool',
    'set_fan_zero_speed',
))
#: Commands this module refuses, and where to go instead.
REFUSED = {
    'factory_reset': 'use minerops.whatsminer.whatsminer_reboot with factory_reset and confirm',
    'set.system.factory_reset': 'use minerops.whatsminer.whatsminer_reboot with factory_reset and confirm',
    'update_firmware': 'use minerops.whatsminer.whatsminer_firmware (it streams the image)',
    'set.system.update_firmware': 'use minerops.whatsminer.whatsminer_firmware (it streams the image)',
    'download_logs': 'use minerops.whatsminer.whatsminer_logs (it streams the archive to a file)',
    'get.log.download': 'use minerops.whatsminer.whatsminer_logs (it streams the archive to a file)',
    'get_token': 'write tokens are managed by the collection (each get_token takes one of the 32 slots the miner '
                 'gives a client address for 30 minutes)',
}
RESERVED_PARAMS = frozenset(('cmd', 'command', 'token', 'enc', 'data', 'ts', 'account'))
SECRET_NAME = re.compile(r'pass|pwd|secret|token|key|^old$|^new$', re.I)
COMMAND_NAME = re.compile(r'^[A-Za-z][A-Za-z0-9_.+-]{0,63}$')
MASK = '********'
#: Secret values shorter than this are masked in ``params`` but not scrubbed from replies
#: (a pool password such as ``x`` would otherwise blank every letter x).
SCRUB_MIN = 3


def is_secret(name):
    return bool(SECRET_NAME.search(str(name)))


def masked(params):
    return {key: (MASK if is_secret(key) and value not in (None, '') else value) for key, value in (params or {}).items()}


def redact(params):
    """For the module path: mask secret-named parameters before AnsibleModule echoes them."""
    if isinstance(params.get('params'), dict):
        params['params'] = masked(params['params'])


def secret_values(params):
    return sorted({str(value) for key, value in (params or {}).items()
                   if is_secret(key) and value not in (None, '') and len(str(value)) >= SCRUB_MIN},
                  key=len, reverse=True)


def scrub(value, secrets):
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {scrub(key, secrets): scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    return value


def reply_dict(reply):
    """A decoded reply as plain data: status, code, msg, description, when, and any top-level
    sections of the cgminer shape (``SUMMARY``, ``POOLS``, ``DEVS`` ...)."""
    if reply is None:
        return None
    data = {'status': reply.status, 'code': reply.code, 'msg': reply.msg, 'description': reply.description,
            'when': reply.when}
    raw = reply.raw if isinstance(reply.raw, dict) else {}
    for key, value in raw.items():
        if key not in ('STATUS', 'When', 'Code', 'Msg', 'Description', 'id'):
            data[key] = value
    return data


def is_write(command, explicit=None):
    if explicit is not None:
        return bool(explicit)
    return command in KNOWN_WRITES or command.startswith('set.')


def validate(params):
    errors = []
    command = params.get('command') or ''
    if not COMMAND_NAME.match(command):
        errors.append('command must be an API command name (letters, digits, "_", ".", "+", "-"; at most 64), '
                      'got %r' % command)
    elif command in REFUSED:
        errors.append('command %s is not sent by this module: %s' % (command, REFUSED[command]))
    reserved = sorted(set(params.get('params') or {}) & RESERVED_PARAMS)
    if reserved:
        errors.append('params must not contain %s (the client sets them)' % ', '.join(reserved))
    timeout = params.get('wait_timeout')
    if timeout is not None and timeout < 1:
        errors.append('wait_timeout must be at least 1 second, got %r' % timeout)
    if errors:
        raise ValidationError('; '.join(errors), miner='%s:%s' % (params.get('host'), params.get('port')))


def run_command(params, check_mode, monotonic=time.monotonic, sleep=time.sleep):
    validate(params)
    command = params['command']
    args = dict(params.get('params') or {})
    write = is_write(command, params.get('write'))
    secrets = secret_values(args)
    result = {'changed': False, 'command': command, 'params': masked(args), 'write': write}
    if write and check_mode:
        result.update({'skipped': True, 'msg': 'check mode: the write %s was not sent' % command})
        return result
    client = client_from_params(params)
    result['miner'] = client.miner
    try:
        if not write:
            result['reply'] = scrub(reply_dict(client.read(command, **args)), secrets)
            return result
        sent_at = monotonic()
        outcome = client.write(command, args)
    except WhatsminerError as exc:
        exc.message = scrub(exc.message, secrets)
        raise
    result.update({'changed': True, 'outcome': outcome.outcome, 'reply': scrub(reply_dict(outcome.reply), secrets)})
    if command in RESTARTING_WRITES:
        restarts = 'board' if command in REBOOTING_WRITES else 'btminer'
        result['restarts'] = restarts
        if params.get('wait', True):
            try:
                elapsed, verified = wait_for_restart(client, restarts, sent_at, params.get('wait_timeout') or 300,
                                                     monotonic=monotonic, sleep=sleep)
            except WhatsminerError as exc:
                exc = not_restarted(exc, outcome, result)
                result.update({'failed': True, 'msg': str(exc), 'error': exc.as_dict()})
                return result
            result.update({'waited': round(elapsed, 1), 'verified': verified})
    return result
