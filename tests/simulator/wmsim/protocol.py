# -*- coding: utf-8 -*-
"""What a miner answers to one request: plaintext reads, get_token, and the encrypted path.

Why: this is the order of checks real firmware applies to a write (decrypt with the current
password's key -> 23; token of this client IP -> 135; write switch -> 45 "can't access write
cmd"; execute), kept free of sockets so it is easy to read against protocol-notes.  The
transport (server.py) sends what ``respond`` decides and carries out restarts and streams.
"""

from __future__ import annotations

import json

from . import reads, render, writes
from .logs import build_archive
from .primitives import decrypt, encrypt
from .wire import SOCKET_FAILED


class Request:
    """A received request as the miner sees it."""

    def __init__(self, raw, miner):
        self.raw = raw
        self.encrypted = 'enc' in raw
        self.payload = raw
        self.aeskey = None
        self.decrypt_error = False
        if self.encrypted:
            self.payload = None
            dummy_salt, dummy_key, self.aeskey = miner.current_key()
            try:
                text = decrypt(self.aeskey, str(raw.get('data', '')))
                payload = json.loads(text.decode('utf-8'))
                if not isinstance(payload, dict):
                    raise ValueError('not an object')
                self.payload = payload
            except (ValueError, TypeError, UnicodeDecodeError):
                self.decrypt_error = True
        name = None
        if self.payload is not None:
            name = self.payload.get('cmd', self.payload.get('command'))
        self.name = name if isinstance(name, str) and name else ('enc' if self.encrypted else None)

    @property
    def is_write(self):
        """True for a command of the writable API."""
        return self.name in writes.WRITES


class Action:
    """What the transport must do: send ``data`` (or nothing), then maybe restart or stream."""

    def __init__(self, data=None, restart=None, stream=None, hold=False, aeskey=None, payload=None):
        self.applied = False
        self.data = data
        self.restart = restart
        self.stream = stream
        self.hold = hold
        self.aeskey = aeskey
        self.payload = payload


def _text(text):
    return Action(data=text.encode('utf-8'))


def _encrypted(aeskey, text):
    return render.dumps({'enc': encrypt(aeskey, text)})


def respond(miner, request, client_ip, now):
    """Decide the answer to ``request`` (called under the fleet lock)."""
    if request.encrypted:
        return _respond_encrypted(miner, request, client_ip, now)
    name = request.name
    if name is None:
        return _text(render.error(now, 14, 'invalid cmd'))
    if name == 'get_token':
        return _get_token(miner, client_ip, now)
    if request.is_write:
        return _text(render.error(now, 45, 'permission denied'))
    if reads.is_read(name):
        return _read(miner, request.payload, name, now)
    return _text(render.error(now, 14, 'invalid cmd'))


def _get_token(miner, client_ip, now):
    token = None
    if not miner.faults.take('token_full', 'get_token'):
        token = miner.tokens.issue(client_ip, miner.settings['password'], now)
    if token is None:
        return _text(render.error(now, 136, 'over max connect'))
    return _text(render.flat(now, token, code=134))


def _read(miner, payload, name, now):
    settings = miner.settings
    if settings.get('api_down_when_off') and not settings['mining'] and \
            any(part in reads.BTMINER_READS for part in name.split('+')):
        return Action(data=SOCKET_FAILED)
    return _text(reads.run(reads.ReadContext(miner, payload, now), name))


def _respond_encrypted(miner, request, client_ip, now):
    name = request.name
    if request.decrypt_error:
        if miner.faults.take('silent_wrong_password', name):
            return Action(hold=True)
        return _text(render.error(now, 23, 'enc json load err'))
    sign = request.payload.get('token')
    expired = miner.faults.take('token_expired', name)
    if expired or not isinstance(sign, str) or not miner.tokens.check(client_ip, sign, now):
        return _text(render.error(now, 135, 'check token err'))
    aeskey = request.aeskey
    if request.is_write:
        if not miner.settings['write_api'] or miner.faults.take('write_off', name):
            return _text(render.error(now, 45, "can't access write cmd"))
        return _write(miner, request, client_ip, now)
    if name != 'get_token' and reads.is_read(name):
        action = _read(miner, request.payload, name, now)
        if action.data != SOCKET_FAILED:
            action.data = _encrypted(aeskey, action.data.decode('utf-8')).encode('utf-8')
        return action
    return _text(render.error(now, 14, 'invalid cmd'))


def _write(miner, request, client_ip, now):
    aeskey = request.aeskey
    context = writes.WriteContext(miner, request.payload, now, client_ip)
    try:
        result = writes.WRITES[request.name](context)
    except writes.CommandError as exc:
        return _text(render.error(now, exc.code, exc.msg))
    miner.note_applied()
    action = Action(restart=result.restart, stream=result.stream, aeskey=aeskey)
    action.applied = True
    msg = result.msg
    if result.stream == 'logs':
        action.payload = build_archive(miner, now)
        msg = {'logfilelen': str(len(action.payload))}
    if result.silent:
        return action
    if result.restart and not miner.settings.get('reply_before_restart'):
        return action
    action.data = _encrypted(aeskey, render.flat(now, msg)).encode('utf-8')
    return action
