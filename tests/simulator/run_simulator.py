#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""Run a fleet of simulated WhatsMiner miners in the foreground (see README.md beside this file).

Example: run_simulator.py --hosts 127.0.0.2-127.0.0.11 --port 4028 --password secret --flavor 2022 --state /tmp/state.json
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    from wmsim.cli import main  # noqa: E402  pylint: disable=wrong-import-position
except ImportError as exc:
    sys.stderr.write('run_simulator: %s\n' % exc)
    sys.exit(2)

if __name__ == '__main__':
    sys.exit(main())
