# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-process fast path of minerops.whatsminer.whatsminer_logs (see plugin_utils/action_base.py);
also names the file after the inventory host."""

from __future__ import annotations

from ansible_collections.minerops.whatsminer.plugins.module_utils._logs import LOGS_SPEC, run_logs
from ansible_collections.minerops.whatsminer.plugins.plugin_utils.action_base import WhatsminerAction


class ActionModule(WhatsminerAction):
    RUNNER = staticmethod(run_logs)
    MODULE = 'minerops.whatsminer.whatsminer_logs'
    SPEC = LOGS_SPEC

    def _connection_defaults(self, args, task_vars):
        """The file name prefix defaults to the inventory host name when the miner is the
        inventory host (no explicit ``host``), so that files of a fleet sort by miner."""
        explicit_host = bool(args.get('host'))
        args = super()._connection_defaults(args, task_vars)
        if not args.get('prefix') and not explicit_host and task_vars.get('inventory_hostname'):
            args['prefix'] = task_vars['inventory_hostname']
        return args
