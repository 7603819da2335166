# -*- coding: utf-8 -*-
"""Fixtures that start the simulator in-process (client tests) or as a subprocess
(ansible-playbook tests), always on ephemeral ports of loopback addresses."""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'simulator'))

from wmsim import Fleet  # noqa: E402  pylint: disable=wrong-import-position

# v3: firmware serving API v3 (modules auto-detect it) beside the reduced v2 of 2025.
FLAVORS = ('2022', '2025', 'v3')
PASSWORD = 'secret1'
_NEXT = itertools.count(2)


def loopback_hosts(count):
    """Distinct 127.0.x.y addresses per test (xdist workers use different ranges)."""
    worker = os.environ.get('PYTEST_XDIST_WORKER', 'gw0')
    base = 20 + int(''.join(ch for ch in worker if ch.isdigit()) or 0) * 20
    hosts = []
    for _index in range(count):
        n = next(_NEXT)
        hosts.append('127.%d.%d.%d' % (base + n // 60000, (n // 250) % 240, n % 250 + 2))
    return hosts


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch):
    """Each test gets its own token cache / last-applied directory."""
    monkeypatch.setenv('MINEROPS_WHATSMINER_STATE_DIR', str(tmp_path / 'state'))
    return tmp_path / 'state'


@pytest.fixture(params=FLAVORS)
def flavor(request):
    return request.param


@pytest.fixture
def fleet(flavor):
    """A small in-process fleet of one flavour, fast restarts."""
    with Fleet(loopback_hosts(3), port=0, password=PASSWORD, flavor=flavor,
               restart_seconds=0.6, reboot_seconds=0.9, v3_port=0) as running:
        yield running


def pytest_collection_modifyitems(config, items):
    """Keep `make test` within CI's budget without losing a path or a flavour.

    Every module test runs on the action path (in-process) against every firmware flavour,
    and on the module path (a Python process per host-task, ten times slower) against the
    2022 flavour. Both paths call the same engine with the same arguments, so what the module
    path can break is the path, not the firmware handling. WHATSMINER_FULL_MATRIX=1 runs the
    module path against every flavour too.
    """
    if os.environ.get('WHATSMINER_FULL_MATRIX'):
        return
    keep, drop = [], []
    for item in items:
        params = item.callspec.params if hasattr(item, 'callspec') else {}
        if params.get('path') == 'module' and params.get('flavor', '2022') != '2022':
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
