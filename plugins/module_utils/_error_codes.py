# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Meaning of the error codes WhatsMiner firmware reports through ``get_error_code``.

Why a table here: the miner reports bare numbers (``329``); an operator reading facts for a
fleet needs a hint of what broke without a trip to the vendor's PDF. The table covers the
common codes only. Codes of hash-board families carry the board slot in their last digit
(``350`` = board 0 over temperature, ``352`` = board 2); codes not in the table get a generic
text, never an error.
"""

from __future__ import annotations

UNKNOWN = 'Error code not in the collection\'s table; look it up in the MicroBT error code list'

CODES = {
    110: 'Intake fan speed cannot be detected',
    111: 'Exhaust fan speed cannot be detected',
    120: 'Intake fan speed deviates from its target by more than 2000 RPM',
    121: 'Exhaust fan speed deviates from its target by more than 2000 RPM',
    130: 'Intake fan speed deviates from its target by more than 3000 RPM',
    131: 'Exhaust fan speed deviates from its target by more than 3000 RPM',
    140: 'Fan speed too high: the miner runs hot (intake air, dust, blocked airflow)',
    200: 'No power supply detected',
    201: 'Power supply does not match the miner configuration',
    202: 'Power supply output voltage out of range',
    203: 'Power supply protection tripped (temperature)',
    204: 'Power supply current protection tripped',
    205: 'Power supply current error',
    206: 'Mains input voltage too low',
    207: 'Power supply input current protection tripped (unstable mains)',
    210: 'Power supply reports an error status',
    213: 'Power supply input voltage and current do not match the power drawn',
    218: 'Mains input voltage below 230 V: high power mode is not available',
    233: 'Power supply output over-temperature protection',
    236: 'Power supply output over-current protection',
    239: 'Power supply output over-voltage protection',
    240: 'Power supply output under-voltage protection',
    241: 'Power supply output current imbalance',
    243: 'Power supply input over-temperature protection',
    246: 'Power supply input over-current protection',
    248: 'Power supply input over-voltage protection',
    250: 'Power supply input under-voltage protection',
    253: 'Power supply fan failure',
    263: 'Power supply communication warning',
    264: 'Power supply communication error',
    270: 'Mains input voltage too high: power supply protection',
    271: 'Mains input voltage too low: power supply protection',
    272: 'Power supply output power too high (warning)',
    273: 'Power supply input power too high (warning)',
    274: 'Power supply fan warning',
    275: 'Power supply over-temperature warning',
    329: 'Control board temperature sensor does not communicate',
    360: 'Hash board temperature too high',
    600: 'Ambient temperature too high',
    610: 'Ambient temperature too high for high power mode: the miner went back to normal mode',
    701: 'Control board does not support the chips of these hash boards',
    710: 'Control board restarted after an exception',
    800: 'btminer checksum error: reinstall the firmware',
    801: 'system-monitor checksum error: reinstall the firmware',
    802: 'remote-daemon checksum error: reinstall the firmware',
    2000: 'No pool configured',
    2010: 'No pool usable: all pools are disabled or unreachable',
    2030: 'High share rejection rate at the pool',
    2040: 'The pool does not support ASICBoost',
    2310: 'Hash rate too low',
    2340: 'Hash rate loss too high',
    8410: 'Firmware built for another miner generation',
    100001: 'Firmware signature check failed: reinstall the firmware',
}

#: Families whose last digit is a hash board slot (or a pool index for 202x).
FAMILIES = {
    30: 'Hash board {n}: temperature sensor not detected',
    32: 'Hash board {n}: temperature cannot be read',
    35: 'Hash board {n}: over-temperature protection',
    41: 'Hash board {n}: EEPROM not detected',
    42: 'Hash board {n}: EEPROM content cannot be parsed',
    43: 'Hash board {n}: chip bin type error',
    44: 'Hash board {n}: chip count in EEPROM is wrong',
    45: 'Hash board {n}: EEPROM transfer error',
    51: 'Hash board {n}: board of another miner type',
    52: 'Hash board {n}: bin type error',
    53: 'Hash board {n}: not found',
    54: 'Hash board {n}: chip IDs cannot be read',
    55: 'Hash board {n}: bad chips',
    56: 'Hash board {n}: lost balance (uneven power between chips)',
    202: 'Cannot connect to pool {n} (0 = first pool)',
    507: 'Hash board {n}: abnormal water flow',
    511: 'Hash board {n}: frequency ramp-up timed out',
}

MAX_SLOT = 3


def describe(code):
    """Text for an error code (int or numeric text); generic text for unknown codes."""
    try:
        number = int(str(code).strip())
    except (TypeError, ValueError):
        return UNKNOWN
    if number in CODES:
        return CODES[number]
    family, slot = divmod(number, 10)
    if family in FAMILIES and slot <= MAX_SLOT:
        return FAMILIES[family].format(n=slot)
    return UNKNOWN
