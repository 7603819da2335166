# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Firmware upgrades (``whatsminer_firmware``): validate, compare, upload, wait, verify.

Why each step:

- **Validate first.** A wrong file or a wrong checksum must fail before the miner is
  contacted: the image must exist, be a readable regular file of a sane size (1 KiB to
  1 GiB; the wire length is 4 bytes, real images are 30 to 200 MB), and when ``checksum``
  (``sha256:<hex>``) is given its SHA-256 must match. Hashing a 100 MB image costs a fraction
  of a CPU second, once per controller: the digest is cached in the private state directory,
  keyed by the file's path, inode, size and modification times, under a lock, so twenty
  parallel tasks hash the image once between them.
- **Idempotent by the reported version.** The miner reports its firmware in ``get_version``
  ``fw_ver`` (read first), ``status`` ``Firmware Version``/``FirmwareVersion`` or ``summary``
  ``Firmware Version`` (quoted on 2022-era firmware). The comparison is exact, after removing
  the quotes and surrounding blanks and ignoring letter case; no prefix or substring match
  (``20250214.16`` must not pass for ``20250214.16.1``). When the miner already reports
  ``version`` nothing is sent, unless ``force``.
- **Upload streams.** The client sends ``update_firmware``, waits for ``ready`` and streams
  the file on that same connection (4-byte little-endian length, then 64 KiB chunks); memory
  does not grow with the image size.
- **After the upload the outcome is unknown.** The board flashes and reboots, usually without
  a word. The task waits for the reboot (the miner must answer again *and* its uptime must be
  younger than the upload, so a board that answers a moment longer is not mistaken for the
  new firmware), bounded by ``wait_timeout``, then reads the version back: the wanted one is
  success; the old one is a failure (refused or incomplete image); no answer within
  ``wait_timeout`` is a failure whose outcome is unknown. An upload cut short is handled the
  same way (the miner reboots into its old firmware), with the byte count in the message.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import socket
import stat
import time

from . import _values as v
from ._errors import (BtminerDownError, ClosedError, CommandError, DeadlineError, ProtocolError, UnsupportedError,
                      ValidationError, WhatsminerError)
from ._reboot import wait_for_restart
from ._tokens import private_dir, save_private_json, state_root
from .whatsminer import CONNECTION_SPEC, client_from_params

DEFAULT_WAIT_TIMEOUT = 900
FIRMWARE_SPEC = dict(CONNECTION_SPEC)
FIRMWARE_SPEC.update({
    'src': {'type': 'path', 'required': True},
    'version': {'type': 'str', 'required': True},
    'force': {'type': 'bool', 'default': False},
    'checksum': {'type': 'str'},
    'wait': {'type': 'bool', 'default': True},
    'wait_timeout': {'type': 'int', 'default': DEFAULT_WAIT_TIMEOUT},
})

MIN_SIZE = 1024
MAX_SIZE = 1024 * 1024 * 1024
MAX_WAIT_TIMEOUT = 86400
VERSION = re.compile(r'^[0-9A-Za-z._+-]{1,64}$')
CHECKSUM = re.compile(r'^sha256:([0-9A-Fa-f]{64})$')
HASH_CHUNK = 1024 * 1024
MB = 1000.0 * 1000.0
#: Where the miner reports its firmware: (command, section, fields), in the order read.
VERSION_SOURCES = (
    ('get_version', None, ('fw_ver',)),
    ('status', None, ('Firmware Version', 'FirmwareVersion')),
    ('summary', 'SUMMARY', ('Firmware Version',)),
)
#: Progress lines (action path, -v): at every tenth of the image, at most this often.
PROGRESS_SECONDS = 5.0


class FirmwareNotApplied(WhatsminerError):
    """The upload went through, yet the miner does not report the wanted version."""

    kind = 'not_applied'


# -- validation ---------------------------------------------------------------------------------
def _where():
    try:
        return socket.gethostname()
    except OSError:  # pragma: no cover
        return 'this machine'


