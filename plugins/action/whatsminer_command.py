# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-process fast path of minerops.whatsminer.whatsminer_command (see plugin_utils/action_base.py)."""

from __future__ import annotations

from ansible_collections.minerops.whatsminer.plugins.module_utils._command import COMMAND_SPEC, is_secret, run_command
from ansible_collections.minerops.whatsminer.plugins.plugin_utils.action_base import SecretText, WhatsminerAction


class ActionModule(WhatsminerAction):
    RUNNER = staticmethod(run_command)
    MODULE = 'minerops.whatsminer.whatsminer_command'
    SPEC = COMMAND_SPEC

    def masked_args(self, args):
        """Also the secret-named ``params`` (a raw ``passwd1``): not options, so not no_log, but
        as secret in ansible-core's ANSIBLE_DEBUG print of the module arguments."""
        masked = super().masked_args(args)
        if isinstance(masked.get('params'), dict):
            masked['params'] = {key: (SecretText(value) if isinstance(value, str) and value and is_secret(key) else value)
                                for key, value in masked['params'].items()}
        return masked
