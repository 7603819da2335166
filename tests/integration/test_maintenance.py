# -*- coding: utf-8 -*-
"""whatsminer_password, whatsminer_reboot, whatsminer_logs, whatsminer_command and the preheat
of whatsminer_power through ansible-playbook against the simulator: every flavour, both the
in-process action path and the module path."""

from __future__ import annotations

import tarfile

import pytest

from .conftest import loopback_hosts
from .harness import ROOT, SimulatorProcess, ansible_playbook, write_inventory

PATHS = ('action', 'module')
OLD_PASSWORD = 'secret1'
NEW_PASSWORD = 'Rot8_new'
POOL_SECRET = 'Pool_s3cret'


@pytest.fixture
def sim(tmp_path, flavor):
    running = SimulatorProcess(tmp_path, loopback_hosts(3), flavor)
    yield running
    running.stop()


def inventory(tmp_path, sim, **group_vars):
    return write_inventory(tmp_path / 'inventory.json', sim, group_vars or None)


def counter(sim, name):
    return sum(sim.counters(host)[name] for host in sim.hosts)


def command_count(sim, command):
    return sum(sim.counters(host)['commands'].get(command, 0) for host in sim.hosts)


def assert_no_secret(run, *secrets):
    for secret in secrets:
        assert secret not in run.output, 'a secret reached the output'


@pytest.mark.parametrize('path', PATHS)
def test_password_rotation_round_trip(tmp_path, sim, flavor, private_state, path):
    inv = inventory(tmp_path, sim, whatsminer_new_password=NEW_PASSWORD)
    module_path = path == 'module'

    check = ansible_playbook('password_rotate.yml', inv, private_state, ['--check', '-vvv'], module_path=module_path)
    assert check.rc == 0, check.output
    assert check.total('changed') == 3
    assert counter(sim, 'write_requests') == 0, 'check mode sent a write'
    assert_no_secret(check, OLD_PASSWORD, NEW_PASSWORD)

    first = ansible_playbook('password_rotate.yml', inv, private_state, ['-vvv'], module_path=module_path)
    assert first.rc == 0, first.output
    assert first.total('changed') == 3 and first.total('failed') == 0
    assert_no_secret(first, OLD_PASSWORD, NEW_PASSWORD)
    for host in sim.hosts:
        assert sim.control.state(host)['password'] == NEW_PASSWORD
    tokens_after_rotation = counter(sim, 'get_token')

    second = ansible_playbook('password_rotate.yml', inv, private_state, ['-vvv'], module_path=module_path)
    assert second.rc == 0, second.output
    assert second.total('changed') == 0, second.output
    assert_no_secret(second, OLD_PASSWORD, NEW_PASSWORD)
    if flavor != 'v3':
        # probe new (own token), update_pwd (old), prove new; the rerun fetches none
        assert tokens_after_rotation <= 3 * 3
        assert counter(sim, 'get_token') == tokens_after_rotation

    recheck = ansible_playbook('password_rotate.yml', inv, private_state, ['--check'], module_path=module_path)
    assert recheck.rc == 0 and recheck.total('changed') == 0, recheck.output

    # The rotated fleet takes writes with the new password from the inventory.
    rotated_inv = write_inventory(tmp_path / 'rotated.json', sim, {'whatsminer_password': NEW_PASSWORD})
    power = ansible_playbook('preheat.yml', rotated_inv, private_state, ['-e', 'stop_first=true'],
                             module_path=module_path)
    assert power.rc == 0, power.output


def test_password_both_wrong_fails_with_hint(tmp_path, sim, flavor, private_state):
    inv = inventory(tmp_path, sim)
    run = ansible_playbook('password_wrong.yml', inv, private_state, ['-vvv'])
    assert run.rc == 0, run.output
    assert_no_secret(run, OLD_PASSWORD, 'Wrong_1', 'Wrong_2')
    for host in sim.hosts:
        assert sim.control.state(host)['password'] == OLD_PASSWORD
        assert sim.counters(host)['writes_applied'] == 0
    if flavor != 'v3':
        assert counter(sim, 'get_token') == 2 * 3, 'one token per wrong password and miner, no loop'


def test_rotate_password_playbook(tmp_path, sim, flavor, private_state):
    inv = inventory(tmp_path, sim, whatsminer_new_password=NEW_PASSWORD)
    run = ansible_playbook(str(ROOT / 'playbooks' / 'rotate_password.yml'), inv, private_state,
                           ['-e', 'rotate_serial=2', '-e', 'rotate_hosts=miners', '-vvv'])
    assert run.rc == 0, run.output
    assert run.total('failed') == 0
    assert_no_secret(run, OLD_PASSWORD, NEW_PASSWORD)
    for host in sim.hosts:
        assert sim.control.state(host)['password'] == NEW_PASSWORD
    assert 'ansible-vault' in run.output


