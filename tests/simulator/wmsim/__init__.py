# -*- coding: utf-8 -*-
"""wmsim: a WhatsMiner API v2 miner simulator for the minerops.whatsminer collection's tests.

``from wmsim import Fleet``; see tests/simulator/README.md.
"""

from __future__ import annotations

from .control import ControlClient, ControlError
from .fleet import Fleet
from .firmware import write_image
from .miner import Miner

__all__ = ['ControlClient', 'ControlError', 'Fleet', 'Miner', 'write_image']
