# -*- coding: utf-8 -*-
"""playbooks/firmware.yml and the minerops.whatsminer.firmware_rollout role against the
simulator: check mode, batches with an allow-list (a miner of another model is skipped),
idempotent rerun; a failure that stops the rollout (max_fail_percentage), its summary with
the miners not reached yet, and the rerun that continues; every kind of failure recorded
(interrupted upload, old version after the reboot, a miner that never returns, a miner that
does not hash afterwards); a bad checksum that sends nothing."""

from __future__ import annotations

import hashlib
import json
import sys

import pytest

from .conftest import loopback_hosts
from .harness import ROOT, SimulatorProcess, ansible_playbook, write_inventory

sys.path.insert(0, str(ROOT / 'tests' / 'simulator'))

from wmsim.firmware import write_image  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = str(ROOT / 'playbooks' / 'firmware.yml')
NEW = '20250301.10.Rel'
IMAGE_SIZE = 512 * 1024
#: Every model the simulator has: a glob, an exact name with a regex metacharacter, a '?'.
ALL_MODELS = ['M50*', 'M30S+VE40', 'M60SVK3?']
#: The failure cases run on both API v2 generations; the v3 flavour runs the main test (the
#: module's own tests cover every failure on v3).
FAILURE_FLAVORS = ('2022', '2025')


def start(tmp_path, flavor, count):
    return SimulatorProcess(tmp_path, loopback_hosts(count), flavor)


@pytest.fixture
def image(tmp_path):
    return write_image(str(tmp_path / 'image.bin'), NEW, IMAGE_SIZE)


def inventory(tmp_path, sim, image, host_vars=None, **group_vars):
    values = {'firmware_rollout_src': image, 'firmware_rollout_version': NEW,
              'firmware_summary_file': str(tmp_path / 'summary.json'),
              'firmware_rollout_hashrate_delay': 1, 'firmware_rollout_hashrate_timeout': 3,
              'firmware_rollout_wait_timeout': 20}
    values.update(group_vars)
    path = write_inventory(tmp_path / 'inventory.json', sim, values)
    data = json.loads(path.read_text())
    for host, extra in (host_vars or {}).items():
        data['all']['children']['miners']['hosts'][host].update(extra)
    path.write_text(json.dumps(data, indent=1))
    return path


def playbook(sim, inv, state, extra_vars, extra_args=(), module_path=False):
    """playbooks/firmware.yml; play keywords (hosts, serial, max_fail_percentage) take extra vars."""
    extra_vars = dict({'firmware_hosts': 'miners'}, **extra_vars)
    return ansible_playbook(PLAYBOOK, inv, state, ['-e', json.dumps(extra_vars)] + list(extra_args),
                            module_path=module_path)


def summary(tmp_path):
    return json.loads((tmp_path / 'summary.json').read_text())


def versions(sim):
    return [sim.control.state(host)['firmware_version'] for host in sim.hosts]


def write_requests(sim):
    return sum(sim.counters(host)['write_requests'] for host in sim.hosts)


@pytest.mark.parametrize('path', ('action', 'module'))
def test_rollout_check_batches_allow_list_and_rerun(tmp_path, flavor, image, private_state, path):
    sim = start(tmp_path, flavor, 4)
    try:
        module_path = path == 'module'
        old = versions(sim)
        inv = inventory(tmp_path, sim, image, host_vars={'miner04': {'firmware_rollout_models': ['S19*']}},
                        firmware_rollout_models=ALL_MODELS, firmware_rollout_platforms=['h6*'])
        serial = {'firmware_serial': [1, 3]}

        check = playbook(sim, inv, private_state, serial, ['--check'], module_path=module_path)
        assert check.rc == 0, check.output
        assert write_requests(sim) == 0 and versions(sim) == old
        report = summary(tmp_path)
        assert report['check_mode'] is True
        assert report['would_upgrade'] == ['miner01', 'miner02', 'miner03'] and report['skipped'] == ['miner04']
        assert check.total('changed') == 3, check.output

        first = playbook(sim, inv, private_state, serial, module_path=module_path)
        assert first.rc == 0, first.output
        report = summary(tmp_path)
        assert report['counts'] == {'upgraded': 3, 'would_upgrade': 0, 'current': 0, 'skipped': 1, 'failed': 0,
                                    'pending': 0}, report
        assert versions(sim)[:3] == [NEW] * 3 and versions(sim)[3] == old[3]
        skipped = [row for row in report['miners'] if row['host'] == 'miner04'][0]
        assert 'is not in firmware_rollout_models (S19*)' in skipped['msg']
        upgraded = [row for row in report['miners'] if row['host'] == 'miner01'][0]
        assert upgraded['version_before'] == old[0] and upgraded['version_after'] == NEW
        assert upgraded['upload']['bytes'] == IMAGE_SIZE and upgraded['hashrate_ths'] > 0
        assert 'PLAY [Roll out WhatsMiner firmware]' in first.output and first.output.count('TASK [Show the summary]') == 2

        second = playbook(sim, inv, private_state, serial, module_path=module_path)
        assert second.rc == 0, second.output
        assert second.total('changed') == 0, second.output
        report = summary(tmp_path)
        assert report['current'] == ['miner01', 'miner02', 'miner03'] and report['skipped'] == ['miner04']
        uploads = sum(sim.counters(host)['commands'].get(name, 0) for host in sim.hosts
                      for name in ('update_firmware', 'set.system.update_firmware'))
        assert uploads == 3
    finally:
        sim.stop()


