# -*- coding: utf-8 -*-
"""Shared fixtures of the simulator tests: tests/simulator on sys.path, fleets that always stop."""

from __future__ import annotations

import os
import sys

import pytest

SIM_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SIM_DIR not in sys.path:
    sys.path.insert(0, SIM_DIR)
TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from wmsim import Fleet  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def make_fleet():
    """Factory for started fleets with short restart/reboot times; all are stopped afterwards."""
    fleets = []

    def factory(hosts=('127.0.0.2',), **kwargs):
        kwargs.setdefault('restart_seconds', 0.3)
        kwargs.setdefault('reboot_seconds', 0.4)
        fleet = Fleet(list(hosts), **kwargs)
        fleet.start()
        fleets.append(fleet)
        return fleet

    yield factory
    for fleet in fleets:
        fleet.stop()


@pytest.fixture
def fleet2022(make_fleet):
    """One 2022-flavour miner at 127.0.0.2."""
    return make_fleet(['127.0.0.2'], flavor='2022')


@pytest.fixture
def fleet2025(make_fleet):
    """One 2025-flavour miner at 127.0.0.3."""
    return make_fleet(['127.0.0.3'], flavor='2025')


@pytest.fixture(params=['2022', '2025'])
def fleet_any(request, make_fleet):
    """One miner of each flavour in turn (at 127.0.0.4)."""
    return make_fleet(['127.0.0.4'], flavor=request.param)
