# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-process fast path of minerops.whatsminer.whatsminer_facts (see plugin_utils/action_base.py)."""

from __future__ import annotations

from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import FACTS_SPEC, run_facts
from ansible_collections.minerops.whatsminer.plugins.plugin_utils.action_base import WhatsminerAction


class ActionModule(WhatsminerAction):
    RUNNER = staticmethod(run_facts)
    MODULE = 'minerops.whatsminer.whatsminer_facts'
    SPEC = FACTS_SPEC
