# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The WhatsMiner API v2 client: reads, encrypted writes, tokens, restarts, streams.

Everything above this file (engine, plugins) speaks to a miner only through ``read``,
``write``, ``wait_until_up``, ``upload_firmware`` and ``download_logs``; a v3 backend
provides the same methods. The rules it enforces, from protocol-notes:

- one TCP connection per command; write tokens reused through the TokenStore;
- 135 -> drop the cached sign, fetch one new token, retry once; 136 -> fail with the hint;
  never loop on get_token;
- a restarting write that is answered by a closed connection is an *unknown outcome*, not an
  error and never a reason to resend: the caller waits and verifies by reading back;
- after a password change or a board reboot the cached sign is dropped.
"""

from __future__ import annotations

import json
import time

from . import _crypto
from ._errors import (AuthError, ClosedError, DeadlineError, NoReplyError, ProtocolError, TokenExpiredError,
                      UnsupportedError, ValidationError, WhatsminerError)
from ._replies import Reply, parse_json, raise_for_error
from ._tokens import TokenStore
from ._transport import Connection, Deadlines

DEFAULT_PORT = 4028

#: Writes after which btminer or the whole board restarts (the reply is often never sent).
RESTARTING_WRITES = frozenset((
    'set_low_power', 'set_normal_power', 'set_high_power', 'adjust_power_limit', 'set_target_freq',
    'restart_btminer', 'reboot', 'net_config', 'factory_reset', 'update_firmware',
))
#: Writes that reboot the control board: the miner forgets every token.
REBOOTING_WRITES = frozenset(('reboot', 'net_config', 'factory_reset', 'update_firmware'))


SILENCE_HINT = ('Older firmware answers a wrong miner password with silence: check the password option / '
                'whatsminer_password host variable')
#: What _encrypted_call returns for a restarting write met by silence (not by a close).
_SILENCE = object()


class WriteResult:
    """``outcome`` is ``ok`` (the miner confirmed) or ``unknown`` (closed while restarting);
    ``silent``: unknown because no reply came before the deadline, rather than a closed
    connection (a rebooting board, or an old firmware refusing the password in silence)."""

    __slots__ = ('command', 'outcome', 'reply', 'silent')

    def __init__(self, command, outcome, reply=None, silent=False):
        self.command = command
        self.outcome = outcome
        self.reply = reply
        self.silent = silent

    @property
    def confirmed(self):
        return self.outcome == 'ok'


class V2Client:
    """Client of one miner's API v2 (TCP 4028)."""

    api_version = 'v2'

    def __init__(self, host, port=DEFAULT_PORT, password=None, timeout=10.0, tokens=None,
                 source=None, sleep=time.sleep, monotonic=time.monotonic):
        self.host = host
        self.port = int(port)
        self.password = password
        self.deadlines = Deadlines.from_timeout(timeout)
        self.tokens = tokens if tokens is not None else TokenStore()
        self.source = source
        self.sleep = sleep
        self.monotonic = monotonic
        self.stats = {'connections': 0, 'get_token': 0, 'reads': 0, 'writes': 0}
        self._keys = {}

    @property
    def miner(self):
        return '%s:%s' % (self.host, self.port)

    # -- plumbing ---------------------------------------------------------------------------
    def _connect(self):
        self.stats['connections'] += 1
        return Connection(self.host, self.port, self.deadlines, self.source)

    def _exchange(self, payload):
        with self._connect() as conn:
            conn.send(payload)
            return conn.read_to_eof()

    def _decode(self, raw, command):
        if not raw.strip(b'\0\r\n\t '):
            raise ClosedError('connection closed without a reply', miner=self.miner, command=command)
        return Reply(parse_json(raw, miner=self.miner, command=command))

    # -- reads ------------------------------------------------------------------------------
    def read(self, command, **params):
        """A plaintext read; returns a Reply or raises a typed error. A native API v3
        command (``get.system.setting``: a dotted name) is refused without being sent: no API
        v2 firmware knows one, and the settings table names them as v3-only read sources."""
        if '.' in command:
            raise UnsupportedError('%s is an API v3 command; this miner is spoken to over API v2' % command,
                                   miner=self.miner, command=command)
        request = {'cmd': command}
        request.update(params)
        self.stats['reads'] += 1
        payload = _json_bytes(request)
        try:
            raw = self._exchange(payload)
        except WhatsminerError as exc:
            exc.command = exc.command or command
            raise
        return raise_for_error(self._decode(raw, command), miner=self.miner, command=command)

    # -- tokens -----------------------------------------------------------------------------
    def _key(self, salt):
        if salt not in self._keys:
            self._keys[salt] = _crypto.derive_key(self.password, salt)
        return self._keys[salt]

    def _fetch_token(self):
        self.stats['get_token'] += 1
        reply = self.read('get_token')
        msg = reply.msg if isinstance(reply.msg, dict) else {}
        if not all(msg.get(field) for field in ('time', 'salt', 'newsalt')):
            raise ProtocolError('get_token reply lacks time/salt/newsalt', miner=self.miner, command='get_token')
        key = self._key(msg['salt'])
        return {'sign': _crypto.derive_sign(key, msg['time'], msg['newsalt']), 'salt': msg['salt']}

    def _session(self):
        if not self.password:
            raise ValidationError('a write needs the miner password: set the password option or the '
                                  'whatsminer_password host variable', miner=self.miner)
        _crypto.require_libraries()
        entry, fresh = self.tokens.get_or_fetch(self.miner, self._fetch_token)
        return entry['sign'], _crypto.aes_key(self._key(entry['salt'])), fresh

    def forget_token(self):
        """Drop this miner's cached sign (after a password change or a reboot)."""
        self.tokens.drop(self.miner)

    # -- writes -----------------------------------------------------------------------------
    def _open_encrypted(self, sign, aeskey, request, conn):
        body = dict(request)
        body['token'] = sign
        conn.send(_crypto.seal_request(aeskey, body))

    def _decode_encrypted(self, raw, aeskey, command):
        outer = parse_json(raw, miner=self.miner, command=command)
        if 'enc' in outer and 'STATUS' not in outer:
            try:
                inner = _crypto.open_reply_text(aeskey, outer['enc'])
            except ValueError as exc:
                raise ProtocolError('encrypted reply could not be decrypted: %s' % exc,
                                    miner=self.miner, command=command) from exc
            outer = parse_json(inner, miner=self.miner, command=command)
        return raise_for_error(Reply(outer), miner=self.miner, command=command)

    def _encrypted_call(self, request, stream=False):
        """Send one encrypted request with the token rules; returns ``(reply, conn, leftover)``.

        ``reply`` None means an unknown outcome: the miner closed the connection after
        receiving the whole request (any write), or went silent on a restarting write.
        With ``stream`` the connection is returned open, and a closed connection is an error.
        """
        command = request['cmd']
        restarting = command in RESTARTING_WRITES
        for attempt in (1, 2):
            sign, aeskey, fresh = self._session()
            self.stats['writes'] += 1
            conn = self._connect()
            keep_open = sent = False
            try:
                self._open_encrypted(sign, aeskey, request, conn)
                sent = True
                if stream:
                    raw, leftover = conn.read_json_object()
                else:
                    raw, leftover = conn.read_to_eof(), b''
                if not raw.strip(b'\0\r\n\t '):
                    raise ClosedError('connection closed without a reply', miner=self.miner, command=command)
                reply = self._decode_encrypted(raw, aeskey, command)
                keep_open = stream
                return reply, (conn if stream else None), leftover
            except (ClosedError, DeadlineError) as exc:
                if restarting and not stream and (isinstance(exc, ClosedError) or exc.phase == 'first_byte'):
                    return (None if isinstance(exc, ClosedError) else _SILENCE), None, b''
                if isinstance(exc, ClosedError) and sent and not stream:
                    # The request arrived whole but the reply was lost: the write may have
                    # been applied. Never resend blindly; the caller verifies by reading back.
                    return None, None, b''
                if isinstance(exc, DeadlineError) and exc.phase == 'first_byte':
                    if not fresh and attempt == 1:
                        self.tokens.drop(self.miner, sign)
                        continue
                    text = ('no reply within %.1fs to an encrypted request sent with a fresh token'
                            % self.deadlines.first_byte)
                    if stream:
                        # nothing was streamed yet: no outcome to doubt, only the password
                        raise AuthError(text, miner=self.miner, command=command, hint=SILENCE_HINT) from exc
                    raise NoReplyError(text, miner=self.miner, command=command) from exc
                exc.command = exc.command or command
                raise
            except TokenExpiredError:
                self.tokens.drop(self.miner, sign)
                if attempt == 2:
                    raise
            except AuthError:
                self.tokens.drop(self.miner, sign)
                if fresh or attempt == 2:
                    raise
            finally:
                if not keep_open:
                    conn.close()
        raise TokenExpiredError('token refused twice', miner=self.miner, command=command)  # pragma: no cover

    def write(self, command, params=None):
        """An encrypted write. Returns WriteResult; ``outcome == 'unknown'`` when the
        request was delivered but no reply came (restarting writes, lost replies): the caller
        waits if needed, then verifies by reading back."""
        request = {'cmd': command}
        request.update(params or {})
        reply, _conn, _left = self._encrypted_call(request)
        silent = reply is _SILENCE
        if silent:
            reply = None
        if command in REBOOTING_WRITES or command in ('update_pwd', 'factory_reset'):
            self.forget_token()
        return WriteResult(command, 'ok' if reply is not None else 'unknown', reply, silent=silent)

    # -- restarts ---------------------------------------------------------------------------
    def wait_until_up(self, timeout, probe='status'):
        """Poll a cheap read with backoff until the API answers; returns seconds waited.

        Bounded by ``timeout``; raises DeadlineError (phase ``restart``) when the miner
        does not answer in time.
        """
        return poll_until_up(lambda: self.read(probe), timeout, self.miner, self.monotonic, self.sleep)

    # -- streams ----------------------------------------------------------------------------
    def upload_firmware(self, path, progress=None):
        """``update_firmware``: wait for ``ready``, stream the image; outcome ``unknown``
        once the image is sent (the board reboots): verify by the reported version."""
        reply, conn, _leftover = self._encrypted_call({'cmd': 'update_firmware'}, stream=True)
        if reply is None:
            raise ClosedError('connection closed before the miner said "ready"', miner=self.miner,
                              command='update_firmware', hint='Nothing was uploaded; retry later')
        try:
            expect_ready(reply.message_text(), self.miner, 'update_firmware')
            conn.send_file(path, progress)
            try:
                conn.read_to_eof()
            except WhatsminerError:
                pass
        finally:
            conn.close()
            self.forget_token()
        return WriteResult('update_firmware', 'unknown', reply)

    def download_logs(self, handle):
        """``download_logs``: write the archive to ``handle``; returns its length, checked
        against ``logfilelen``."""
        reply, conn, leftover = self._encrypted_call({'cmd': 'download_logs'}, stream=True)
        try:
            length = stream_length(reply.msg, 'logfilelen', self.miner, 'download_logs')
            return conn.recv_to_file(handle, length, leftover)
        finally:
            conn.close()


