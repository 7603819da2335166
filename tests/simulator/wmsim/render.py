# -*- coding: utf-8 -*-
"""Reply shapes of the two firmware flavours, as JSON text.

Why: clients break on shape differences, not on numbers, so shapes live in one place.  The
``2022`` flavour (API 2.0.x) answers summary/pools/edevs/devdetails in the cgminer shape
``{"STATUS": [{...}], "SUMMARY": [{...}], "id": 1}`` and everything else in the flat shape
``{"STATUS": "S", "When": ..., "Code": 131, "Msg": ..., "Description": ""}``; the ``2025``
flavour puts everything in the flat shape with numbers as floats and booleans as strings.
Replies are built as text because some real replies are not valid JSON (get_error_code).
"""

from __future__ import annotations

import json

# Keys whose values stay integers even in the 2025 flavour (indexes and time stamps, not measurements).
INDEX_KEYS = frozenset(('POOL', 'Priority', 'Quota', 'ASC', 'Slot', 'ID', 'DEVDETAILS', 'Has Stratum',
                        'Last Share Time', 'Last Valid Work', 'Last getwork', 'Current Block Height',
                        'Current Block Version'))


def dumps(obj):
    """Compact JSON text, key order kept, ASCII only (like the firmware)."""
    return json.dumps(obj, separators=(',', ':'))


def flat(when, msg, code=131, status='S', description=''):
    """The flat reply shape used by every non-cgminer command."""
    return dumps({'STATUS': status, 'When': int(when), 'Code': code, 'Msg': msg, 'Description': description})


def error(when, code, msg):
    """An error reply (never encrypted)."""
    return flat(when, msg, code=code, status='E')


def ok(when, msg='API command OK'):
    """The success reply of a write (encrypted by the caller)."""
    return flat(when, msg)


def cgminer(when, code, status_msg, key, items):
    """The cgminer shape of the 2022 flavour's summary, pools, edevs and devdetails."""
    status = [{'STATUS': 'S', 'When': int(when), 'Code': code, 'Msg': status_msg, 'Description': ''}]
    return dumps({'STATUS': status, key: items, 'id': 1})


def join(parts):
    """The cgminer join of ``a+b``: each command's reply in a one-element list, keyed by command.

    Built from the texts so that a quirky (invalid) part stays byte-identical inside the join.
    """
    return '{' + ','.join('%s:[%s]' % (dumps(name), text) for name, text in parts) + '}'


def error_codes(when, codes, quirky):
    """get_error_code: the invalid ``["329":"..."]`` of real 2.0.x firmware, or the fixed shape."""
    if quirky:
        inner = ','.join('%s:%s' % (dumps(str(code)), dumps(stamp)) for code, stamp in codes.items())
        return '{"STATUS":"S","When":%d,"Code":131,"Msg":{"error_code":[%s]},"Description":""}' % (int(when), inner)
    return flat(when, {'error_code': [{str(code): stamp} for code, stamp in codes.items()]})


def new_style(value):
    """2025 flavour conversion: numbers become floats, booleans become "true"/"false"."""
    if isinstance(value, dict):
        converted = {}
        for key, item in value.items():
            if key in INDEX_KEYS and isinstance(item, int) and not isinstance(item, bool):
                converted[key] = item
            else:
                converted[key] = new_style(item)
        return converted
    if isinstance(value, list):
        return [new_style(item) for item in value]
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return round(float(value), 2)
    return value


def two(value):
    """A measurement rounded to two decimals, like the firmware prints it."""
    return round(float(value), 2)
