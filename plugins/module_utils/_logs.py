# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Downloading a miner's log archive (``whatsminer_logs``).

The archive is streamed from the socket into a hidden temporary file beside the destination
(hashed as it arrives, never held in memory), its length checked against the ``logfilelen``
the miner announced, then renamed into place, so an interrupted download never leaves a file
that looks complete. File names are predictable: ``<prefix>_<port>_<UTC time>.tgz`` where the
prefix is the inventory host name (set by the action plugin) or the miner's address.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re

from ._errors import ProtocolError, ValidationError
from ._tokens import private_file
from .whatsminer import CONNECTION_SPEC, client_from_params

LOGS_SPEC = dict(CONNECTION_SPEC)
LOGS_SPEC.update({
    'dest': {'type': 'path', 'required': True},
    'filename': {'type': 'str'},
    'prefix': {'type': 'str'},
})

_UNSAFE = re.compile(r'[^A-Za-z0-9._-]+')


class HashingWriter:
    """File-like ``write`` that also feeds a SHA-256 and counts bytes."""

    def __init__(self, handle):
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        return self.handle.write(data)


def utc_stamp(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime('%Y%m%dT%H%M%SZ')


def file_name(params, now=None):
    if params.get('filename'):
        return params['filename']
    prefix = _UNSAFE.sub('_', params.get('prefix') or params.get('host') or 'miner').strip('._') or 'miner'
    return '%s_%s_%s.tgz' % (prefix, params.get('port') or 4028, utc_stamp(now))


def _existing_parent(path):
    while path and not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path or '.'


def validate(params):
    errors = []
    filename = params.get('filename')
    if filename is not None and (not filename or filename in ('.', '..') or '/' in filename or '\0' in filename):
        errors.append('filename must be a plain file name (no "/"), got %r' % filename)
    dest = params.get('dest') or ''
    if not dest:
        errors.append('dest must name a directory on the machine running the task')
    elif os.path.exists(dest) and not os.path.isdir(dest):
        errors.append('dest must be a directory, but %s is a file' % dest)
    else:
        parent = _existing_parent(os.path.abspath(dest))
        if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
            errors.append('dest %s cannot be written (no write permission on %s)' % (dest, parent))
    if errors:
        raise ValidationError('; '.join(errors), miner='%s:%s' % (params.get('host'), params.get('port')))


def run_logs(params, check_mode, now=None):
    params = dict(params, dest=os.path.expanduser(params.get('dest') or ''))
    validate(params)
    name = file_name(params, now)
    dest = params['dest']
    path = os.path.join(dest, name)
    result = {'changed': True, 'path': path, 'filename': name}
    if check_mode:
        result.update({'size': None, 'sha256': None})
        return result
    client = client_from_params(params)
    result['miner'] = client.miner
    os.makedirs(dest, mode=0o700, exist_ok=True)
    with private_file(path, 'wb', prefix='.%s.' % name, suffix='.part') as handle:
        writer = HashingWriter(handle)
        length = client.download_logs(writer)
        handle.flush()
        os.fsync(handle.fileno())
        size = handle.tell()
        if length != size or writer.size != size:
            raise ProtocolError('the miner announced %s bytes of logs but %s arrived' % (length, size),
                                miner=client.miner, command='download_logs')
    result.update({'size': size, 'sha256': writer.sha256.hexdigest()})
    return result