def poll_until_up(read, timeout, miner, monotonic=time.monotonic, sleep=time.sleep, on_error=None):
    """Call ``read()`` with backoff (0.25 s growing to 5 s) until it succeeds; returns the
    seconds waited. ``on_error()`` runs after each failed read (v3 drops its connection).
    Raises DeadlineError (phase ``restart``) after ``timeout`` seconds, naming the last error."""
    start = monotonic()
    delay = 0.25
    last = None
    while True:
        try:
            read()
            return monotonic() - start
        except WhatsminerError as exc:
            last = exc
            if on_error is not None:
                on_error()
        remaining = timeout - (monotonic() - start)
        if remaining <= 0:
            raise DeadlineError('did not answer again within %ss (last: %s)' % (timeout, last.message),
                                phase='restart', miner=miner,
                                hint='Raise wait_timeout if this model restarts slowly, or check the miner')
        sleep(min(delay, remaining))
        delay = min(delay * 1.6, 5.0)


def expect_ready(text, miner, command):
    """A firmware upload starts only after the miner said ``ready`` (both APIs)."""
    text = str(text)
    if text.strip('"').lower() != 'ready':
        raise ProtocolError('expected "ready", got %r' % text[:60], miner=miner, command=command)


def stream_length(msg, field, miner, command):
    """The byte count a stream header announces in ``msg[field]`` (an int, or a ProtocolError)."""
    msg = msg if isinstance(msg, dict) else {}
    try:
        return int(msg.get(field))
    except (TypeError, ValueError) as exc:
        raise ProtocolError('%s reply has no %s' % (command, field), miner=miner, command=command) from exc


def _json_bytes(obj):
    return json.dumps(obj, separators=(',', ':')).encode('utf-8')
