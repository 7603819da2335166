# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Public entry points shared by every module and action plugin.

Why here: the argument specs, the client construction from task parameters, the task
runners and the error-to-result conversion are identical for the module path (a process
on the controller or on a delegated gateway) and the action path (in the worker, no new
process). Both import this file; neither imports the other.
"""

from __future__ import annotations

from . import _schema
from ._client import DEFAULT_PORT
from ._client_v3 import DEFAULT_V3_PORT
from ._crypto import CryptoUnavailable
from ._detect import API_VERSIONS, client_for
from ._engine import WRITE_ONLY_POLICIES, Engine
from ._errors import ValidationError, WhatsminerError
from ._facts import gather_facts

CONNECTION_SPEC = {
    'host': {'type': 'str'},
    'port': {'type': 'int', 'default': DEFAULT_PORT},
    'password': {'type': 'str', 'no_log': True},
    'timeout': {'type': 'float', 'default': 10.0},
    'api_version': {'type': 'str', 'default': 'auto', 'choices': list(API_VERSIONS)},
    'v3_port': {'type': 'int', 'default': DEFAULT_V3_PORT},
}

#: Upper bound of ``timeout`` (seconds per exchange): beyond it a dead miner holds a fork for hours.
MAX_TIMEOUT = 3600

WAIT_SPEC = {
    'wait': {'type': 'bool', 'default': True},
    'wait_timeout': {'type': 'int', 'default': 300},
}

WRITE_ONLY_SPEC = {
    'update_write_only': {'type': 'str', 'default': 'on_change', 'choices': list(WRITE_ONLY_POLICIES)},
}


def settings_spec(group, extra=None, states=('merged', 'gathered', 'rendered')):
    """Argument spec of a settings module: connection + one option per table row + engine
    options (``wait``/``wait_timeout`` only where a row restarts the miner)."""
    spec = dict(CONNECTION_SPEC)
    rows = _schema.group(group)
    for row in rows:
        spec[row.name] = row.spec()
    if any(row.restarts for row in rows):
        spec.update(WAIT_SPEC)
    spec.update(WRITE_ONLY_SPEC)
    spec['state'] = {'type': 'str', 'default': states[0], 'choices': list(states)}
    spec.update(extra or {})
    return spec


POOLS_SPEC = dict(CONNECTION_SPEC)
POOLS_SPEC.update({
    'pools': {'type': 'list', 'elements': 'dict', 'options': {
        'url': {'type': 'str', 'required': True},
        'user': {'type': 'str', 'required': True},
        'password': {'type': 'str', 'default': '', 'no_log': False},
    }},
    'update_password': {'type': 'str', 'default': 'on_change', 'choices': ['on_change', 'always']},
    'state': {'type': 'str', 'default': 'replaced', 'choices': ['replaced', 'gathered', 'rendered']},
})
POOLS_REQUIRED_IF = [('state', 'replaced', ('pools',)), ('state', 'rendered', ('pools',))]

POWER_SPEC = settings_spec('power', extra={
    'power_percent_mode': {'type': 'str', 'default': 'normal', 'choices': ['normal', 'fast']},
    'preheat': {'type': 'bool', 'default': False},
    'preheat_timeout': {'type': 'int', 'default': 600},
})
TUNING_SPEC = settings_spec('tuning')

#: Subsets of whatsminer_facts (kept equal to _facts.SUBSETS, checked by the unit tests;
#: written out here so that importing this file does not import the facts code).
FACTS_SUBSETS = ('summary', 'pools', 'devices', 'psu', 'version', 'status', 'network', 'errors')
FACTS_SPEC = dict(CONNECTION_SPEC)
FACTS_SPEC.update({
    'gather_subset': {'type': 'list', 'elements': 'str', 'default': ['all'],
                      'choices': ['all'] + list(FACTS_SUBSETS) + ['!' + name for name in FACTS_SUBSETS]},
})


def no_log_values(spec, params):
    """Values of every ``no_log`` option (nested too), to scrub from any output."""
    found = set()
    for name, option in spec.items():
        value = (params or {}).get(name)
        if value in (None, ''):
            continue
        if option.get('no_log'):
            found.add(str(value))
        sub = option.get('options')
        if sub:
            for item in (value if isinstance(value, list) else [value]):
                if isinstance(item, dict):
                    found.update(no_log_values(sub, item))
    return found


#: Clients made for the task now running; run_task closes them when the task ends. API v3
#: keeps its connection open between requests and a v3 miner serves at most 10 clients, so a
#: task must not leave its connection for the worker's exit to close.
TASK_CLIENTS = []


def client_from_params(params):
    """A client for the miner named by the task parameters (host already resolved): API v2
    or v3 by ``api_version`` (``auto`` detects per miner, see _detect.py)."""
    client = client_for(params)
    TASK_CLIENTS.append(client)
    return client


def close_task_clients():
    """Close every client the running task made (a close that fails changes no result)."""
    while TASK_CLIENTS:
        close = getattr(TASK_CLIENTS.pop(), 'close', None)
        if close is not None:
            try:
                close()
            except OSError:
                pass


def engine_from_params(params, check_mode):
    return Engine(client_from_params(params), check_mode=check_mode, wait=params.get('wait', True),
                  wait_timeout=params.get('wait_timeout') or 300,
                  write_only=params.get('update_write_only') or 'on_change')


def failure(exc):
    """A failed task result from any client error."""
    if isinstance(exc, CryptoUnavailable):
        return {'failed': True, 'msg': 'the Python library %s is required on the machine running this task '
                                       '(pip install %s)' % (exc.library, exc.library)}
    return {'failed': True, 'changed': False, 'msg': str(exc), 'error': exc.as_dict()}


def connection_errors(params):
    """Problems of the connection and wait options (ranges the argument spec cannot say),
    each naming the option; checked before any module contacts its miner."""
    errors = []
    for name in ('port', 'v3_port'):
        value = params.get(name)
        if value is not None and not 1 <= value <= 65535:
            errors.append('%s must be an integer from 1 to 65535, got %r' % (name, value))
    timeout = params.get('timeout')
    if timeout is not None and not 0 < timeout <= MAX_TIMEOUT:
        errors.append('timeout must be a number of seconds above 0 and at most %d, got %r' % (MAX_TIMEOUT, timeout))
    wait_timeout = params.get('wait_timeout')
    if wait_timeout is not None and wait_timeout < 1:
        errors.append('wait_timeout must be at least 1 second, got %r' % wait_timeout)
    return errors


def run_task(runner, params, check_mode):
    """Run one task with ``runner(params, check_mode) -> result`` and return its result
    dict; a miner or input problem becomes a failed result, never an exception."""
    if not params.get('host'):
        return {'failed': True, 'changed': False, 'msg': 'host is required (or run against an inventory host)'}
    errors = connection_errors(params)
    if errors:
        return failure(ValidationError('; '.join(errors), miner='%s:%s' % (params['host'], params.get('port'))))
    try:
        return runner(params, check_mode)
    except (WhatsminerError, CryptoUnavailable) as exc:
        return failure(exc)
    finally:
        close_task_clients()


def finish(module, runner, redact=None):
    """Module path: run and exit through AnsibleModule (which masks no_log values).
    ``warnings`` of the result go through ``module.warn``; ``redact(params)`` may mask
    parameters (not no_log options) before AnsibleModule echoes them as ``invocation``."""
    result = run_task(runner, module.params, module.check_mode)
    for warning in result.pop('warnings', None) or []:
        module.warn(warning)
    if redact is not None:
        redact(module.params)
    if result.get('failed'):
        module.fail_json(**result)
    module.exit_json(**result)


def run_pools(params, check_mode):
    return engine_from_params(params, check_mode).run_pools(
        params.get('pools') or [], update_password=params.get('update_password'), state=params.get('state') or 'replaced')


def run_power(params, check_mode):
    return engine_from_params(params, check_mode).run_settings(
        'power', params, options={name: params.get(name) for name in ('power_percent_mode', 'preheat', 'preheat_timeout')},
        state=params.get('state') or 'merged')


def run_tuning(params, check_mode):
    return engine_from_params(params, check_mode).run_settings('tuning', params, state=params.get('state') or 'merged')


def run_facts(params, check_mode):  # pylint: disable=unused-argument
    return gather_facts(client_from_params(params), params.get('gather_subset') or ['all'])
