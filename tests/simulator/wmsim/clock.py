# -*- coding: utf-8 -*-
"""The simulated wall clock shared by a fleet.

Why: token lifetimes are 30 minutes and pre_power_on takes a while; tests cannot wait that
long, so every miner reads time from this clock, which follows real time plus an offset that
``Fleet.advance_clock`` moves forward.  Down windows (restart, reboot) use real monotonic time
instead, because they must really pass for a client polling the miner.
"""

from __future__ import annotations

import threading
import time


class SimClock:
    """Real time plus an adjustable offset, in Unix seconds."""

    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self):
        """Current simulated Unix time (float)."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds):
        """Move the clock forward (or back, with a negative value); return the new time."""
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    @property
    def offset(self):
        """Seconds added to real time so far."""
        with self._lock:
            return self._offset
