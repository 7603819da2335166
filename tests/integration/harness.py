# -*- coding: utf-8 -*-
"""Run ansible-playbook against a simulator subprocess, the way an operator would.

Why a subprocess simulator: ansible-playbook forks workers; the simulator must be a separate
peer with its own event loop, driven through its control channel (faults, counters).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIMULATOR = ROOT / 'tests' / 'simulator' / 'run_simulator.py'
PLAYBOOKS = Path(__file__).resolve().parent / 'playbooks'
sys.path.insert(0, str(ROOT / 'tests' / 'simulator'))

from wmsim.control import ControlClient  # noqa: E402  pylint: disable=wrong-import-position

RECAP = re.compile(r'^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)'
                   r'\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)'
                   r'\s+ignored=(?P<ignored>\d+)', re.M)


#: Set by tests/tools/audit_suite.py: every ansible-playbook output and what every simulator
#: issued (tokens, salts, passwords) are kept there, to be searched for secrets afterwards.
AUDIT_DIR = os.environ.get('WHATSMINER_AUDIT_DIR')


def audit_file(kind, text):
    """In an audited run, keep ``text`` in the audit directory (a new file each time)."""
    if not AUDIT_DIR:
        return
    path = Path(AUDIT_DIR) / ('%s-%d-%d.txt' % (kind, os.getpid(), time.monotonic_ns()))
    path.write_text(text, encoding='utf-8', errors='replace')


class SimulatorProcess:
    """``run_simulator.py`` in the background; stops on SIGTERM."""

    def __init__(self, workdir, hosts, flavor, password='secret1', extra=()):
        self.workdir = Path(workdir)
        self.hosts = list(hosts)
        ready = self.workdir / 'ready.json'
        self.state_file = self.workdir / 'sim-state.json'
        cmd = [sys.executable, str(SIMULATOR), '--hosts', ','.join(self.hosts), '--port', '0',
               '--password', password, '--flavor', flavor, '--ready-file', str(ready),
               '--state', str(self.state_file), '--restart-seconds', '0.6', '--reboot-seconds', '0.9',
               '--v3-port', '0']
        cmd.extend(extra)
        self.log = open(self.workdir / 'simulator.log', 'wb')  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        deadline = time.monotonic() + 20
        while not ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('simulator did not start: %s' % (self.workdir / 'simulator.log').read_text())
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        self.port = info['port']
        self.v3_port = info.get('v3_port')  # None unless some miner has the v3 flavour
        self.control = ControlClient(info['control_port'])

    def counters(self, host):
        return self.control.counters(host)

    def stop(self):
        if AUDIT_DIR and self.proc.poll() is None:
            try:
                issued = {host: dict(self.control.issued(host), password=self.control.state(host)['password'])
                          for host in self.hosts}
                audit_file('issued', json.dumps(issued))
            except (OSError, ValueError, KeyError) as exc:
                audit_file('issued-error', repr(exc))
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


class Run:
    """Result of one ansible-playbook run."""

    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout
        audit_file('output', ' '.join(str(arg) for arg in proc.args) + '\n' + (proc.stdout or ''))
        self.recap = {m.group('host'): {k: int(v) for k, v in m.groupdict().items() if k != 'host'}
                      for m in RECAP.finditer(proc.stdout)}

    def total(self, key):
        return sum(host[key] for host in self.recap.values())


def write_inventory(path, sim, group_vars=None):
    """An INI-free YAML inventory: miners by name, ansible_host = loopback address."""
    hosts = {'miner%02d' % i: {'ansible_host': host} for i, host in enumerate(sim.hosts, start=1)}
    data = {'all': {'children': {'miners': {'hosts': hosts}}, 'vars': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
        'whatsminer_port': sim.port, 'whatsminer_password': 'secret1'}}}
    if getattr(sim, 'v3_port', None):
        data['all']['vars']['whatsminer_v3_port'] = sim.v3_port
    if group_vars:
        data['all']['vars'].update(group_vars)
    Path(path).write_text(json.dumps(data, indent=1))
    return path


def ansible_playbook(playbook, inventory, state_dir, extra_args=(), env=None, module_path=False):
    environment = dict(os.environ)
    environment.update({
        'ANSIBLE_COLLECTIONS_PATH': str(ROOT / 'build' / 'collections'),
        'ANSIBLE_HOST_KEY_CHECKING': 'False', 'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0', 'ANSIBLE_DEPRECATION_WARNINGS': 'False',
        'ANSIBLE_LOCALHOST_WARNING': 'False', 'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
        'MINEROPS_WHATSMINER_STATE_DIR': str(state_dir), 'ANSIBLE_FORKS': '10',
    })
    if module_path:
        environment['MINEROPS_WHATSMINER_FORCE_MODULE'] = '1'
    else:
        environment.pop('MINEROPS_WHATSMINER_FORCE_MODULE', None)
    environment.update(env or {})
    bindir = Path(sys.executable).parent
    cmd = [str(bindir / 'ansible-playbook'), '-i', str(inventory), str(PLAYBOOKS / playbook)] + list(extra_args)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment,
                          timeout=300, check=False)
    return Run(proc)
