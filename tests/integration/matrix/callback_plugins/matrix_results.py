# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: every task result of a play as one JSON line per host and task.

Why: the fault and bad-input matrices run one ansible-playbook for a whole row of miners
(one miner per fault) and then check each miner's result. The stdout of the default callback
is made for people; this writes what the tests need, in the file named by the environment
variable MATRIX_RESULTS_FILE: ``{"host", "task", "action", "status", "result"}``.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: matrix_results
type: aggregate
short_description: Write each task result as a JSON line (tests of minerops.whatsminer)
description:
  - Appends one JSON object per host and task to the file named by E(MATRIX_RESULTS_FILE).
requirements:
  - enabled with E(ANSIBLE_CALLBACKS_ENABLED)
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'matrix_results'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, result, status):
        path = os.environ.get('MATRIX_RESULTS_FILE')
        if not path:
            return
        task = result.task if hasattr(result, 'task') else result._task  # pylint: disable=protected-access
        data = result.result if hasattr(result, 'result') else result._result  # pylint: disable=protected-access
        host = result.host if hasattr(result, 'host') else result._host  # pylint: disable=protected-access
        line = {'host': host.get_name(), 'task': task.get_name(), 'action': task.action, 'status': status,
                'result': data}
        with open(path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(line, default=str, sort_keys=True) + '\n')

    def v2_runner_on_ok(self, result):
        self._write(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, 'failed')

    def v2_runner_on_unreachable(self, result):
        self._write(result, 'unreachable')

    def v2_runner_on_skipped(self, result):
        self._write(result, 'skipped')
