# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which API a miner speaks (v2 on 4028, or v3 on 4433), and the client that speaks it.

Why: firmware from late 2024 on serves API v3 on its own port and only a reduced v2 on 4028;
older firmware has no v3 at all. A fleet mixes both, so the backend is chosen per miner:

- ``api_version: v2`` / ``v3`` forces it;
- ``auto`` (default) probes the v3 port with ``get.device.info`` ``salt`` (no authentication):
  a v3 reply means v3, a refused connection or a reply that is not v3 means v2. When the
  caller already has the miner's v2 ``get_version`` (the inventory plugin), firmware dated
  before 20241101 is v2 without a probe. After a refused probe, ``get_version`` on the v2 port
  tells old firmware (v2 for good) from v3 firmware whose port is blocked or restarting.

The answer is cached in the controller state directory (private like the token cache; one
file per ``host:port:v3_port``; 15 minutes; 1 minute when the probe only timed out or was
closed, or was refused by firmware dated for API v3, which a restarting miner also does) so
that a play detects each miner once, not once per task. The cache also keeps the miner's v3 salt (public, fixed per device), which
spares a request on every write task. Detection is lazy: a task that never contacts the
miner (``state: rendered``) never probes.

``detect_api_version(host, port, v3_port, timeout)`` is the entry point for plugins that only
want the answer (the inventory plugin's ``whatsminer_api_version`` host variable).
"""

from __future__ import annotations

import json
import os
import re
import time

from ._client import DEFAULT_PORT, V2Client
from ._client_v3 import DEFAULT_V3_PORT, V3Client
from ._errors import ConnectError, ProtocolError, WhatsminerError
from ._tokens import private_dir, save_private_json, state_root
from ._transport import Deadlines
from ._transport_v3 import FrameConnection
from ._v3_map import api_from_version

API_VERSIONS = ('auto', 'v2', 'v3')
CACHE_TTL = 15 * 60
UNSURE_TTL = 60
PROBE_CONNECT = 3.0


class ApiCache:
    """``{api, salt, checked, reason}`` per miner, in ``<state>/api`` (0700 / 0600)."""

    def __init__(self, directory=None, clock=time.time, ttl=CACHE_TTL):
        self.directory = directory or os.path.join(state_root(), 'api')
        self.clock = clock
        self.ttl = ttl

    @staticmethod
    def key(host, port, v3_port):
        return '%s:%s:%s' % (host, port, v3_port)

    def _path(self, key):
        return os.path.join(private_dir(self.directory), re.sub(r'[^A-Za-z0-9._-]', '_', key) + '.json')

    def get(self, key):
        """The live entry or None."""
        try:
            with open(self._path(key), 'r', encoding='utf-8') as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get('api') not in ('v2', 'v3'):
            return None
        age = self.clock() - float(entry.get('checked', 0))
        if age < 0 or age >= float(entry.get('ttl', self.ttl)):
            return None
        return entry

    def put(self, key, api, reason='', salt=None, ttl=None):
        entry = {'api': api, 'checked': self.clock(), 'ttl': ttl or self.ttl, 'reason': reason}
        if salt:
            entry['salt'] = salt
        path = self._path(key)
        save_private_json(path, entry)
        return entry

    def remember_salt(self, key, salt):
        """Keep the v3 salt with a (new or live) v3 entry."""
        entry = self.get(key) or {}
        if entry.get('api', 'v3') == 'v3':
            self.put(key, 'v3', reason=entry.get('reason', 'salt read'), salt=salt,
                     ttl=entry.get('ttl') if entry else None)

    def drop(self, key):
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass


class MemoryApiCache(ApiCache):
    """Same interface, in memory (unit tests, one-off scripts)."""

    def __init__(self, clock=time.time, ttl=CACHE_TTL):  # pylint: disable=super-init-not-called
        self.clock = clock
        self.ttl = ttl
        self.entries = {}

    def get(self, key):
        entry = self.entries.get(key)
        if entry and 0 <= self.clock() - entry['checked'] < entry['ttl']:
            return entry
        return None

    def put(self, key, api, reason='', salt=None, ttl=None):
        entry = {'api': api, 'checked': self.clock(), 'ttl': ttl or self.ttl, 'reason': reason}
        if salt:
            entry['salt'] = salt
        self.entries[key] = entry
        return entry

    def drop(self, key):
        self.entries.pop(key, None)


class Detection:
    """Result of one detection: ``api`` ('v2'/'v3'), ``reason``, and for v3 the open
    connection and salt of the probe (handed to the V3Client, so the probe is not wasted)."""

    __slots__ = ('api', 'reason', 'salt', 'connection', 'cached')

    def __init__(self, api, reason, salt=None, connection=None, cached=False):
        self.api = api
        self.reason = reason
        self.salt = salt
        self.connection = connection
        self.cached = cached


def probe_v3(host, v3_port=DEFAULT_V3_PORT, timeout=3.0, source=None):
    """``get.device.info`` ``salt`` on the v3 port: ``(connection, salt)`` or a typed error."""
    deadlines = Deadlines.from_timeout(timeout)
    deadlines.connect = min(deadlines.connect, PROBE_CONNECT)
    client = V3Client(host, v3_port=v3_port, timeout=timeout,
                      connection=FrameConnection(host, v3_port, deadlines, source))
    try:
        salt = client.salt()
    except BaseException:
        client.close()
        raise
    return client.conn, salt


def _v2_version(host, port, timeout, source=None):
    """The ``Msg`` of a v2 ``get_version`` (None when the v2 port does not answer either)."""
    try:
        msg = V2Client(host, port=port, timeout=timeout, source=source).read('get_version').msg
    except WhatsminerError:
        return None
    return msg if isinstance(msg, dict) else None


def detect(host, port=DEFAULT_PORT, v3_port=DEFAULT_V3_PORT, timeout=3.0, version=None, cache=None, source=None,
           keep_connection=False):
    """Detect the API of one miner; returns a Detection. ``version``: the ``Msg`` of a v2
    ``get_version`` when the caller has it; ``cache``: an ApiCache (None: no cache)."""
    key = ApiCache.key(host, port, v3_port)
    if cache is not None:
        entry = cache.get(key)
        if entry:
            return Detection(entry['api'], entry.get('reason', 'cached'), salt=entry.get('salt'), cached=True)
    if api_from_version(version) == 'v2':
        result = Detection('v2', 'firmware %s predates API v3' % (version or {}).get('fw_ver'))
        if cache is not None:
            cache.put(key, 'v2', result.reason)
        return result
    try:
        connection, salt = probe_v3(host, v3_port, timeout, source)
    except (ConnectError, ProtocolError) as exc:
        # refused, or something that is not API v3 answers: v2, for long unless the firmware
        # is recent enough to serve v3 (then the port is blocked, or btminer is restarting)
        result, ttl = Detection('v2', 'port %s: %s' % (v3_port, exc.message)), None
        if version is None:
            version = _v2_version(host, port, timeout, source)
        if api_from_version(version) != 'v2':
            ttl = UNSURE_TTL
            if version:
                result.reason += ' (firmware %s should serve API v3; using API v2 for now)' % version.get('fw_ver')
    except WhatsminerError as exc:
        # timeout or closed: also what a restarting v3 miner does; decide v2 for a short while
        result, ttl = Detection('v2', 'port %s: %s' % (v3_port, exc.message)), UNSURE_TTL
    else:
        result, ttl = Detection('v3', 'port %s answers API v3' % v3_port, salt=salt, connection=connection), None
        if not keep_connection:
            connection.close()
            result.connection = None
    if cache is not None:
        cache.put(key, result.api, result.reason, salt=result.salt, ttl=ttl)
    return result


def detect_api_version(host, port=DEFAULT_PORT, v3_port=DEFAULT_V3_PORT, timeout=3.0, version=None, use_cache=True):
    """``'v2'`` or ``'v3'`` for the miner at ``host`` (for the inventory plugin's
    ``whatsminer_api_version``). Never raises for an unreachable v3 port: that is ``'v2'``."""
    cache = ApiCache() if use_cache else None
    return detect(host, port, v3_port, timeout, version=version, cache=cache).api


class AutoClient:
    """The client of ``api_version: auto``: detects on first use, then delegates to a
    V2Client or V3Client. ``miner`` is known before detection (the same for both)."""

    def __init__(self, host, port=DEFAULT_PORT, password=None, timeout=10.0, v3_port=DEFAULT_V3_PORT, cache=None,
                 source=None):
        self.host = host
        self.port = int(port)
        self.v3_port = int(v3_port)
        self.password = password
        self.timeout = timeout
        self.source = source
        self.cache = cache if cache is not None else ApiCache()
        self.detection = None
        self._backend = None

    @property
    def miner(self):
        return '%s:%s' % (self.host, self.port)

    @property
    def api_version(self):
        return self._backend.api_version if self._backend else 'auto'

    @property
    def stats(self):
        return self._backend.stats if self._backend else {}

    @property
    def backend(self):
        if self._backend is None:
            self.detection = detect(self.host, self.port, self.v3_port, self.timeout, cache=self.cache,
                                    source=self.source, keep_connection=True)
            if self.detection.api == 'v3':
                self._backend = make_v3(self.host, self.port, self.password, self.timeout, self.v3_port, self.cache,
                                        self.source, salt=self.detection.salt, connection=self.detection.connection)
            else:
                self._backend = V2Client(self.host, port=self.port, password=self.password, timeout=self.timeout,
                                         source=self.source)
        return self._backend

    def read(self, command, **params):
        return self.backend.read(command, **params)

    def write(self, command, params=None):
        return self.backend.write(command, params)

    def wait_until_up(self, timeout, probe='status'):
        return self.backend.wait_until_up(timeout, probe)

    def upload_firmware(self, path, progress=None):
        """After a firmware change the API may change too: the cached answer is dropped and
        the wait afterwards uses v2 (which every firmware answers on 4028)."""
        result = self.backend.upload_firmware(path, progress)
        self.cache.drop(ApiCache.key(self.host, self.port, self.v3_port))
        if self._backend.api_version == 'v3':
            self._backend.close()
            self._backend = V2Client(self.host, port=self.port, password=self.password, timeout=self.timeout,
                                     source=self.source)
        return result

    def download_logs(self, handle):
        return self.backend.download_logs(handle)

    def forget_token(self):
        if self._backend is not None:
            self._backend.forget_token()

    def close(self):
        if self._backend is not None and hasattr(self._backend, 'close'):
            self._backend.close()


def make_v3(host, port, password, timeout, v3_port, cache=None, source=None, salt=None, connection=None):
    """A V3Client whose salt comes from and goes to the cache."""
    key = ApiCache.key(host, port, v3_port)
    if salt is None and cache is not None:
        entry = cache.get(key)
        salt = entry.get('salt') if entry and entry.get('api') == 'v3' else None
    on_salt = (lambda value: cache.remember_salt(key, value)) if cache is not None else None
    return V3Client(host, port=port, password=password, timeout=timeout, v3_port=v3_port, source=source, salt=salt,
                    connection=connection, on_salt=on_salt)


def client_for(params, cache=None):
    """The client for the task parameters: ``api_version`` auto (default), v2 or v3."""
    host = params['host']
    port = params.get('port') or DEFAULT_PORT
    v3_port = params.get('v3_port') or DEFAULT_V3_PORT
    timeout = params.get('timeout') or 10.0
    password = params.get('password')
    api = params.get('api_version') or 'auto'
    if api == 'v2':
        return V2Client(host, port=port, password=password, timeout=timeout)
    cache = cache if cache is not None else ApiCache()
    if api == 'v3':
        return make_v3(host, port, password, timeout, v3_port, cache)
    return AutoClient(host, port=port, password=password, timeout=timeout, v3_port=v3_port, cache=cache)