@pytest.mark.parametrize('path', PATHS)
def test_reboot_and_restart(tmp_path, sim, private_state, path):
    inv = inventory(tmp_path, sim)
    module_path = path == 'module'
    check = ansible_playbook('reboot.yml', inv, private_state, ['--check'], module_path=module_path)
    assert check.rc == 0, check.output
    assert check.total('changed') == 6
    assert counter(sim, 'write_requests') == 0

    run = ansible_playbook('reboot.yml', inv, private_state, module_path=module_path)
    assert run.rc == 0, run.output
    assert run.total('changed') == 6 and run.total('failed') == 0
    assert command_count(sim, 'reboot') + command_count(sim, 'set.system.reboot') == 3
    assert command_count(sim, 'restart_btminer') + command_count(sim, 'set.miner.service') == 3


@pytest.mark.parametrize('path', PATHS)
def test_factory_reset(tmp_path, sim, private_state, path):
    inv = inventory(tmp_path, sim)
    run = ansible_playbook('reboot_factory.yml', inv, private_state, ['--limit', 'miner01'],
                           module_path=path == 'module')
    assert run.rc == 0, run.output
    state = sim.control.state(sim.hosts[0])
    assert state['write_api'] is False and state['password'] == 'admin'
    assert sim.control.state(sim.hosts[1])['password'] == OLD_PASSWORD
    assert 'write API is switched off' in run.output
    assert_no_secret(run, OLD_PASSWORD)


@pytest.mark.parametrize('path', PATHS)
def test_logs(tmp_path, sim, private_state, path):
    dest = tmp_path / 'logs'
    inv = inventory(tmp_path, sim, logs_dest=str(dest))
    module_path = path == 'module'
    check = ansible_playbook('logs.yml', inv, private_state, ['--check'], module_path=module_path)
    assert check.rc == 0, check.output
    assert check.total('changed') == 6
    assert not dest.exists() and counter(sim, 'write_requests') == 0

    run = ansible_playbook('logs.yml', inv, private_state, module_path=module_path)
    assert run.rc == 0, run.output
    assert run.total('changed') == 6
    files = sorted(p.name for p in dest.iterdir() if p.is_file())
    assert [name.split('_')[0] for name in files] == ['miner01', 'miner02', 'miner03']
    for name in files:
        with tarfile.open(dest / name, 'r:gz') as archive:
            assert any(member.name.endswith('btminer.log') for member in archive.getmembers())
    assert sorted(p.name for p in (dest / 'fixed').iterdir()) == ['miner01.tgz', 'miner02.tgz', 'miner03.tgz']
    assert not list(dest.rglob('.*')), 'a temporary file was left behind'


@pytest.mark.parametrize('path', PATHS)
def test_command(tmp_path, sim, private_state, path):
    inv = inventory(tmp_path, sim, raw_pool_password=POOL_SECRET)
    module_path = path == 'module'
    check = ansible_playbook('command.yml', inv, private_state, ['--check', '-vvv'], module_path=module_path)
    assert check.rc == 0, check.output
    assert check.total('changed') == 0
    assert counter(sim, 'write_requests') == 0
    assert_no_secret(check, OLD_PASSWORD, POOL_SECRET)

    # ANSIBLE_DEBUG: ansible-core then prints the arguments of every module it runs (module path)
    run = ansible_playbook('command.yml', inv, private_state, ['-vvv'], module_path=module_path, env={'ANSIBLE_DEBUG': '1'})
    assert run.rc == 0, run.output
    assert run.total('changed') == 9 and run.total('failed') == 0
    assert_no_secret(run, OLD_PASSWORD, POOL_SECRET)
    for host in sim.hosts:
        state = sim.control.state(host)
        assert state['led_mode'] == 'manual'
        assert state['pools'][0]['passwd'] == POOL_SECRET


@pytest.mark.parametrize('path', PATHS)
def test_preheat(tmp_path, sim, flavor, private_state, path):
    for host in sim.hosts:
        sim.control.set(host, pre_power_on_seconds=1.0)
    inv = inventory(tmp_path, sim)
    module_path = path == 'module'
    stop = ansible_playbook('preheat.yml', inv, private_state, ['--check', '--diff'], module_path=module_path)
    assert stop.rc == 0, stop.output
    assert counter(sim, 'write_requests') == 0

    run = ansible_playbook('preheat.yml', inv, private_state, ['-v'], module_path=module_path)
    assert run.rc == 0, run.output
    assert run.total('changed') == 6
    if flavor == 'v3':
        assert 'pre_power_on is not supported by this firmware' in run.output
    else:
        assert command_count(sim, 'pre_power_on') >= 2 * 3, 'polled until complete'
    for host in sim.hosts:
        assert sim.control.state(host)['mining'] is True

    again = ansible_playbook('preheat.yml', inv, private_state, ['-e', 'stop_first=false'], module_path=module_path)
    assert again.rc == 0, again.output
    assert again.total('changed') == 0


@pytest.mark.parametrize('path', PATHS)
def test_bad_input_fails_before_any_write(tmp_path, private_state, path):
    sim = SimulatorProcess(tmp_path, loopback_hosts(2), '2022')
    try:
        inv = inventory(tmp_path, sim)
        run = ansible_playbook('maintenance_bad_input.yml', inv, private_state, module_path=path == 'module')
        assert run.rc == 0, run.output
        assert counter(sim, 'write_requests') == 0
        assert counter(sim, 'get_token') == 0
    finally:
        sim.stop()