def _check_file(path):
    """Problems with the image file (a list of texts) and its stat result."""
    if not path:
        return ['src must name the firmware image file'], None
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return ['src %s does not exist on %s, the machine that runs the task' % (path, _where())], None
    except OSError as exc:
        return ['src %s cannot be examined: %s' % (path, exc.strerror or exc)], None
    if not stat.S_ISREG(info.st_mode):
        return ['src %s is not a regular file' % path], None
    try:
        with open(path, 'rb') as handle:
            handle.read(1)
    except OSError as exc:
        return ['src %s cannot be read: %s' % (path, exc.strerror or exc)], None
    if not MIN_SIZE <= info.st_size <= MAX_SIZE:
        return ['src %s is %d bytes; a firmware image must be from %d bytes (1 KiB) to %d bytes (1 GiB)'
                % (path, info.st_size, MIN_SIZE, MAX_SIZE)], None
    return [], info


def validate(params):
    """Check every option before anything is sent; returns the image's stat result."""
    errors = []
    path = params.get('src')
    problems, info = _check_file(path)
    errors.extend(problems)
    version = params.get('version')
    if version is None or not VERSION.match(str(version)):
        errors.append('version must be the firmware version string the miner reports (1 to 64 letters, digits, '
                      '".", "_", "+" or "-", for example 20250214.16.Rel), got %r' % (version,))
    checksum = params.get('checksum')
    if checksum is not None and not CHECKSUM.match(checksum.strip()):
        errors.append('checksum must be "sha256:" followed by the 64 hexadecimal digits of the image\'s SHA-256 '
                      '(as sha256sum prints them), got %r' % checksum)
    timeout = params.get('wait_timeout')
    if timeout is not None and not 1 <= timeout <= MAX_WAIT_TIMEOUT:
        errors.append('wait_timeout must be an integer from 1 to %d (seconds), got %r' % (MAX_WAIT_TIMEOUT, timeout))
    if errors:
        raise ValidationError('; '.join(errors), miner=_miner(params))
    return info


def _miner(params):
    return '%s:%s' % (params.get('host'), params.get('port'))


# -- image digest (cached per controller) -------------------------------------------------------
def file_sha256(path):
    """SHA-256 (hex) of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        while True:
            piece = handle.read(HASH_CHUNK)
            if not piece:
                return digest.hexdigest()
            digest.update(piece)


def _digest_key(path, info):
    ident = '%s|%d|%d|%d|%d|%d' % (os.path.realpath(path), info.st_dev, info.st_ino, info.st_size,
                                   info.st_mtime_ns, info.st_ctime_ns)
    return hashlib.sha256(ident.encode('utf-8')).hexdigest()[:40]


def image_sha256(path, info, directory=None):
    """SHA-256 of the image, computed once per controller and file version (the cache entry is
    keyed by path, inode, size and times; concurrent tasks wait on a lock for the first)."""
    try:
        folder = private_dir(directory or os.path.join(state_root(), 'firmware'))
    except OSError:
        return file_sha256(path)
    entry = os.path.join(folder, _digest_key(path, info) + '.json')
    try:
        lock = os.fdopen(os.open(entry + '.lock', os.O_RDWR | os.O_CREAT, 0o600), 'a', encoding='utf-8')
    except OSError:
        return file_sha256(path)
    with lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            with open(entry, 'r', encoding='utf-8') as handle:
                cached = json.load(handle).get('sha256')
            if isinstance(cached, str) and len(cached) == 64:
                return cached
        except (OSError, ValueError, AttributeError):
            pass
        digest = file_sha256(path)
        try:
            save_private_json(entry, {'path': os.path.realpath(path), 'size': info.st_size, 'sha256': digest})
        except OSError:
            pass
        return digest


def verify_checksum(params, info):
    """The image's SHA-256 when ``checksum`` is set (ValidationError when it differs)."""
    checksum = params.get('checksum')
    if not checksum:
        return None
    wanted = CHECKSUM.match(checksum.strip()).group(1).lower()
    actual = image_sha256(params['src'], info)
    if actual != wanted:
        raise ValidationError('src %s does not match checksum: its SHA-256 is %s, checksum says %s; nothing was sent'
                              % (params['src'], actual, wanted), miner=_miner(params),
                              hint='Download the image again, or correct the checksum option')
    return actual


# -- the version the miner reports ----------------------------------------------------------------
def same_version(reported, wanted):
    """Exact match after removing quotes and blanks, ignoring letter case."""
    reported, wanted = v.to_text(reported), v.to_text(wanted)
    return bool(reported) and bool(wanted) and reported.lower() == wanted.lower()


