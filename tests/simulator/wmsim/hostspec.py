# -*- coding: utf-8 -*-
"""Parsing of the ``--hosts`` option.

Why: a fleet is described on the command line as address ranges (``127.0.0.2-127.0.0.11`` or
``127.0.0.2-11``), comma lists and CIDR blocks (``127.0.1.0/28``, network and broadcast
addresses left out), and tests and the CLI must agree on the expansion.
"""

from __future__ import annotations

import ipaddress


def _expand_range(item):
    first, last = item.split('-', 1)
    start = ipaddress.IPv4Address(first.strip())
    last = last.strip()
    if '.' not in last:
        last = '.'.join(first.strip().split('.')[:3] + [last])
    end = ipaddress.IPv4Address(last)
    if end < start:
        raise ValueError('host range %r ends before it starts' % item)
    return [str(ipaddress.IPv4Address(value)) for value in range(int(start), int(end) + 1)]


def _expand_cidr(item):
    network = ipaddress.IPv4Network(item.strip(), strict=False)
    if network.prefixlen >= 31:
        return [str(address) for address in network]
    return [str(address) for address in network.hosts()]


def parse_hosts(spec):
    """Expand a host specification (string or list of strings) into a list of unique addresses."""
    items = []
    for part in ([spec] if isinstance(spec, str) else list(spec)):
        items.extend(piece.strip() for piece in str(part).split(',') if piece.strip())
    hosts = []
    for item in items:
        if '/' in item:
            expanded = _expand_cidr(item)
        elif '-' in item:
            expanded = _expand_range(item)
        else:
            expanded = [str(ipaddress.IPv4Address(item))]
        for host in expanded:
            if host not in hosts:
                hosts.append(host)
    if not hosts:
        raise ValueError('no hosts in %r' % (spec,))
    return hosts
