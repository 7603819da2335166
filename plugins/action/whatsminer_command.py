# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-process fast path of minerops.whatsminer.whatsminer_command (see plugin_utils/action_base.py)."""

from __future__ import annotations

from ansible_collections.minerops.whatsminer.plugins.module_utils._command import COMMAND_SPEC, run_command
from ansible_collections.minerops.whatsminer.plugins.plugin_utils.action_base import WhatsminerAction


class ActionModule(WhatsminerAction):
    RUNNER = staticmethod(run_command)
    MODULE = 'minerops.whatsminer.whatsminer_command'
    SPEC = COMMAND_SPEC
