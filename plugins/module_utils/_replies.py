# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decoding miner replies: strict JSON first, then the repairs real firmware needs, then
one reply model for the three shapes miners use.

Why repairs after a strict parse: a repair must never change a reply that was valid. The
repairs are exactly those seen on real firmware (protocol-notes): trailing NUL/newline,
trailing commas, raw control characters, ``inf``/``nan``, the invalid ``get_error_code``
list of 2.0.4 and a missing comma before a key. Truncated JSON is not guessed at.

Shapes:
- cgminer: ``{"STATUS": [{"STATUS": "S", "Code": .., "Msg": "Summary"}], "SUMMARY": [{..}]}``
- flat: ``{"STATUS": "S", "When": .., "Code": 131, "Msg": {..} or "text", "Description": ""}``
- 2025+ firmware: the flat shape with the summary inside ``Msg`` and strings for booleans.
"""

from __future__ import annotations

import json
import re

from ._errors import (AuthError, BtminerDownError, CommandError, ProtocolError, TokenExpiredError,
                      TokenLimitError, UnsupportedError, WriteDisabledError)

_TRAILING_COMMA = re.compile(r',\s*([}\]])')
_BARE_FLOAT = re.compile(r'(?<=[:\[,])\s*-?(?:inf|nan|Infinity|NaN)\b', re.IGNORECASE)
_MISSING_COMMA = re.compile(r'(?<=["\d}\]el])(\s*)(?="[^"\\]*"\s*:)')
_ERROR_LIST = re.compile(r'("error_code"\s*:\s*\[)([^\[\]]*)(\])')
_LIST_PAIR = re.compile(r'("[^"]*"\s*:\s*"[^"]*")')


def _fix_error_list(match):
    inner = match.group(2)
    if '{' in inner or ':' not in inner:
        return match.group(0)
    return match.group(1) + _LIST_PAIR.sub(r'{\1}', inner) + match.group(3)


REPAIRS = (
    ('trailing comma', lambda text: _TRAILING_COMMA.sub(r'\1', text)),
    ('inf/nan', lambda text: _BARE_FLOAT.sub('null', text)),
    ('error_code list', lambda text: _ERROR_LIST.sub(_fix_error_list, text)),
    ('missing comma', lambda text: _MISSING_COMMA.sub(r',\1', text)),
)


def parse_json(raw, miner=None, command=None):
    """Bytes from the wire -> dict. Raises BtminerDownError or ProtocolError."""
    text = raw.decode('utf-8', errors='replace') if isinstance(raw, bytes) else raw
    text = text.strip('\0\r\n\t ')
    if not text:
        raise ProtocolError('empty reply', miner=miner, command=command)
    if text.startswith('Socket connect failed'):
        raise BtminerDownError('miner answered "%s"' % text[:80], miner=miner, command=command)
    try:
        return _as_object(json.loads(text, strict=False), miner, command)
    except ValueError:
        pass
    repaired = text
    for _name, repair in REPAIRS:
        repaired = repair(repaired)
        try:
            return _as_object(json.loads(repaired, strict=False), miner, command)
        except ValueError:
            continue
    preview = text[:60].encode('unicode_escape').decode('ascii')
    raise ProtocolError('reply is not valid JSON (%d bytes, starts %r)' % (len(text), preview),
                        miner=miner, command=command)


def _as_object(value, miner, command):
    if not isinstance(value, dict):
        raise ProtocolError('reply is JSON but not an object', miner=miner, command=command)
    return value


class Reply:
    """One decoded reply, whatever its shape.

    ``status`` ('S', 'E', ...), ``code`` (int or None), ``msg`` (str, dict or None),
    ``sections`` (cgminer lists such as ``SUMMARY``, upper-case keys), ``raw`` (the dict).
    """

    __slots__ = ('raw', 'status', 'code', 'msg', 'when', 'description', 'sections')

    def __init__(self, raw):
        self.raw = raw
        head = raw.get('STATUS')
        if isinstance(head, list):
            head = head[0] if head and isinstance(head[0], dict) else {}
            self.status = head.get('STATUS')
            self.code = _int_or_none(head.get('Code'))
            self.msg = head.get('Msg')
            self.when = head.get('When')
            self.description = head.get('Description')
            self.sections = {key: value for key, value in raw.items()
                             if key not in ('STATUS', 'id') and isinstance(value, list)}
        else:
            self.status = head
            self.code = _int_or_none(raw.get('Code'))
            self.msg = raw.get('Msg')
            self.when = raw.get('When')
            self.description = raw.get('Description')
            self.sections = {}
            if isinstance(self.msg, dict):
                self.sections = {key: value for key, value in self.msg.items()
                                 if key.isupper() and isinstance(value, list)}

    @property
    def ok(self):
        return self.status in ('S', 'I') or self.code in (131, 134)

    def record(self, section):
        """The first record of a section: ``SUMMARY[0]`` (cgminer) or ``Msg`` (flat/2025)."""
        items = self.sections.get(section)
        if items:
            return items[0]
        if isinstance(self.msg, dict):
            return self.msg
        return {}

    def records(self, section):
        """All records of a list section (``POOLS``, ``DEVS``), from either shape."""
        items = self.sections.get(section)
        if items is not None:
            return items
        return []

    def message_text(self):
        if isinstance(self.msg, str):
            return self.msg
        if isinstance(self.msg, dict):
            return json.dumps(self.msg, sort_keys=True)
        return '' if self.msg is None else str(self.msg)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def raise_for_error(reply, miner=None, command=None):
    """Turn an error reply into the matching typed error; return the reply when it is OK."""
    if reply.ok:
        return reply
    text = reply.message_text()
    lowered = text.lower()
    kwargs = {'miner': miner, 'code': reply.code, 'command': command}
    if "can't access write cmd" in lowered or 'cannot access write cmd' in lowered:
        raise WriteDisabledError('write API is switched off (miner said "%s")' % text, **kwargs)
    if reply.code == 23:
        raise AuthError('miner could not decrypt the request (miner said "%s")' % text, **kwargs)
    if reply.code == 135:
        raise TokenExpiredError('token refused (miner said "%s")' % text, **kwargs)
    if reply.code == 136 or 'over max connect' in lowered:
        raise TokenLimitError('token table full (miner said "%s")' % text, **kwargs)
    if reply.code == 14 and lowered in ('invalid cmd', 'invalid command', ''):
        raise UnsupportedError('command not known to this firmware (miner said "%s")' % text, **kwargs)
    if 'deprecated' in lowered:
        raise UnsupportedError('command deprecated on this firmware (miner said "%s")' % text, **kwargs)
    if reply.code == 45:
        raise CommandError('permission denied: write commands must be encrypted (miner said "%s")' % text,
                           hint='This is a client bug; please report it', **kwargs)
    raise CommandError('miner rejected the command: %s' % (text or 'no message'), **kwargs)
