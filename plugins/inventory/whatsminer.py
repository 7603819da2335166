# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory of WhatsMiner miners discovered by scanning networks on the API port.

Why a scanner of its own rather than nmap: a miner is not "a host with port 4028 open" but a
host that answers a WhatsMiner read; the same reads give the host variables (model,
firmware, MAC...) through the collection's client and facts normalisers, so that the
inventory and ``whatsminer_facts`` never disagree about a value.

Cost per address: one connection attempt (``get_version``) for an address that is not a
miner; three for a miner on 2025 firmware, four on 2022-era firmware (``devdetails`` names
the model there), plus one probe of the API v3 port on 2024+ firmware when
``detect_api_version`` is on. Every connection is bounded by ``timeout``; the number of
addresses in flight by ``concurrency``.
"""

from __future__ import annotations

DOCUMENTATION = r'''
name: whatsminer
short_description: Discover WhatsMiner miners by scanning networks
version_added: 0.1.0
description:
  - Scans networks (CIDR blocks, address ranges, single addresses or names) for MicroBT
    WhatsMiner miners on their API port and adds every miner found as a host.
  - A miner is an address that answers a WhatsMiner read (C(get_version), or C(summary) on
    firmware without it). Reads need no credentials; nothing is written to any miner.
  - Addresses that refuse the connection, do not answer within O(timeout) or answer something
    that is not a WhatsMiner are skipped without a warning; their number is shown with C(-vvv).
  - Host variables from the miner (C(whatsminer_model), C(whatsminer_firmware),
    C(whatsminer_api_version), C(whatsminer_api_release), C(whatsminer_mac),
    C(whatsminer_hostname), C(whatsminer_serial), C(whatsminer_power_mode),
    C(whatsminer_flavour)) plus C(ansible_host) (the address the miner answered at) and
    C(whatsminer_port) are set on every host. A value the miner does not report is null.
    Every value read from the network is marked unsafe, so a miner cannot inject templates.
  - C(whatsminer_api_version) is V(v2) or V(v3), the API the modules of this collection then
    use for that miner (their O(minerops.whatsminer.whatsminer_facts#module:api_version)
    option defaults to this variable). Firmware from late 2024 on that answers on O(v3_port) is
    V(v3); C(whatsminer_v3_port) is set on those hosts. With O(detect_api_version=false) the
    variable is not set and the modules detect the API themselves.
  - Uses the files ending in C(whatsminer.yml) or C(whatsminer.yaml).
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; this file is a C(minerops.whatsminer.whatsminer) inventory source.
    type: str
    required: true
    choices: [minerops.whatsminer.whatsminer]
  networks:
    description:
      - What to scan. Each entry is a CIDR block (V(10.20.0.0/22); the network and broadcast
        addresses of blocks larger than /31 are left out), a range of addresses
        (V(10.20.1.10-10.20.1.90), or V(10.20.1.10-90) within one /24), or a single address
        or DNS name (V(miner-07.site.example)).
      - Addresses are scanned in address order; an address listed twice is scanned once.
    type: list
    elements: str
    required: true
  exclude:
    description:
      - Addresses never contacted, in the same forms as O(networks) (a DNS name excludes
        only the same name listed in O(networks)).
    type: list
    elements: str
    default: []
  port:
    description:
      - TCP port of the WhatsMiner API v2 on every address. Set as C(whatsminer_port) on
        every host.
    type: int
    default: 4028
  v3_port:
    description:
      - TCP port of the WhatsMiner API v3, probed on miners whose firmware dates from
        2024-11 or later when O(detect_api_version=true). Set as C(whatsminer_v3_port) on the
        hosts found to answer API v3.
    type: int
    default: 4433
  detect_api_version:
    description:
      - Probe each miner on 2024+ firmware for API v3 (one connection to O(v3_port)) and set
        C(whatsminer_api_version) to V(v2) or V(v3).
      - The answer is also kept in the collection's private state directory for 15 minutes,
        as the modules' own detection does, so the first tasks need no probe.
      - With V(false) no v3 probe is made and C(whatsminer_api_version) is not set.
    type: bool
    default: true
  timeout:
    description:
      - Seconds allowed for the TCP connection (at most 5) and for the first byte of each
        reply. An address that is silent (no refusal) costs this long once.
      - A scan takes at most about (addresses / O(concurrency)) x O(timeout) when nothing
        answers; miners answer in milliseconds.
    type: float
    default: 3.0
  concurrency:
    description:
      - How many addresses are probed at the same time (threads), from 1 to 1024. Each
        thread holds at most one connection.
    type: int
    default: 128
  max_addresses:
    description:
      - Upper limit on the number of addresses one scan may cover, from 1 to 1048576; a
        larger O(networks) fails before anything is contacted (a typo such as V(/8) for
        V(/24) would otherwise scan 16 million addresses).
    type: int
    default: 65536
  host_naming:
    description:
      - Inventory name of each miner.
      - V(hostname) is the hostname the miner reports; V(mac) is its MAC address in lower
        case with dashes (V(c6-07-20-1a-2b-3c)); V(ip) is the address it answered at (the
        entry of O(networks) for a DNS name).
      - When the chosen value is missing, is not a valid host name (letters, digits, C(.),
        C(_), C(-)), or is shared by several miners (factory hostnames often are), those
        miners are named by their address instead, with a warning.
    type: str
    choices: [hostname, mac, ip]
    default: hostname
  group:
    description:
      - Group every discovered miner is added to. An empty string adds them to no group of
        their own (only to C(all) and the groups built by O(groups) and O(keyed_groups)).
    type: str
    default: whatsminer
  vars:
    description:
      - Variables set on every discovered host, after the variables read from the miner
        (they win over those) and before O(compose).
      - Typically C(ansible_connection=local) and C(whatsminer_password) (from Ansible Vault,
        or a lookup; values are templated when used, like any inventory variable).
    type: dict
    default: {}
notes:
  - Runs on the controller and needs only the Python standard library and ansible-core; the
    miners need no credentials for the reads made here.
  - With caching on (O(cache=true)), the scan result is reused until O(cache_timeout) passes
    or the scan options (O(networks), O(exclude), O(port), O(v3_port), O(detect_api_version),
    O(max_addresses)) change; C(ansible-inventory --flush-cache) forces a scan. Naming, O(vars)
    and the constructed options are applied on every run.
  - Variables read from the miner are host variables of the inventory, so they win over
    C(group_vars) files; override them with O(vars) or O(compose) if needed.
seealso:
  - module: minerops.whatsminer.whatsminer_facts
  - plugin: ansible.builtin.constructed
    plugin_type: inventory
'''

EXAMPLES = r'''
# site-a.whatsminer.yml: every miner of two racks, named by the hostname it reports
plugin: minerops.whatsminer.whatsminer
networks:
  - 10.20.0.0/22
  - 10.20.8.10-10.20.8.90
exclude:
  - 10.20.0.1
vars:
  ansible_connection: local
  whatsminer_password: "{{ lookup('ansible.builtin.env', 'WHATSMINER_PASSWORD') }}"

# Result (ansible-inventory -i site-a.whatsminer.yml --host WhatsMiner-2-17):
#   {"ansible_connection": "local", "ansible_host": "10.20.2.17",
#    "whatsminer_api_release": "2.0.5", "whatsminer_api_version": "v2",
#    "whatsminer_firmware": "20220125.13.Rel", "whatsminer_flavour": "2022",
#    "whatsminer_hostname": "WhatsMiner-2-17", "whatsminer_mac": "C6:07:20:1A:2B:3C",
#    "whatsminer_model": "M30S+VE40", "whatsminer_port": 4028,
#    "whatsminer_power_mode": "normal", "whatsminer_serial": "HEX7...",
#    "whatsminer_password": "..."}

---
# by-model.whatsminer.yml: groups by model and firmware, a site variable, cached for an hour
plugin: minerops.whatsminer.whatsminer
networks: [10.20.0.0/22]
host_naming: mac
concurrency: 256
timeout: 2
keyed_groups:
  - key: whatsminer_model
    prefix: model
  - key: whatsminer_firmware
    prefix: firmware
groups:
  api_v3: whatsminer_api_version == 'v3'
  low_power: whatsminer_power_mode == 'low'
compose:
  site: "'a'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 3600

# Then, for example:
#   ansible-inventory -i by-model.whatsminer.yml --graph
#   @all:
#     |--@ungrouped:
#     |--@whatsminer:
#     |  |--c6-07-20-1a-2b-3c
#     |  |--...
#     |--@model_M30S_VE40:
#     |  |--c6-07-20-1a-2b-3c
#     |--@firmware_20220125_13_Rel:
#     ...
#   ansible-playbook -i by-model.whatsminer.yml site.yml --limit model_M50VH20
'''

import hashlib
import ipaddress
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

try:  # ansible-core releases that provide it
    from ansible.utils.unsafe_proxy import make_unsafe
except ImportError:
    try:
        # ansible-core 2.19+: wrap_var recursively drops the "trusted as template" mark (plain
        # strings from the network carry none, so this is a guarantee, not a conversion).
        from ansible.utils.unsafe_proxy import wrap_var as make_unsafe
    except ImportError:  # a future ansible-core without unsafe_proxy: untagged data is untrusted
        def make_unsafe(value):
            return value

from ansible_collections.minerops.whatsminer.plugins.module_utils import _values as v
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import DEFAULT_PORT, V2Client
from ansible_collections.minerops.whatsminer.plugins.module_utils._client_v3 import DEFAULT_V3_PORT
from ansible_collections.minerops.whatsminer.plugins.module_utils._detect import ApiCache, detect
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import (
    BtminerDownError, CommandError, UnsupportedError, WhatsminerError)
from ansible_collections.minerops.whatsminer.plugins.module_utils._fact_sections import (
    network_facts, status_facts, summary_facts, version_facts)
from ansible_collections.minerops.whatsminer.plugins.module_utils._facts import Reads
from ansible_collections.minerops.whatsminer.plugins.module_utils._v3_map import api_from_version

PLUGIN = 'minerops.whatsminer.whatsminer'
MAX_CONCURRENCY = 1024
MAX_ADDRESS_LIMIT = 1 << 20
NAMINGS = ('hostname', 'mac', 'ip')
#: Host variables read from the miner (besides ansible_host and the ports), in output order.
MINER_VARS = ('model', 'firmware', 'api_version', 'api_release', 'mac', 'hostname', 'serial', 'power_mode',
              'flavour')
#: Keys of a summary record that only WhatsMiner firmware sends (firmware without get_version).
_WHATSMINER_SUMMARY_KEYS = ('Power Mode', 'Btminer Fast Boot', 'Firmware Version', 'Power Limit', 'Factory GHS')
_VALID_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$')
_NAME_ENTRY = re.compile(r'^[A-Za-z0-9._-]+$')
_NUMERIC = re.compile(r'^[0-9.-]+$')  # looks like an address but is not one: a typo, not a name
_FORMS = 'a CIDR block (10.20.0.0/22), a range (10.20.1.10-10.20.1.90 or 10.20.1.10-90) or an address or DNS name'


# ---------------------------------------------------------------------------------- addresses
class _Entry:
    """One entry of ``networks``/``exclude``: a network, a range of integers, or a name."""

    __slots__ = ('text', 'network', 'first', 'last', 'name')

    def __init__(self, text, network=None, first=None, last=None, name=None):
        self.text = text
        self.network = network
        self.first = first
        self.last = last
        self.name = name

    @property
    def size(self):
        if self.network is not None:
            return _hosts_count(self.network)
        if self.first is not None:
            return int(self.last) - int(self.first) + 1
        return 1

    def addresses(self):
        if self.network is not None:
            if self.network.num_addresses <= 2:
                return (str(address) for address in self.network)
            return (str(address) for address in self.network.hosts())
        if self.first is not None:
            cls = type(self.first)
            return (str(cls(number)) for number in range(int(self.first), int(self.last) + 1))
        return iter((self.name,))

    def contains(self, address, text):
        if self.name is not None:
            return text == self.name
        if address is None:
            return False
        if self.network is not None:
            return address.version == self.network.version and address in self.network
        return address.version == self.first.version and self.first <= address <= self.last


def _hosts_count(network):
    if network.num_addresses <= 2:
        return network.num_addresses
    return network.num_addresses - (2 if network.version == 4 else 1)


def parse_entry(text, option):
    """One entry of ``networks``/``exclude`` -> _Entry; ValueError naming the option."""
    entry = str(text).strip()
    if not entry:
        raise ValueError('%s: empty entry; each entry must be %s' % (option, _FORMS))
    if '/' in entry:
        try:
            return _Entry(entry, network=ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError('%s: %r is not a valid CIDR block (%s); each entry must be %s'
                             % (option, entry, exc, _FORMS)) from exc
    if '-' in entry:
        start_text, end_text = (part.strip() for part in entry.split('-', 1))
        try:
            start = ipaddress.ip_address(start_text)
        except ValueError:
            start = None  # a DNS name with a dash (miner-07.example)
        if start is not None:
            try:
                if start.version == 4 and end_text.isdigit():
                    end = ipaddress.ip_address('.'.join(start_text.split('.')[:3] + [end_text]))
                else:
                    end = ipaddress.ip_address(end_text)
            except ValueError as exc:
                raise ValueError('%s: %r is not a valid address range (%s); each entry must be %s'
                                 % (option, entry, exc, _FORMS)) from exc
            if end.version != start.version or end < start:
                raise ValueError('%s: the range %r ends before it starts; each entry must be %s'
                                 % (option, entry, _FORMS))
            return _Entry(entry, first=start, last=end)
    try:
        address = ipaddress.ip_address(entry)
    except ValueError:
        if not _NAME_ENTRY.match(entry) or _NUMERIC.match(entry):
            raise ValueError('%s: %r is neither an address nor a DNS name; each entry must be %s'
                             % (option, entry, _FORMS)) from None
        return _Entry(entry, name=entry)
    return _Entry(entry, first=address, last=address)


def expand_targets(networks, exclude=(), limit=65536):
    """The addresses (and names) to probe, each once, addresses in address order then names
    in the order given. Raises ValueError naming the option on bad input or a scan too large;
    nothing is expanded before the size is checked."""
    entries = [parse_entry(item, 'networks') for item in networks or []]
    if not entries:
        raise ValueError('networks: list at least one entry; each entry must be %s' % _FORMS)
    excluded = [parse_entry(item, 'exclude') for item in exclude or []]
    total = sum(entry.size for entry in entries)
    if total > limit:
        raise ValueError('networks: %d addresses to scan, more than max_addresses (%d); narrow networks '
                         'or raise max_addresses (1 to %d)' % (total, limit, MAX_ADDRESS_LIMIT))
    seen, addresses, names = set(), [], []
    for entry in entries:
        for text in entry.addresses():
            if text in seen:
                continue
            seen.add(text)
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                address = None
            if any(ex.contains(address, text) for ex in excluded):
                continue
            if address is None:
                names.append(text)
            else:
                addresses.append(address)
    addresses.sort(key=lambda address: (address.version, address))
    return [str(address) for address in addresses] + names


# ---------------------------------------------------------------------------------- probing
class NotAMiner(Exception):
    """The address did not answer like a WhatsMiner; ``reason`` is a short word for counts."""

    def __init__(self, reason, detail=''):
        super().__init__(detail or reason)
        self.reason = reason


def _safe(builder, reads):
    """One facts section; a read failing on its own leaves the section empty."""
    try:
        return builder(reads)
    except WhatsminerError:
        return {}


def _identify(client, reads):
    """Whether the peer is a WhatsMiner: (version message, btminer down). Raises NotAMiner."""
    try:
        reply = client.read('get_version')
    except BtminerDownError:
        reads.replies['get_version'] = None
        return {}, True  # only the WhatsMiner API front end answers this way
    except (UnsupportedError, CommandError):
        reply = None  # it speaks the API's JSON but has no get_version: older firmware?
    except WhatsminerError as exc:
        raise NotAMiner(exc.kind, str(exc)) from None
    reads.replies['get_version'] = reply
    msg = reply.msg if reply is not None and isinstance(reply.msg, dict) else {}
    if msg.get('fw_ver') or msg.get('api_ver'):
        return msg, False
    try:
        summary = client.read('summary')
    except BtminerDownError:
        reads.replies['summary'] = None
        return {}, True
    except WhatsminerError as exc:
        raise NotAMiner('not_whatsminer', 'get_version without versions, summary failed: %s' % exc) from None
    reads.replies['summary'] = summary
    record = summary.record('SUMMARY')
    if isinstance(record, dict) and any(key in record for key in _WHATSMINER_SUMMARY_KEYS):
        return {}, False
    raise NotAMiner('not_whatsminer', 'answers JSON but not like a WhatsMiner')


def probe(address, port=DEFAULT_PORT, timeout=3.0, v3_port=DEFAULT_V3_PORT, detect_api=True, api_cache=None,
          client_factory=V2Client, detector=detect):
    """What one address tells about itself: a record of plain values (``address`` plus
    MINER_VARS), or NotAMiner. Reads only; each command at most once."""
    client = client_factory(address, port=port, timeout=timeout)
    reads = Reads(client)
    version_msg, down = _identify(client, reads)
    version = _safe(version_facts, reads) if version_msg else {}
    network = _safe(network_facts, reads) if not down else {}
    status = _safe(status_facts, reads) if not down else {}
    power_mode = status.get('power_mode')
    if power_mode is None and not down:
        power_mode = _safe(summary_facts, reads).get('power_mode')
    firmware = version.get('firmware') or status.get('firmware')
    generation = api_from_version(version_msg or ({'fw_ver': firmware} if firmware else None))
    api = None
    if detect_api and not down:
        try:
            api = detector(address, port, v3_port, timeout, version=version_msg or None, cache=api_cache).api
        except (WhatsminerError, OSError):
            api = None
    return {
        'address': address,
        'model': version.get('model'),
        'firmware': firmware,
        'api_version': api,
        'api_release': version.get('api_version'),
        'mac': network.get('mac'),
        'hostname': network.get('hostname'),
        'serial': network.get('serial'),
        'power_mode': power_mode,
        'flavour': {'v3': '2025', 'v2': '2022'}.get(generation),
        'btminer_down': down,
    }


def scan(targets, probe_one, concurrency, clock=time.monotonic, on_skip=None):
    """Probe every target with at most ``concurrency`` threads.

    Returns ``(records, stats)``: records in target order, stats counting each outcome
    (``miners``, ``unreachable``/``timeout``/... by error kind, ``errors`` for unexpected
    exceptions with ``first_error``) and the wall time. ``on_skip(target, reason, detail)``
    is called for every address that is not a miner.
    """
    started = clock()
    results = [None] * len(targets)
    stats = {'addresses': len(targets), 'miners': 0}
    lock = threading.Lock()

    def work(index, target):
        try:
            results[index] = probe_one(target)
            outcome, detail = 'miners', None
        except NotAMiner as exc:
            outcome, detail = exc.reason, None
            if on_skip is not None:
                on_skip(target, exc.reason, str(exc))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            outcome, detail = 'errors', '%s: %s: %s' % (target, type(exc).__name__, exc)
        with lock:
            stats[outcome] = stats.get(outcome, 0) + 1
            if detail and 'first_error' not in stats:
                stats['first_error'] = detail

    if targets:
        workers = max(1, min(int(concurrency), len(targets)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix='whatsminer-scan') as pool:
            futures = [pool.submit(work, index, target) for index, target in enumerate(targets)]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    stats['seconds'] = round(clock() - started, 3)
    return [record for record in results if record is not None], stats


# ---------------------------------------------------------------------------------- naming
def mac_name(mac):
    text = v.to_text(mac)
    return text.lower().replace(':', '-') if text else None


def host_names(records, naming):
    """``[(name, record)]`` and the addresses that fell back to their address (missing,
    invalid or shared names)."""
    wanted = []
    for record in records:
        if naming == 'ip':
            name = record['address']
        elif naming == 'mac':
            name = mac_name(record.get('mac'))
        else:
            name = v.to_text(record.get('hostname'))
        wanted.append(name if name and _VALID_NAME.match(name) else None)
    counts = {}
    for name in wanted:
        if name:
            counts[name] = counts.get(name, 0) + 1
    named, fallbacks, used = [], [], set()
    for name, record in zip(wanted, records):
        if naming != 'ip' and (not name or counts[name] > 1):
            fallbacks.append(record['address'])
            name = record['address']
        if name in used:  # an address equal to another miner's hostname: keep both apart
            name = '%s_%s' % (name, record['address'])
        used.add(name)
        named.append((name, record))
    return named, fallbacks


def host_vars(record, port, v3_port):
    """Host variables of one record (plain values; marked unsafe by the caller)."""
    hostvars = {'ansible_host': record['address'], 'whatsminer_port': port}
    for key in MINER_VARS:
        if key == 'api_version' and record.get('api_version') is None:
            continue  # not detected: the modules detect it themselves
        hostvars['whatsminer_' + key] = record.get(key)
    if record.get('api_version') == 'v3':
        hostvars['whatsminer_v3_port'] = v3_port
    return hostvars


# ---------------------------------------------------------------------------------- plugin
class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Hosts = WhatsMiner miners answering on the scanned networks."""

    NAME = PLUGIN

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('whatsminer.yml', 'whatsminer.yaml'))

    def _settings(self):
        """Validated options; AnsibleParserError naming the option and the allowed values."""
        settings = {name: self.get_option(name) for name in (
            'networks', 'exclude', 'port', 'v3_port', 'detect_api_version', 'timeout', 'concurrency',
            'max_addresses', 'host_naming', 'group', 'vars')}
        for name in ('port', 'v3_port'):
            if not 1 <= int(settings[name]) <= 65535:
                raise AnsibleParserError('%s must be a TCP port from 1 to 65535, got %s' % (name, settings[name]))
        if not 0 < float(settings['timeout']) <= 300:
            raise AnsibleParserError('timeout must be more than 0 and at most 300 seconds, got %s' % settings['timeout'])
        if not 1 <= int(settings['concurrency']) <= MAX_CONCURRENCY:
            raise AnsibleParserError('concurrency must be from 1 to %d, got %s' % (MAX_CONCURRENCY, settings['concurrency']))
        if not 1 <= int(settings['max_addresses']) <= MAX_ADDRESS_LIMIT:
            raise AnsibleParserError('max_addresses must be from 1 to %d, got %s'
                                     % (MAX_ADDRESS_LIMIT, settings['max_addresses']))
        if settings['host_naming'] not in NAMINGS:
            raise AnsibleParserError('host_naming must be one of %s, got %s' % (', '.join(NAMINGS), settings['host_naming']))
        if not isinstance(settings['vars'] or {}, dict):
            raise AnsibleParserError('vars must be a dictionary of variables, got %s' % type(settings['vars']).__name__)
        try:
            settings['targets'] = expand_targets(settings['networks'], settings['exclude'], int(settings['max_addresses']))
        except ValueError as exc:
            raise AnsibleParserError(str(exc)) from None
        return settings

    @staticmethod
    def _fingerprint(settings):
        """What the cached scan depends on."""
        data = [settings[name] for name in ('networks', 'exclude', 'port', 'v3_port', 'detect_api_version',
                                            'max_addresses')]
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode('utf-8')).hexdigest()

    def _scan(self, settings):
        cache = ApiCache() if settings['detect_api_version'] else None

        def probe_one(target):
            return probe(target, port=int(settings['port']), timeout=float(settings['timeout']),
                         v3_port=int(settings['v3_port']), detect_api=settings['detect_api_version'],
                         api_cache=cache)

        def skipped_one(target, reason, detail):
            self.display.vvvv('%s: skipped %s (%s): %s' % (PLUGIN, target, reason, detail))

        records, stats = scan(settings['targets'], probe_one, int(settings['concurrency']), on_skip=skipped_one)
        skipped = ', '.join('%s %d' % (key, count) for key, count in sorted(stats.items())
                            if key not in ('addresses', 'miners', 'seconds', 'first_error'))
        self.display.vvv('%s: scanned %d addresses in %.1fs with %d threads: %d miners; skipped: %s'
                         % (PLUGIN, stats['addresses'], stats['seconds'], int(settings['concurrency']),
                            stats['miners'], skipped or 'none'))
        if stats.get('errors'):
            self.display.warning('%s: %d addresses could not be probed because of an unexpected error '
                                 '(first: %s)' % (PLUGIN, stats['errors'], stats['first_error']))
        return records

    def _populate(self, records, settings):
        named, fallbacks = host_names(records, settings['host_naming'])
        if fallbacks:
            self.display.warning('%s: %d miners have no usable or a shared %s and are named by their address: %s'
                                 % (PLUGIN, len(fallbacks), settings['host_naming'], ', '.join(fallbacks[:10])
                                    + (', ...' if len(fallbacks) > 10 else '')))
        group = settings['group']
        if group:
            group = self.inventory.add_group(group)
        extra = settings['vars'] or {}
        strict = self.get_option('strict')
        for name, record in named:
            # Everything that came from the network is marked unsafe before it enters the
            # inventory: a miner's hostname such as "{{ lookup('pipe', ...) }}" stays text.
            name = make_unsafe(name)
            hostvars = make_unsafe(host_vars(record, int(settings['port']), int(settings['v3_port'])))
            self.inventory.add_host(name, group=group or None)
            for key, value in hostvars.items():
                self.inventory.set_variable(name, key, value)
            for key, value in extra.items():
                self.inventory.set_variable(name, key, value)
            variables = dict(hostvars)
            variables.update(extra)
            self._set_composite_vars(self.get_option('compose'), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, name, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        settings = self._settings()
        fingerprint = self._fingerprint(settings)
        cache_key = self.get_cache_key(path)
        user_cache = self.get_option('cache')
        read_cache = user_cache and cache
        update_cache = user_cache and not cache
        records = None
        if read_cache:
            try:
                cached = self._cache[cache_key]
            except KeyError:
                update_cache = True
            else:
                if isinstance(cached, dict) and cached.get('fingerprint') == fingerprint \
                        and isinstance(cached.get('records'), list):
                    records = cached['records']
                    self.display.vvv('%s: %d miners from the cache' % (PLUGIN, len(records)))
                else:
                    update_cache = True
        if records is None:
            records = self._scan(settings)
        if update_cache:
            self._cache[cache_key] = {'fingerprint': fingerprint, 'records': records}
        self._populate(records, settings)
