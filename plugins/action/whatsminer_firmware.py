# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-process fast path of minerops.whatsminer.whatsminer_firmware (see plugin_utils/action_base.py).

On this path ``src`` is a file on the controller: a relative path is looked up like the
``src`` of ansible.builtin.copy (the role's or playbook's ``files/`` directory, then beside
the playbook). Upload progress is shown at verbosity ``-v`` and above.
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleError
from ansible.utils.display import Display

from ansible_collections.minerops.whatsminer.plugins.module_utils._firmware import FIRMWARE_SPEC, run_firmware
from ansible_collections.minerops.whatsminer.plugins.plugin_utils.action_base import WhatsminerAction

display = Display()


def run_with_progress(params, check_mode):
    """run_firmware, with progress lines (``-v``) naming the miner."""
    miner = '%s:%s' % (params.get('host'), params.get('port'))
    return run_firmware(params, check_mode, report=lambda text: display.v('%s: %s' % (miner, text)))


class ActionModule(WhatsminerAction):
    RUNNER = staticmethod(run_with_progress)
    MODULE = 'minerops.whatsminer.whatsminer_firmware'
    SPEC = FIRMWARE_SPEC

    def _connection_defaults(self, args, task_vars):
        """A relative ``src`` is searched in the role's and playbook's ``files/`` directories,
        but only on the fast path: the module path reads ``src`` on the host that runs it."""
        args = super()._connection_defaults(args, task_vars)
        src = args.get('src')
        if isinstance(src, str) and src and not os.path.isabs(os.path.expanduser(src)) and not self._use_module():
            try:
                args['src'] = self._find_needle('files', src)
            except AnsibleError:
                pass  # validation reports the missing file by the name the task gave
        return args