def read_version(client):
    """The firmware version the miner reports (``get_version`` ``fw_ver``, else ``status``,
    else ``summary``); raises the first error when no source answers with a version."""
    first_error = None
    for command, section, fields in VERSION_SOURCES:
        try:
            record = client.read(command).record(section)
        except (UnsupportedError, BtminerDownError, CommandError, ProtocolError) as exc:
            first_error = first_error or exc
            continue
        for field in fields:
            text = v.to_text(record.get(field)) if isinstance(record, dict) else None
            if text:
                return text
    if first_error is not None:
        raise first_error
    raise ProtocolError('the miner reports no firmware version (get_version fw_ver, status and summary '
                        '"Firmware Version" are all missing)', miner=client.miner, command='get_version')


# -- upload progress ------------------------------------------------------------------------------
class Progress:
    """Bytes sent, elapsed time and throughput of one upload; optionally reports lines of text
    (``report(text)``) at each tenth of the image, at most every PROGRESS_SECONDS."""

    def __init__(self, size, report=None, monotonic=time.monotonic):
        self.size = size
        self.report = report
        self.monotonic = monotonic
        self.started = monotonic()
        self.finished = None
        self.sent = 0
        self._next_tenth = 1
        self._last_report = self.started

    def __call__(self, sent, total):
        self.sent = sent
        if not self.report or not total:
            return
        tenth = sent * 10 // total
        now = self.monotonic()
        if tenth >= self._next_tenth and (now - self._last_report >= PROGRESS_SECONDS or sent == total):
            self._next_tenth = tenth + 1
            self._last_report = now
            self.report(self.line(now))

    def seconds(self, now=None):
        end = self.finished if self.finished is not None else (now if now is not None else self.monotonic())
        return max(end - self.started, 0.0)

    def rate(self, now=None):
        seconds = self.seconds(now)
        return self.sent / MB / seconds if seconds > 0 else None

    def line(self, now=None):
        rate = self.rate(now)
        return 'firmware upload %d%% (%.1f of %.1f MB) in %.1f s%s' % (
            self.sent * 100 // max(self.size, 1), self.sent / MB, self.size / MB, self.seconds(now),
            ', %.1f MB/s' % rate if rate else '')

    def done(self):
        self.finished = self.monotonic()

    def as_dict(self, outcome):
        rate = self.rate()
        return {'bytes': self.sent, 'size': self.size, 'seconds': round(self.seconds(), 2),
                'throughput_mb_s': round(rate, 2) if rate else None, 'outcome': outcome}


# -- the task -------------------------------------------------------------------------------------
def _fail(result, exc, changed=None):
    if changed is not None:
        result['changed'] = changed
    result.update({'failed': True, 'msg': str(exc), 'error': exc.as_dict()})
    return result


def _upload(client, src, progress):
    """Upload; returns ``(outcome, error)``: ``unknown`` (sent, no word, as most miners do),
    ``ok`` (the miner confirmed: API v3), ``interrupted`` (the connection broke while sending)
    or ``rejected`` (the miner refused the image after receiving it). Errors before any byte
    of the image was sent are raised: nothing was uploaded."""
    try:
        written = client.upload_firmware(src, progress)
    except ClosedError as exc:
        if progress.sent == 0 and 'upload interrupted' not in exc.message:
            raise
        return 'interrupted', exc
    except CommandError as exc:
        if progress.sent < progress.size:
            raise
        return 'rejected', exc
    finally:
        progress.done()
    return ('ok' if written.confirmed else 'unknown'), None


