# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalisers for values as miners report them.

Why one place: the same setting arrives as ``"Normal"`` (summary, 2022), ``"normal"``
(status, 2025), ``3600`` or ``3600.0`` or ``"3600"``, booleans as ``true``, ``"true"`` or
``"enable"``, firmware versions wrapped in single quotes. Every comparison the engine makes
goes through these so that firmware flavours compare equal.
"""

from __future__ import annotations

import math

_TRUE = frozenset(('true', 'yes', 'on', '1', 'enable', 'enabled', 'y'))
_FALSE = frozenset(('false', 'no', 'off', '0', 'disable', 'disabled', 'n', ''))


def to_bool(value):
    """True/False from the many spellings miners use; None when unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().strip("'").lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def to_int(value):
    """Integer from int, float or numeric text (``"3600"``, ``"3600.0"``); None otherwise."""
    if isinstance(value, bool):
        return int(value)
    try:
        return int(round(float(str(value).strip().strip("'"))))
    except (TypeError, ValueError):
        return None


def to_float(value, digits=None):
    """Float from number or text; ``inf``/``nan``/garbage become None."""
    try:
        number = float(str(value).strip().strip("'"))
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return round(number, digits) if digits is not None else number


def to_text(value):
    """Stripped text without the single quotes some firmware wraps values in."""
    if value is None:
        return None
    return str(value).strip().strip("'").strip()


def to_lower(value):
    text = to_text(value)
    return text.lower() if text is not None else None


def mining_state(value):
    """``btmineroff`` / ``mineroff`` (``"true"`` = NOT mining) -> started/stopped."""
    off = to_bool(value)
    if off is None:
        return None
    return 'stopped' if off else 'started'


def to_scaled(value, divisor, digits=2):
    """``value / divisor`` rounded, for unit conversions (MH/s -> TH/s is ``1e6``,
    GH/s -> TH/s ``1000``, centivolts -> V ``100``); None when not a number."""
    number = to_float(value)
    if number is None:
        return None
    return round(number / divisor, digits)


def ratio(numerator, denominator, digits=2):
    """``numerator / denominator`` rounded (efficiency J/TH = W / TH/s); None when either is
    unknown or the denominator is not positive (a miner that does not hash has no efficiency)."""
    top, bottom = to_float(numerator), to_float(denominator)
    if top is None or bottom is None or bottom <= 0:
        return None
    return round(top / bottom, digits)
