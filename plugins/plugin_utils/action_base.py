# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-process fast path shared by every action plugin of the collection.

Why: a module costs a new Python process and module shipping per host-task (about 0.3 CPU
seconds); for fleets of thousands of miners that dominates everything. Miners run no Python,
so the work always happens on the controller anyway: the action plugin validates the
arguments against the module's own argument spec and runs the same engine in the worker.

It falls back to executing the module when the task is delegated to a host reached over a
non-local connection (a site gateway), when it runs async, or when the environment variable
MINEROPS_WHATSMINER_FORCE_MODULE is set (used by the tests to prove both paths agree).

What the fast path must do by hand that AnsibleModule does for modules: mask every no_log
value in everything returned (errors included) and never let an exception escape as a
controller traceback.
"""

from __future__ import annotations

import os
import traceback

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import no_log_values, run_task

FORCE_MODULE_ENV = 'MINEROPS_WHATSMINER_FORCE_MODULE'


class SecretText(str):
    """A no_log value on its way to the module: serialised as itself, shown as a mask.
    ansible-core's debug log (ANSIBLE_DEBUG) prints the arguments of every module it runs
    with ``%s`` of the argument dict, which uses ``repr`` of each value."""

    def __repr__(self):
        return "'********'"


def masked_repr(spec, args):
    """``args`` with every top-level no_log string wrapped in SecretText."""
    return {name: (SecretText(value) if isinstance(value, str) and (spec.get(name) or {}).get('no_log') else value)
            for name, value in args.items()}


class WhatsminerAction(ActionBase):
    """Subclasses set RUNNER (``run_*`` of module_utils.whatsminer), MODULE (FQCN), SPEC and
    optionally REQUIRED_IF."""

    RUNNER = None
    MODULE = None
    SPEC = None
    REQUIRED_IF = None
    TRANSFERS_FILES = False

    def masked_args(self, args):
        """The module arguments as ansible-core may print them: no_log values masked by
        ``repr`` (subclasses add secrets that are not options of their own)."""
        return masked_repr(self.SPEC, args)

    def _resolve(self, task_vars, name):
        value = task_vars.get(name)
        if value is None:
            return None
        return self._templar.template(value)

    def _connection_defaults(self, args, task_vars):
        """host: ansible_host, else the inventory name; port, password, api_version and
        v3_port: the host variables whatsminer_port, whatsminer_password,
        whatsminer_api_version and whatsminer_v3_port."""
        if not args.get('host'):
            args['host'] = self._resolve(task_vars, 'ansible_host') or task_vars.get('inventory_hostname')
        if args.get('port') is None:
            port = self._resolve(task_vars, 'whatsminer_port')
            if port is not None:
                args['port'] = port
        if args.get('password') is None:
            password = self._resolve(task_vars, 'whatsminer_password')
            if password is not None:
                args['password'] = password
        for option, variable in (('api_version', 'whatsminer_api_version'), ('v3_port', 'whatsminer_v3_port')):
            if args.get(option) is None:
                value = self._resolve(task_vars, variable)
                if value is not None:
                    args[option] = value
        return args

    def _use_module(self):
        if os.environ.get(FORCE_MODULE_ENV):
            return True
        if self._task.async_val:
            return True
        if self._task.delegate_to and getattr(self._connection, 'transport', 'local') != 'local':
            return True
        return False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        secrets = set()
        try:
            result = super().run(tmp, task_vars)
            args = self._connection_defaults(dict(self._task.args), task_vars)
            secrets = no_log_values(self.SPEC, args)
            # Validated here for both paths: the same message either way (AnsibleModule shows
            # only the first error, which for a malformed suboption does not name the option),
            # and bad input never ships a module.
            validator = ArgumentSpecValidator(self.SPEC, required_if=self.REQUIRED_IF)
            validation = validator.validate(args)
            if validation.error_messages:
                result.update({'failed': True, 'changed': False,
                               'msg': 'Invalid arguments for %s: %s' % (self.MODULE, '; '.join(validation.error_messages))})
                return remove_values(result, secrets)
            if self._use_module():
                module_result = self._execute_module(module_name=self.MODULE, module_args=self.masked_args(args),
                                                     task_vars=task_vars)
                result.update(module_result)
                return remove_values(result, secrets)
            params = validation.validated_parameters
            result.update(run_task(self.RUNNER, params, bool(self._task.check_mode)))
            return remove_values(result, secrets)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # Never a controller traceback: an unexpected error is a failed task, masked.
            return remove_values({'failed': True, 'changed': False,
                                  'msg': 'minerops.whatsminer internal error: %s: %s' % (type(exc).__name__, exc),
                                  'exception': traceback.format_exc()},
                                 secrets)
