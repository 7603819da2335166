# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The WhatsMiner API v3 client (firmware from late 2024, TCP 4433), behind the interface
of ``V2Client``.

Why the same interface: the engine, the facts and every plugin speak to a miner through
``read``, ``write``, ``wait_until_up``, ``upload_firmware``, ``download_logs``,
``forget_token``, ``miner`` and ``stats``. This client takes the v2 command vocabulary they
use, translates it with the tables of ``_v3_map`` and returns ``Reply`` objects shaped like
the 2025 v2 flavour, so nothing above it knows which API answered.

Rules, from protocol-notes ("API v3"):

- one connection per task, reused for all its requests (the miner serves at most 10 clients);
- reads need no authentication; every write carries ``ts``, ``account`` (``super``) and
  ``token`` = first 8 characters of base64(SHA-256(cmd + password + salt + ts)), a fresh one
  per request. Nothing is cached but the miner's salt (``get.device.info`` ``salt``), so there
  is no token table to exhaust;
- ``set.miner.pools`` and ``set.user.change_passwd`` send their param AES-256-ECB encrypted
  (key: that same SHA-256 digest, PKCS#7 padding, base64);
- codes: -1 wrong password/token or bad JSON, -2 unknown command or bad parameter, -3 missing
  parameter, -4 no permission (write switch off, or the account still has its factory
  password); -1 on a write is retried once (salt read again unless just read, ``ts`` from the
  miner's clock when it differs from ours), never more;
- restarting writes answered by a closed connection are an unknown outcome, as with v2.

``miner`` is ``host:port`` of the v2 port like V2Client's, so the last-applied records of a
miner survive a firmware upgrade that moves it to v3; errors name the v3 endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time

from . import _crypto
from . import _v3_map as m
from ._client import _SILENCE, DEFAULT_PORT, RESTARTING_WRITES, WriteResult, expect_ready, poll_until_up, stream_length
from ._errors import (AuthError, ClosedError, CommandError, DeadlineError, NoReplyError, ProtocolError,
                      TokenExpiredError, UnsupportedError, ValidationError, WhatsminerError, WriteDisabledError)
from ._replies import Reply, parse_json
from ._transport import Deadlines
from ._transport_v3 import FrameConnection

DEFAULT_V3_PORT = 4433
#: Seconds between the controller's clock and the miner's beyond which writes are stamped
#: with the miner's time (``when`` of its replies): miners without NTP keep a wrong clock.
CLOCK_SKEW = 5

NO_PERMISSION_HINT = ('The miner refused the write (no permission). On API v3 this means the write-API switch '
                      'is off or the account still has its factory password: change the miner password and tick '
                      '"API" / "Enable API" once with WhatsMinerTool; factory_reset turns it off again')
AUTH_HINT = ('The miner password is wrong (API v3 signs writes for the account "super" with it): set the '
             'password option or the whatsminer_password host variable to the miner\'s password')
EXPIRED_HINT = ('API v3 tokens carry a time stamp that must be within a minute of the miner\'s clock; the write was '
                'retried with the miner\'s own time and refused again: check the miner\'s clock (NTP server, time '
                'zone) and the controller\'s')
UNSUPPORTED_TEXT = 'not supported by this firmware (API v3)'
NO_REPLY = 'connection closed without a reply'
V2_FALLBACK_HINT = ('The reduced API v2 that this firmware still serves on port 4028 may accept it: run the task '
                    'with api_version: v2')


# -- authentication ---------------------------------------------------------------------------
def token_digest(command, password, salt, ts):
    """Raw SHA-256 of ``command + password + salt + ts``: the token source and the AES key."""
    return hashlib.sha256(('%s%s%s%s' % (command, password, salt, ts)).encode('utf-8')).digest()


def make_token(command, password, salt, ts):
    """The 8-character token of one write request."""
    return base64.b64encode(token_digest(command, password, salt, ts)).decode('ascii')[:8]


def seal_param(digest, value):
    """JSON text of ``value``, AES-256-ECB (key ``digest``), PKCS#7 padding, base64."""
    _crypto.require_libraries()
    plain = json.dumps(value, separators=(',', ':')).encode('utf-8')
    pad = 16 - len(plain) % 16
    cipher = _crypto.AES.new(digest, _crypto.AES.MODE_ECB)
    return base64.b64encode(cipher.encrypt(plain + bytes([pad]) * pad)).decode('ascii')


def open_param(digest, text):
    """Inverse of seal_param (tests, simulator); returns the decoded JSON value."""
    return json.loads(_crypto.decrypt(digest, text).decode('utf-8'))


# -- replies ----------------------------------------------------------------------------------
def as_reply(raw):
    """A v3 reply ``{code, when, msg, desc}`` as a Reply of the flat 2025 v2 shape."""
    code = raw.get('code')
    ok = code == 0
    msg = raw.get('msg')
    if ok and msg == 'ok':
        msg = 'API command OK'
    return Reply({'STATUS': 'S' if ok else 'E', 'When': raw.get('when'), 'Code': 131 if ok else code,
                  'Msg': msg, 'Description': raw.get('desc') or ''})


def raise_for_code(raw, endpoint, command, write):
    """The typed error for a v3 error reply (``raw['code'] != 0``)."""
    code = raw.get('code')
    text = raw.get('msg') if isinstance(raw.get('msg'), str) else json.dumps(raw.get('msg'))
    lowered = (text or '').lower()
    kwargs = {'miner': endpoint, 'code': code, 'command': command}
    if code == -1:
        if write and 'expired' in lowered:
            # the token carries the controller's time: not a password problem
            raise TokenExpiredError('the miner refused the token as expired (miner said "%s")' % text,
                                    hint=EXPIRED_HINT, **kwargs)
        if write:
            raise AuthError('the miner refused the token (miner said "%s")' % text, hint=AUTH_HINT, **kwargs)
        raise ProtocolError('the miner could not parse the request (miner said "%s")' % text, **kwargs)
    if code == -2:
        if 'param' in lowered or 'value' in lowered or 'range' in lowered:
            raise CommandError('miner rejected the value: %s' % text, **kwargs)
        raise UnsupportedError('%s: the miner does not know the command (miner said "%s")' % (UNSUPPORTED_TEXT, text),
                               hint='Upgrade the firmware, or set api_version: v2 for this miner', **kwargs)
    if code == -3:
        raise CommandError('miner reports a missing or invalid parameter: %s' % text,
                           hint='This is a client bug; please report it', **kwargs)
    if code == -4:
        raise WriteDisabledError('write refused, no permission (miner said "%s")' % text, hint=NO_PERMISSION_HINT,
                                 **kwargs)
    if code == -5:
        raise CommandError('miner is out of memory (miner said "%s")' % text, hint='Retry later or reboot the miner',
                           **kwargs)
    raise CommandError('miner rejected the command: %s' % (text or 'no message'), **kwargs)


class V3Client:
    """Client of one miner's API v3, with the interface of V2Client."""

    api_version = 'v3'

    # pylint: disable=too-many-arguments
    def __init__(self, host, port=DEFAULT_PORT, password=None, timeout=10.0, v3_port=DEFAULT_V3_PORT, source=None,
                 sleep=time.sleep, monotonic=time.monotonic, clock=time.time, salt=None, connection=None,
                 on_salt=None):
        self.host = host
        self.port = int(port)
        self.v3_port = int(v3_port)
        self.password = password
        self.deadlines = Deadlines.from_timeout(timeout)
        self.sleep = sleep
        self.monotonic = monotonic
        self.clock = clock
        self.conn = connection or FrameConnection(host, self.v3_port, self.deadlines, source)
        self.stats = {'connections': 0, 'salt': 0, 'reads': 0, 'writes': 0, 'requests': 0}
        self._salt = salt
        self._salt_fresh = False
        self._offset = 0
        self._on_salt = on_salt

    @property
    def miner(self):
        return '%s:%s' % (self.host, self.port)

    @property
    def endpoint(self):
        return '%s:%s' % (self.host, self.v3_port)

    def close(self):
        self.conn.close()

    # -- one v3 request -----------------------------------------------------------------------
    def _send(self, request, command):
        """Send ``request`` and return the reply dict with its ``desc``; no code check."""
        payload = json.dumps(request, separators=(',', ':')).encode('utf-8')
        opened = self.conn.opened
        self.stats['requests'] += 1
        try:
            raw = self.conn.exchange(payload)
            while True:
                reply = parse_json(raw, miner=self.endpoint, command=command)
                desc = reply.get('desc')
                if 'code' not in reply:
                    raise ProtocolError('reply has no "code": not an API v3 reply', miner=self.endpoint,
                                        command=command)
                if not desc or desc == request['cmd']:
                    break
                raw = self.conn.read_frame()  # an unrelated frame (auto report): skip it
        except WhatsminerError as exc:
            exc.command = exc.command or command
            if exc.miner == self.conn.miner:
                exc.miner = self.endpoint
            raise
        finally:
            self.stats['connections'] += self.conn.opened - opened
        when = reply.get('when')
        if isinstance(when, (int, float)) and abs(when - self.clock()) > CLOCK_SKEW and when > 1e9:
            self._offset = int(when - self.clock())
        return reply

    def _read_v3(self, cmd, param=m.NO_PARAM, command=None):
        """A plaintext v3 request (``get.*``); retried once on a fresh connection when a
        reused one was found closed without a reply."""
        request = {'cmd': cmd}
        if param is not m.NO_PARAM and param is not None:
            request['param'] = param
        for attempt in (1, 2):
            try:
                reply = self._send(request, command or cmd)
                break
            except ClosedError:
                if attempt == 2 or not self.conn.reused:
                    raise
                self.conn.close()
        if reply.get('code') != 0:
            raise_for_code(reply, self.endpoint, command or cmd, write=False)
        return reply

    # -- salt and tokens ------------------------------------------------------------------------
    def salt(self, refresh=False):
        """The miner's salt (fixed per device): cached, or read with get.device.info."""
        if self._salt and not refresh:
            return self._salt
        self.stats['salt'] += 1
        reply = self._read_v3('get.device.info', 'salt', command='get.device.info salt')
        msg = reply.get('msg')
        salt = msg.get('salt') if isinstance(msg, dict) else None
        if not isinstance(salt, str) or not salt:
            raise ProtocolError('get.device.info did not report a salt', miner=self.endpoint, command='get.device.info')
        self._salt = salt
        self._salt_fresh = True
        if self._on_salt:
            self._on_salt(salt)
        return salt

    def forget_token(self):
        """v3 has no token to drop; forget the salt so that the next write reads it again."""
        self._salt = None
        self._salt_fresh = False

    def _signed(self, cmd, param, encrypted):
        if not self.password:
            raise ValidationError('a write needs the miner password: set the password option or the '
                                  'whatsminer_password host variable', miner=self.miner)
        salt = self.salt()
        ts = int(self.clock()) + self._offset
        digest = token_digest(cmd, self.password, salt, ts)
        request = {'cmd': cmd, 'ts': ts, 'account': m.ACCOUNT,
                   'token': base64.b64encode(digest).decode('ascii')[:8]}
        if param is not m.NO_PARAM:
            request['param'] = seal_param(digest, param) if encrypted else param
        return request

    def _write_v3(self, cmd, param, encrypted, command, restarting):
        """One authenticated v3 request; returns the reply dict, or None for an unknown
        outcome (closed or silent while restarting)."""
        for attempt in (1, 2):
            request = self._signed(cmd, param, encrypted)
            self.stats['writes'] += 1
            try:
                reply = self._send(request, command)
            except (ClosedError, DeadlineError) as exc:
                self.conn.close()
                if restarting and (isinstance(exc, ClosedError) or exc.phase == 'first_byte'):
                    return None if isinstance(exc, ClosedError) else _SILENCE
                if isinstance(exc, ClosedError) and self.conn.reused and attempt == 1 and exc.message == NO_REPLY:
                    continue  # the miner had closed our idle connection before reading the request
                if isinstance(exc, DeadlineError) and exc.phase == 'first_byte':
                    raise NoReplyError('no reply within %.1fs to a write' % self.deadlines.first_byte,
                                       miner=self.endpoint, command=command,
                                       hint='A miner that does not answer a signed request may be refusing the '
                                            'password: check the password option / whatsminer_password host '
                                            'variable. If the password is right, the miner is overloaded and may '
                                            'have applied the write: run the task again to find out') from exc
                raise
            if reply.get('code') == 0:
                return reply
            if reply.get('code') == -1 and attempt == 1:
                # nothing was applied: once more with a fresh salt and the miner's clock
                if not self._salt_fresh:
                    self.salt(refresh=True)
                continue
            raise_for_code(reply, self.endpoint, command, write=True)
        return None  # pragma: no cover

    # -- the V2Client interface ------------------------------------------------------------------
    def read(self, command, **params):
        """A read in the v2 vocabulary (or a native ``get.*`` command), as a Reply."""
        self.stats['reads'] += 1
        if '.' in command:
            return as_reply(self._read_v3(command, params.get('param', m.NO_PARAM)))
        if command in m.UNSUPPORTED:
            raise UnsupportedError('%s is %s: %s' % (command, UNSUPPORTED_TEXT, m.UNSUPPORTED[command]),
                                   miner=self.endpoint, command=command, hint=V2_FALLBACK_HINT)
        spec = m.READS.get(command)
        if spec is None:
            raise UnsupportedError('%s is %s: the collection has no translation for it' % (command, UNSUPPORTED_TEXT),
                                   miner=self.endpoint, command=command)
        msgs, when = {}, None
        for key in spec.sources:
            cmd, param = m.SOURCES[key]
            reply = self._read_v3(cmd, param if param is not None else m.NO_PARAM, command=command)
            msgs[key] = reply.get('msg') if isinstance(reply.get('msg'), dict) else {}
            when = reply.get('when', when)
        return Reply({'STATUS': 'S', 'When': when, 'Code': 131, 'Msg': spec.build(msgs, params),
                      'Description': 'API v3: %s' % ', '.join(' '.join(filter(None, m.SOURCES[k])) for k in spec.sources)})

    def write(self, command, params=None):
        """A write in the v2 vocabulary; WriteResult like V2Client's (``unknown`` only for
        restarting writes answered by a closed connection)."""
        params = params or {}
        if '.' in command:
            steps = (m.Step(command, params.get('param')),)
        elif command in m.WRITES:
            steps = m.WRITES[command]
        elif command in m.STREAMS:
            raise ValidationError('%s streams data: use upload_firmware() or download_logs()' % command,
                                  miner=self.miner, command=command)
        else:
            reason = m.UNSUPPORTED.get(command, 'the collection has no translation for it')
            raise UnsupportedError('%s is %s: %s' % (command, UNSUPPORTED_TEXT, reason), miner=self.endpoint,
                                   command=command, hint=V2_FALLBACK_HINT)
        try:
            built = [(step, step.build(params)) for step in steps]
        except ValueError as exc:
            raise ValidationError(str(exc), miner=self.miner, command=command) from exc
        built = [(step, param) for step, param in built if param is not m.SKIP]
        restarting = command in RESTARTING_WRITES
        reply = None
        for index, (step, param) in enumerate(built):
            last = index == len(built) - 1
            reply = self._write_v3(step.command, param, step.encrypted, command, restarting and last)
        if restarting:
            self.conn.close()  # btminer or the board restarts: this connection is gone
        if command == 'factory_reset':
            self.forget_token()
        silent = reply is _SILENCE
        if silent:
            reply = None
        return WriteResult(command, 'ok' if reply is not None else 'unknown', as_reply(reply) if reply else None,
                           silent=silent)

    def wait_until_up(self, timeout, probe='status'):
        """Poll ``probe`` with backoff until the miner answers; returns seconds waited."""
        return poll_until_up(lambda: self.read(probe), timeout, self.endpoint, self.monotonic, self.sleep,
                             on_error=self.conn.close)

    def upload_firmware(self, path, progress=None):
        """``set.system.update_firmware``: ``ready``, then the image on the same connection,
        then a final frame. Outcome ``ok`` when the miner confirmed the image, ``unknown``
        when it closed first (the board reboots: verify by the reported version)."""
        command = 'update_firmware'
        reply = self._write_v3(m.STREAMS[command], m.NO_PARAM, False, command, restarting=False)
        try:
            expect_ready(reply.get('msg'), self.endpoint, command)
            self.conn.send_file(path, progress)
            try:
                final = parse_json(self.conn.read_frame(), miner=self.endpoint, command=command)
            except WhatsminerError:
                return WriteResult(command, 'unknown', as_reply(reply))
            if final.get('code') not in (0, None):
                raise_for_code(final, self.endpoint, command, write=True)
            return WriteResult(command, 'ok', as_reply(final))
        finally:
            self.conn.close()

    def download_logs(self, handle):
        """``get.log.download``: write the archive to ``handle``; returns its length, checked
        against ``logsize``."""
        command = 'download_logs'
        reply = self._read_v3(m.STREAMS[command], command=command)
        try:
            length = stream_length(reply.get('msg'), 'logsize', self.endpoint, command)
            return self.conn.recv_to_file(handle, length)
        finally:
            self.conn.close()
