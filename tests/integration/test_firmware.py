# -*- coding: utf-8 -*-
"""whatsminer_firmware through ansible-playbook against the simulator: every flavour, the
in-process action path and the module path. Upgrade (check mode first, then the upload,
then a rerun that sends nothing), a bad checksum and other bad input (nothing sent), and the
failures: interrupted upload, old version after the reboot, a miner that never returns."""

from __future__ import annotations

import hashlib
import sys

import pytest

from .conftest import loopback_hosts
from .harness import ROOT, SimulatorProcess, ansible_playbook, write_inventory

sys.path.insert(0, str(ROOT / 'tests' / 'simulator'))

from wmsim.firmware import write_image  # noqa: E402  pylint: disable=wrong-import-position

PATHS = ('action', 'module')
PASSWORD = 'secret1'
NEW = '20250301.10.Rel'
IMAGE_SIZE = 1024 * 1024


@pytest.fixture
def sim(tmp_path, flavor):
    running = SimulatorProcess(tmp_path, loopback_hosts(3), flavor)
    yield running
    running.stop()


@pytest.fixture
def image(tmp_path):
    return write_image(str(tmp_path / ('whatsminer-%s.bin' % NEW)), NEW, IMAGE_SIZE)


def inventory(tmp_path, sim, image, **extra):
    group_vars = {'firmware_image': image, 'firmware_version': NEW}
    group_vars.update(extra)
    return write_inventory(tmp_path / 'inventory.json', sim, group_vars)


def counter(sim, name):
    return sum(sim.counters(host)[name] for host in sim.hosts)


def firmware_uploads(sim):
    return sum(sim.counters(host)['commands'].get(name, 0) for host in sim.hosts
               for name in ('update_firmware', 'set.system.update_firmware'))


def versions(sim):
    return [sim.control.state(host)['firmware_version'] for host in sim.hosts]


@pytest.mark.parametrize('path', PATHS)
def test_upgrade_check_mode_then_idempotent(tmp_path, sim, image, private_state, path):
    module_path = path == 'module'
    old = versions(sim)
    checksum = 'sha256:' + hashlib.sha256(open(image, 'rb').read()).hexdigest()
    inv = inventory(tmp_path, sim, image, firmware_checksum=checksum)

    check = ansible_playbook('firmware_upgrade.yml', inv, private_state, ['--check', '--diff', '-vvv'],
                             module_path=module_path)
    assert check.rc == 0, check.output
    assert check.total('changed') == 3
    assert counter(sim, 'write_requests') == 0, 'check mode sent a write'
    assert versions(sim) == old
    assert '-    "firmware": "%s"' % old[0] in check.output and '+    "firmware": "%s"' % NEW in check.output
    assert PASSWORD not in check.output

    first = ansible_playbook('firmware_upgrade.yml', inv, private_state, ['-vvv'], module_path=module_path)
    assert first.rc == 0, first.output
    assert PASSWORD not in first.output
    assert first.total('changed') == 3 and first.total('failed') == 0
    assert versions(sim) == [NEW] * 3
    assert firmware_uploads(sim) == 3
    for host in sim.hosts:
        last = sim.control.state(host)['last_firmware']
        assert last['accepted'] and last['received'] == IMAGE_SIZE
    if not module_path:
        assert 'firmware upload 100%' in first.output, 'progress lines at -v and above on the action path'

    second = ansible_playbook('firmware_upgrade.yml', inv, private_state, module_path=module_path)
    assert second.rc == 0, second.output
    assert second.total('changed') == 0, second.output
    assert firmware_uploads(sim) == 3, 'a current miner gets no upload'

    recheck = ansible_playbook('firmware_upgrade.yml', inv, private_state, ['--check'], module_path=module_path)
    assert recheck.rc == 0 and recheck.total('changed') == 0, recheck.output


@pytest.mark.parametrize('path', PATHS)
def test_bad_checksum_and_bad_input_send_nothing(tmp_path, sim, image, private_state, path):
    tiny = tmp_path / 'tiny.bin'
    tiny.write_bytes(b'WHATSMINER-SIM-FIRMWARE version=%s\n' % NEW.encode())
    inv = inventory(tmp_path, sim, image, firmware_tiny=str(tiny))
    for host in sim.hosts:
        sim.control.reset_counters(host)
    run = ansible_playbook('firmware_bad_input.yml', inv, private_state, module_path=path == 'module')
    assert run.rc == 0, run.output
    assert counter(sim, 'write_requests') == 0
    assert counter(sim, 'connections') == 0, 'bad input must fail before the miner is contacted'
    assert versions(sim) != [NEW] * 3


@pytest.mark.parametrize('path', PATHS)
def test_failed_upgrades_then_a_rerun_completes(tmp_path, sim, image, private_state, path):
    module_path = path == 'module'
    old = versions(sim)
    faults = ('upload_interrupted', 'boots_old_version', 'never_returns')
    for host, kind in zip(sim.hosts, faults):
        sim.control.fault(host, kind)
    expect = {
        'miner01': 'the miner came back on its old firmware %s, not %s' % (old[0], NEW),
        'miner02': 'the miner came back on its old firmware %s, not %s' % (old[1], NEW),
        'miner03': 'the miner did not answer within wait_timeout (4s) after the firmware upload',
    }
    inv = inventory(tmp_path, sim, image, firmware_expect=expect, firmware_wait_timeout=4)
    run = ansible_playbook('firmware_faults.yml', inv, private_state, module_path=module_path)
    assert run.rc == 0, run.output
    assert versions(sim)[:2] == old[:2]
    interrupted = sim.control.state(sim.hosts[0])['last_firmware']
    assert interrupted['received'] < IMAGE_SIZE and not interrupted['accepted']

    # The faults are gone and the stuck miner is back (it had taken the image): a rerun
    # upgrades the other two and leaves it alone.
    for host in sim.hosts:
        sim.control.clear_faults(host)
    rerun = ansible_playbook('firmware_upgrade.yml', inv, private_state, module_path=module_path)
    assert rerun.rc == 0, rerun.output
    assert rerun.total('changed') == 2 and rerun.recap['miner03']['changed'] == 0, rerun.output
    assert versions(sim) == [NEW] * 3


@pytest.mark.parametrize('flavor', ['2022'])
def test_relative_src_is_found_in_the_playbook_files(tmp_path, sim, private_state):
    """Action path: a relative src is looked up like ansible.builtin.copy's (files/ beside the playbook)."""
    project = tmp_path / 'project'
    (project / 'files').mkdir(parents=True)
    write_image(str(project / 'files' / 'fw.bin'), NEW, 64 * 1024)
    (project / 'upgrade.yml').write_text((ROOT / 'tests' / 'integration' / 'playbooks' / 'firmware_upgrade.yml')
                                         .read_text())
    inv = write_inventory(tmp_path / 'inventory.json', sim, {'firmware_image': 'fw.bin', 'firmware_version': NEW})
    run = ansible_playbook(str(project / 'upgrade.yml'), inv, private_state)
    assert run.rc == 0, run.output
    assert run.total('changed') == 3 and versions(sim) == [NEW] * 3
