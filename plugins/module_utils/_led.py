# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``whatsminer_led``: the LED on automatic control, or a manual (locate) pattern.

Why rows of the settings table: ``mode`` (auto or manual) can be read back from
``get_miner_info`` ``ledstat``; the pattern (color, period, duration, start) cannot, so each
part is a write-only row compared with the controller's last-applied record. Every row
writes the same ``set_led`` with the whole pattern, so the engine sends one command however
many parts differ.

A task that gives pattern options without ``mode`` means ``mode: manual``; ``mode: manual``
without a pattern blinks the default one (``_schema.LED_DEFAULTS``).
"""

from __future__ import annotations

from ._schema import LED_DEFAULTS, LED_PATTERN
from .whatsminer import engine_from_params, settings_spec

LED_SPEC = settings_spec('led')


def led_desired(params):
    """The task's options with ``mode`` implied by a pattern and the pattern's defaults
    filled in for ``mode: manual``."""
    desired = dict(params)
    given = [name for name in LED_PATTERN if desired.get(name) is not None]
    if desired.get('mode') is None and given:
        desired['mode'] = 'manual'
    if desired.get('mode') == 'manual':
        for name in LED_PATTERN:
            if desired.get(name) is None:
                desired[name] = LED_DEFAULTS[name]
    return desired


def run_led(params, check_mode):
    state = params.get('state') or 'merged'
    desired = led_desired(params) if state != 'gathered' else params
    return engine_from_params(params, check_mode).run_settings('led', desired, state=state)