def run_firmware(params, check_mode, report=None, client=None, monotonic=time.monotonic, sleep=time.sleep):
    """Validate, compare the reported version, upload, wait for the reboot and verify."""
    info = validate(params)
    sha256 = verify_checksum(params, info)
    wanted = str(params['version'])
    src = params['src']
    client = client or client_from_params(params)
    image = {'path': src, 'size': info.st_size, 'sha256': sha256}
    result = {'changed': False, 'miner': client.miner, 'version': wanted, 'image': image, 'upload': None,
              'upgraded': False, 'verified': False, 'elapsed': 0.0}
    before = read_version(client)
    result.update({'version_before': before, 'version_after': before})
    current = same_version(before, wanted)
    if current and not params.get('force'):
        result.update({'diff': {'before': {'firmware': before}, 'after': {'firmware': before}},
                       'msg': 'the miner already reports firmware %s: nothing was sent' % before})
        return result
    result['diff'] = {'before': {'firmware': before}, 'after': {'firmware': wanted}}
    action = 'reinstall' if current else 'upgrade from %s to' % before
    if check_mode:
        result.update({'changed': True, 'version_after': wanted,
                       'msg': 'would %s %s (upload %d bytes)' % (action, wanted, info.st_size)})
        return result

    progress = Progress(info.st_size, report, monotonic)
    sent_at = progress.started
    outcome, problem = _upload(client, src, progress)
    result['upload'] = progress.as_dict(outcome)
    upload_text = '%.1f MB in %.1f s%s' % (progress.sent / MB, progress.seconds(),
                                           ', %.1f MB/s' % progress.rate() if progress.rate() else '')
    if outcome == 'rejected':
        return _fail(result, problem)
    result['changed'] = True
    if not params.get('wait', True):
        result.update({'version_after': None, 'elapsed': round(monotonic() - sent_at, 1),
                       'msg': 'uploaded %s to %s (%s); not waiting for the reboot (wait: false), nothing verified'
                              % (wanted, client.miner, upload_text)})
        if problem is not None:
            return _fail(result, problem)
        return result

    timeout = (params.get('wait_timeout') or DEFAULT_WAIT_TIMEOUT) + progress.seconds()
    restarted = True
    try:
        wait_for_restart(client, 'board', sent_at, timeout, monotonic=monotonic, sleep=sleep)
    except DeadlineError as exc:
        if getattr(exc, 'restarted', None) is not False:
            result['elapsed'] = round(monotonic() - sent_at, 1)
            lost = DeadlineError(
                'the miner did not answer within wait_timeout (%ss) after the firmware upload%s; the outcome of the '
                'upgrade to %s is unknown' % (params.get('wait_timeout') or DEFAULT_WAIT_TIMEOUT,
                                              _upload_note(outcome, problem, progress), wanted),
                phase='restart', miner=client.miner, command='update_firmware',
                hint='It may still be flashing, or it did not boot: check it on site (power, network, the LEDs). '
                     'Once it answers, run the task again: it sends nothing when the miner reports %s' % wanted)
            return _fail(result, lost)
        restarted = False
    except WhatsminerError as exc:
        return _fail(result, exc)
    result['elapsed'] = round(monotonic() - sent_at, 1)
    try:
        after = read_version(client)
    except WhatsminerError as exc:
        return _fail(result, exc)
    result.update({'version_after': after, 'restarted': restarted})
    result['diff'] = {'before': {'firmware': before}, 'after': {'firmware': after}}
    if same_version(after, wanted):
        result.update({'upgraded': True, 'verified': True,
                       'msg': '%s %s: uploaded %s, the miner reports %s after %.0f s'
                              % ('reinstalled' if current else 'upgraded from %s to' % before, wanted, upload_text,
                                 after, result['elapsed'])})
        return result
    if same_version(after, before):
        result['changed'] = False
        if not restarted:
            text = ('the miner did not restart within wait_timeout after the firmware upload%s and still reports %s, '
                    'not %s' % (_upload_note(outcome, problem, progress), after, wanted))
        else:
            text = ('the miner came back on its old firmware %s, not %s%s: it refused the image or did not receive '
                    'all of it' % (after, wanted, _upload_note(outcome, problem, progress)))
        return _fail(result, FirmwareNotApplied(
            text, miner=client.miner, command='update_firmware',
            hint='Check that the image is meant for this model and platform and that version names the firmware '
                 'inside it; minerops.whatsminer.whatsminer_logs fetches the miner\'s logs, which say why'))
    return _fail(result, FirmwareNotApplied(
        'after the firmware upload the miner reports %s, neither the old %s nor the wanted %s%s'
        % (after, before, wanted, _upload_note(outcome, problem, progress)), miner=client.miner,
        command='update_firmware',
        hint='Check the version option against the version this image reports once installed (get_version fw_ver)'))


def _upload_note(outcome, problem, progress):
    if outcome == 'interrupted':
        reason = problem.message if problem else 'closed'
        return ' (the upload was interrupted after %d of %d bytes: %s)' % (progress.sent, progress.size, reason)
    return ''
