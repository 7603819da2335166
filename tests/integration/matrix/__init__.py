# -*- coding: utf-8 -*-
"""Fault matrix, bad-input matrix and secrets audit of minerops.whatsminer, as data.

- families.py: one row per module family (module, desired arguments, what it writes, where
  the simulator shows the result);
- faults.py: one row per fault the simulator can inject, and the expected outcome per family;
- bad_input.py: one row per invalid argument set, and the fragment the message must contain;
- runner.py: one simulator and one ansible-playbook run for a whole row of miners (one miner
  per cell), then per-cell checks;
- callback_plugins/matrix_results.py: every task result as a JSON line for the checks.

Adding a family is adding rows here; the tests iterate over the tables.
"""
