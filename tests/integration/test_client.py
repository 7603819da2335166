# -*- coding: utf-8 -*-
"""The protocol client against the simulator (a real peer over TCP), both flavours.

Asserts what an operator would notice: every fault ends in a typed error naming the miner
within its deadline, tokens are shared and never looped on, restarting writes are waited
for and verified, firmware and log streams arrive whole.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import tarfile
import time

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _errors as e
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import V2Client

from .conftest import PASSWORD


def client(fleet, host=None, password=PASSWORD, timeout=2.0):
    return V2Client(host or fleet.hosts[0], port=fleet.port, password=password, timeout=timeout)


def test_reads_all_shapes(fleet):
    cli = client(fleet)
    for command in ('summary', 'pools', 'edevs', 'get_version', 'status', 'get_psu', 'get_error_code'):
        assert cli.read(command).ok, command
    info = cli.read('get_miner_info', info='ip,mac,hostname').msg
    assert info['ip'] == fleet.hosts[0]


def test_encrypted_write_and_read_back(fleet):
    cli = client(fleet)
    result = cli.write('update_pools', {'pool1': 'stratum+tcp://a.example:3333', 'worker1': 'w.1', 'passwd1': 'x',
                                        'pool2': '', 'worker2': '', 'passwd2': '', 'pool3': '', 'worker3': '', 'passwd3': ''})
    assert result.confirmed
    pools = cli.read('pools').records('POOLS')
    assert [p['URL'] for p in pools if p.get('URL')] == ['stratum+tcp://a.example:3333']


@pytest.mark.parametrize('kind, error, phrase', [
    ('drop', e.ClosedError, 'closed without a reply'),
    ('garbage', e.ProtocolError, 'not valid JSON'),
    ('truncated', e.ProtocolError, 'not valid JSON'),
    ('btminer_down', e.BtminerDownError, 'btminer is not running'),
])
def test_read_faults_are_typed(fleet, kind, error, phrase):
    fleet.miner(fleet.hosts[0]).add_fault(kind)
    started = time.monotonic()
    with pytest.raises(error) as err:
        client(fleet).read('summary')
    assert phrase in str(err.value)
    assert fleet.hosts[0] in str(err.value)
    assert time.monotonic() - started < 5


def test_delay_past_timeout_names_the_phase(fleet):
    fleet.miner(fleet.hosts[0]).add_fault('delay', seconds=3)
    started = time.monotonic()
    with pytest.raises(e.DeadlineError) as err:
        client(fleet, timeout=0.5).read('summary')
    assert err.value.phase == 'first_byte'
    assert time.monotonic() - started < 2


@pytest.mark.parametrize('kind', ['trailing_nul', 'trailing_comma', 'newline'])
def test_quirky_replies_are_repaired(fleet, kind):
    fleet.miner(fleet.hosts[0]).add_fault(kind)
    reply = client(fleet).read('status')
    assert reply.ok


def test_connection_refused_is_unreachable(fleet):
    with pytest.raises(e.ConnectError) as err:
        V2Client('127.0.0.1', port=1, timeout=1).read('summary')
    assert 'connection refused' in str(err.value)
    assert 'TCP port 1 is reachable' in err.value.hint  # the port that was tried, not the default


def test_wrong_password_code_23(fleet):
    with pytest.raises(e.AuthError) as err:
        client(fleet, password='wrong1').write('set_led', {'param': 'auto'})
    assert 'password' in str(err.value)
    assert fleet.miner(fleet.hosts[0]).counters['get_token'] == 1


def test_wrong_password_answered_by_silence(fleet):
    fleet.miner(fleet.hosts[0]).add_fault('silent_wrong_password')
    with pytest.raises(e.AuthError) as err:
        client(fleet, password='wrong1', timeout=0.7).write('set_led', {'param': 'auto'})
    assert 'silence' in str(err.value)


def test_write_switch_off_hint(fleet):
    fleet.miner(fleet.hosts[0]).add_fault('write_off')
    with pytest.raises(e.WriteDisabledError) as err:
        client(fleet).write('set_led', {'param': 'auto'})
    assert 'WhatsMinerTool' in str(err.value)


def test_token_table_full_hint_and_no_loop(fleet):
    fleet.miner(fleet.hosts[0]).add_fault('token_full')
    with pytest.raises(e.TokenLimitError) as err:
        client(fleet).write('set_led', {'param': 'auto'})
    assert '30 minutes' in str(err.value)
    assert fleet.miner(fleet.hosts[0]).counters['get_token'] == 1


def test_135_recovers_with_one_new_token(fleet):
    cli = client(fleet)
    cli.write('set_led', {'param': 'auto'})
    fleet.miner(fleet.hosts[0]).add_fault('token_expired', count=1)
    assert client(fleet).write('set_led', {'param': 'auto'}).confirmed
    assert fleet.miner(fleet.hosts[0]).counters['get_token'] == 2


def test_135_twice_fails_without_looping(fleet):
    fleet.miner(fleet.hosts[0]).add_fault('token_expired')
    with pytest.raises(e.TokenExpiredError):
        client(fleet).write('set_led', {'param': 'auto'})
    assert fleet.miner(fleet.hosts[0]).counters['get_token'] == 2


def test_expired_token_on_the_miner_clock(fleet):
    client(fleet).write('set_led', {'param': 'auto'})
    fleet.advance_clock(31 * 60)
    assert client(fleet).write('set_led', {'param': 'auto'}).confirmed
    assert fleet.miner(fleet.hosts[0]).counters['get_token'] == 2


def _write_in_process(host, port, state_dir, queue):
    os.environ['MINEROPS_WHATSMINER_STATE_DIR'] = state_dir
    try:
        V2Client(host, port=port, password=PASSWORD, timeout=3).write('set_led', {'param': 'auto'})
        queue.put('ok')
    except Exception as exc:  # pylint: disable=broad-exception-caught
        queue.put(repr(exc))


def test_two_processes_share_one_token(fleet, private_state):
    # spawn, not fork: a forked child would inherit the in-process simulator's sockets, and the
    # other child's connection would then not end when the simulator closes it.
    spawn = multiprocessing.get_context('spawn')
    queue = spawn.Queue()
    procs = [spawn.Process(target=_write_in_process,
                           args=(fleet.hosts[0], fleet.port, str(private_state), queue)) for _index in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(20)
    assert sorted(queue.get(timeout=5) for _proc in procs) == ['ok', 'ok']
    counters = fleet.miner(fleet.hosts[0]).counters
    assert counters['get_token'] == 1 and counters['writes_applied'] == 2


def test_restarting_write_closes_silently_then_verified(fleet):
    cli = client(fleet)
    result = cli.write('set_low_power')
    assert result.outcome == 'unknown'
    waited = cli.wait_until_up(10)
    assert waited > 0.3
    mode = cli.read('status').msg['power_mode']
    assert mode.lower() == 'low'


def test_reboot_drops_the_cached_token(fleet):
    cli = client(fleet)
    cli.write('reboot')
    cli.wait_until_up(10)
    assert cli.write('set_led', {'param': 'auto'}).confirmed
    assert fleet.miner(fleet.hosts[0]).counters['get_token'] == 2


def test_firmware_upload_streams_and_version_changes(fleet, tmp_path):
    from wmsim.firmware import write_image  # pylint: disable=import-outside-toplevel
    image = tmp_path / 'fw.bin'
    write_image(str(image), '20250301.10.Rel', 3 * 1024 * 1024)
    cli = client(fleet)
    sent = []
    result = cli.upload_firmware(str(image), progress=lambda done, total: sent.append(done))
    assert result.outcome == 'unknown' and sent[-1] == image.stat().st_size
    cli.wait_until_up(15)
    assert '20250301.10.Rel' in cli.read('get_version').msg['fw_ver']


def test_log_download_length_checked(fleet):
    buf = io.BytesIO()
    length = client(fleet).download_logs(buf)
    assert length == len(buf.getvalue()) > 0
    with tarfile.open(fileobj=io.BytesIO(buf.getvalue()), mode='r:gz') as archive:
        assert archive.getnames()


def test_lost_reply_on_a_write_is_an_unknown_outcome_not_a_resend(fleet):
    miner = fleet.miner(fleet.hosts[0])
    miner.add_fault('drop', commands=['set_led'], count=1)
    result = client(fleet).write('set_led', {'param': 'auto'})
    assert result.outcome == 'unknown'
    assert miner.counters['write_requests'] == 1, 'a write whose reply was lost must not be resent'


def test_facts_survive_one_failed_read_but_not_a_dead_miner(fleet):
    from ansible_collections.minerops.whatsminer.plugins.module_utils._facts import gather_facts  # pylint: disable=import-outside-toplevel
    fleet.miner(fleet.hosts[0]).add_fault('garbage', commands=['get_psu'])
    facts = gather_facts(client(fleet), ['all'])['ansible_facts']['whatsminer']
    assert facts['unavailable'] == ['get_psu'] and 'get_psu' in facts['read_errors']
    assert facts['summary']['power_w'] is not None
    with pytest.raises(e.ConnectError):
        gather_facts(V2Client('127.0.0.1', port=1, timeout=1), ['all'])
