# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``whatsminer_system``: time zone, remote syslog and web pool editing.

Why so little code: the three are rows of the settings table (group ``system``). None can be
read back through API v2, so the engine's write-only policy (``update_write_only``) decides
when they are sent, against the controller's last-applied record; ``timezone`` and
``zonename`` are two rows that the engine sends as one ``set_zone``.
"""

from __future__ import annotations

from .whatsminer import engine_from_params, settings_spec

SYSTEM_SPEC = settings_spec('system')


def run_system(params, check_mode):
    return engine_from_params(params, check_mode).run_settings('system', params, state=params.get('state') or 'merged')
