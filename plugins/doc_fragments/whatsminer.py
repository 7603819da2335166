# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation shared by every module: connection options, waits, write-only policy."""

from __future__ import annotations


class ModuleDocFragment:
    """Fragments referenced as minerops.whatsminer.whatsminer[.name]."""

    DOCUMENTATION = r'''
options:
  host:
    description:
      - Address or name of the miner's API.
      - Defaults to the inventory host's C(ansible_host), else its inventory name, so tasks
        normally run against the miners of the inventory without setting it.
    type: str
  port:
    description:
      - TCP port of the WhatsMiner API v2.
      - Defaults to the host variable C(whatsminer_port), else 4028.
    type: int
    default: 4028
  password:
    description:
      - The miner's admin password, needed for every write (reads need none).
      - Defaults to the host variable C(whatsminer_password). Keep it in Ansible Vault.
      - Never shown in any output; the controller caches only the write token derived from
        it (see the token cache in the user guide), never the password.
    type: str
  timeout:
    description:
      - Seconds to wait for the miner's first reply byte on each connection. The connect
        deadline is the smaller of this and 5 seconds; a whole reply must arrive within
        three times this value.
    type: float
    default: 10.0
  api_version:
    description:
      - Which API of the miner to use. Firmware from late 2024 on serves API v3 on O(v3_port)
        and only a reduced API v2 on O(port); older firmware has API v2 only.
      - V(auto) probes O(v3_port) once per miner and uses API v3 when it answers, API v2
        otherwise. The answer is cached for 15 minutes in the controller's private state
        directory, so a play detects each miner once.
      - V(v2) or V(v3) forces one. Every option of every module works with both; a command
        that API v3 lacks fails with "not supported by this firmware (API v3)". See
        C(docs/api-v3.md) for what is read and written where.
      - Defaults to the host variable C(whatsminer_api_version), else V(auto).
    type: str
    choices: [auto, v2, v3]
    default: auto
  v3_port:
    description:
      - TCP port of the WhatsMiner API v3.
      - Defaults to the host variable C(whatsminer_v3_port), else 4433.
    type: int
    default: 4433
notes:
  - Miners run no Python and no SSH. The module runs where the task runs (normally the
    controller, through the same-named action plugin, in-process) and talks TCP to the miner.
  - "Connection options can be set once for every module of the collection with
    C(module_defaults) and the action group C(group/minerops.whatsminer.whatsminer)."
  - With API v2, writes reuse one token per miner, shared by all tasks and processes of the
    controller, until it is 25 minutes old or the miner refuses it. This keeps below the
    miner's limit of 32 tokens per client address.
  - With API v3, each task uses one connection for all its requests (a miner serves at most
    10 clients) and signs each write with a fresh token computed from the password; the
    password is the one of the API v3 account C(super).
attributes:
  action:
    description: Runs in the controller worker through an action plugin of the same name.
    support: full
  action_group:
    description: Use C(group/minerops.whatsminer.whatsminer) in C(module_defaults) to set options.
    support: full
    membership:
      - minerops.whatsminer.whatsminer
  async:
    description: Runs async through the module path.
    support: full
  check_mode:
    description: Gathers and plans; sends nothing.
    support: full
  platform:
    description: Talks to MicroBT WhatsMiner miners over their TCP API.
    support: full
    platforms: whatsminer
'''

    WAIT = r'''
options:
  wait:
    description:
      - After a write that restarts btminer or the board, wait until the miner answers again
        and verify the result by reading it back.
      - With C(false) the task returns once the write is sent; nothing is verified.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the miner to come back and report the new value.
    type: int
    default: 300
'''

    WRITE_ONLY = r'''
options:
  update_write_only:
    description:
      - What to do with settings this firmware cannot report back (write-only).
      - V(on_change) writes such a setting when the desired value differs from what this
        controller last wrote to that miner, or when it has no record of it (first run, new
        controller). The record lives in the controller's private state directory
        (C($MINEROPS_WHATSMINER_STATE_DIR), default C(~/.ansible/minerops_whatsminer)).
        A change made by other tools is not seen.
      - V(always) writes them on every run; the task then reports C(changed) every time.
      - V(never) does not write them; they are listed in RV(skipped_write_only).
    type: str
    choices: [on_change, always, never]
    default: on_change
'''