@pytest.mark.parametrize('flavor', FAILURE_FLAVORS)
def test_failure_stops_the_rollout_and_a_rerun_continues(tmp_path, flavor, image, private_state):
    sim = start(tmp_path, flavor, 5)
    try:
        old = versions(sim)
        sim.control.fault(sim.hosts[1], 'boots_old_version')
        inv = inventory(tmp_path, sim, image)
        run = playbook(sim, inv, private_state, {'firmware_serial': 1})
        assert run.rc != 0, run.output
        report = summary(tmp_path)
        assert report['upgraded'] == ['miner01'] and report['failed'] == ['miner02']
        assert report['pending'] == ['miner03', 'miner04', 'miner05']
        failed = [row for row in report['miners'] if row['host'] == 'miner02'][0]
        assert failed['step'] == 'upgrade' and 'came back on its old firmware' in failed['msg']
        assert versions(sim)[1:] == old[1:]
        assert run.recap['miner02']['failed'] == 1 and 'miner03' not in run.recap

        sim.control.clear_faults(sim.hosts[1])
        rerun = playbook(sim, inv, private_state, {'firmware_serial': 2})
        assert rerun.rc == 0, rerun.output
        report = summary(tmp_path)
        assert report['current'] == ['miner01']
        assert report['upgraded'] == ['miner02', 'miner03', 'miner04', 'miner05']
        assert versions(sim) == [NEW] * 5
    finally:
        sim.stop()


@pytest.mark.parametrize('flavor', FAILURE_FLAVORS)
def test_every_failure_is_recorded(tmp_path, flavor, image, private_state):
    sim = start(tmp_path, flavor, 5)
    try:
        sim.control.fault(sim.hosts[0], 'upload_interrupted')
        sim.control.fault(sim.hosts[1], 'boots_old_version')
        sim.control.fault(sim.hosts[2], 'never_returns')
        sim.control.set(sim.hosts[3], mining=False)  # upgraded, but does not hash afterwards
        inv = inventory(tmp_path, sim, image, firmware_rollout_wait_timeout=4)
        run = playbook(sim, inv, private_state, {'firmware_serial': 5, 'firmware_max_fail_percentage': 100})
        assert run.rc != 0, run.output
        report = summary(tmp_path)
        assert report['failed'] == ['miner01', 'miner02', 'miner03', 'miner04'] and report['upgraded'] == ['miner05']
        rows = {row['host']: row for row in report['miners']}
        assert 'came back on its old firmware' in rows['miner01']['msg']
        assert 'came back on its old firmware' in rows['miner02']['msg']
        assert 'did not answer within wait_timeout (4s)' in rows['miner03']['msg']
        assert rows['miner04']['step'] == 'hashrate' and 'hashes 0.0 TH/s, below 80 %' in rows['miner04']['msg']
        assert rows['miner04']['version_after'] == NEW
        assert all(run.recap['miner%02d' % n]['failed'] == 1 for n in (1, 2, 3, 4))
    finally:
        sim.stop()


@pytest.mark.parametrize('flavor', FAILURE_FLAVORS)
def test_bad_checksum_and_options_send_nothing(tmp_path, flavor, image, private_state):
    sim = start(tmp_path, flavor, 2)
    try:
        digest = hashlib.sha256(b'another image').hexdigest()
        inv = inventory(tmp_path, sim, image, firmware_rollout_checksum='sha256:' + digest)
        run = playbook(sim, inv, private_state, {'firmware_serial': 2})
        assert run.rc != 0, run.output
        assert write_requests(sim) == 0
        report = summary(tmp_path)
        assert report['failed'] == ['miner01', 'miner02']
        assert all('does not match checksum' in row['msg'] and row['step'] == 'upgrade' for row in report['miners'])

        inv = inventory(tmp_path, sim, image, firmware_rollout_hashrate_share=80)
        run = playbook(sim, inv, private_state, {'firmware_serial': 2})
        assert run.rc != 0, run.output
        assert write_requests(sim) == 0
        report = summary(tmp_path)
        assert report['failed'] == ['miner01', 'miner02']
        assert all(row['step'] == 'options' and 'firmware_rollout_hashrate_share must be from 0 to 1' in row['msg']
                   for row in report['miners'])
    finally:
        sim.stop()
