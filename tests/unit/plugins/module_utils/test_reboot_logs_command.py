# -*- coding: utf-8 -*-
"""whatsminer_reboot, whatsminer_logs and whatsminer_command runners against fake clients
(check-mode twins use a client that fails on any contact)."""

from __future__ import annotations

import hashlib
import os

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _command, _logs, _reboot
from ansible_collections.minerops.whatsminer.plugins.module_utils._applied import AppliedStore
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import RESTARTING_WRITES, WriteResult
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import (BtminerDownError, ClosedError,
                                                                                  DeadlineError, ValidationError)
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply

from .fake_miner import FakeClock


class FakeClient:
    """A miner whose restart happens ``down_for`` seconds after the command and which may keep
    answering for ``lag`` seconds before going down."""

    miner = '192.0.2.9:4028'

    def __init__(self, clock, down_for=30.0, lag=0.0, restarts=True, summary_down=False, archive=b''):
        self.clock = clock
        self.down_for = down_for
        self.lag = lag
        self.restarts = restarts
        self.summary_down = summary_down
        self.archive = archive
        self.sent_at = None
        self.writes = []
        self.reads = []
        self.forgot = 0

    def _phase(self):
        if self.sent_at is None or not self.restarts:
            return 'old'
        elapsed = self.clock.now - self.sent_at
        if elapsed < self.lag:
            return 'old'
        if elapsed < self.lag + self.down_for:
            return 'down'
        return 'new'

    def read(self, command, **params):
        self.reads.append((command, params))
        phase = self._phase()
        if phase == 'down':
            raise ClosedError('connection closed without a reply', miner=self.miner)
        if command == 'summary':
            if self.summary_down:
                raise BtminerDownError('btminer down', miner=self.miner)
            if phase == 'old':
                counter = 86400 + (self.clock.now - 1000)
            else:
                counter = self.clock.now - (self.sent_at + self.lag + self.down_for)
            return Reply({'STATUS': [{'STATUS': 'S'}], 'SUMMARY': [{'Uptime': counter, 'Elapsed': counter}]})
        return Reply({'STATUS': 'S', 'Code': 131, 'Msg': {'echo': params, 'note': 'pw Secret_1 here'}})

    def write(self, command, params=None):
        self.writes.append((command, dict(params or {})))
        self.sent_at = self.clock.now
        if command in RESTARTING_WRITES:
            return WriteResult(command, 'unknown', None)
        return WriteResult(command, 'ok', Reply({'STATUS': 'S', 'Code': 131, 'Msg': 'API command OK'}))

    def wait_until_up(self, timeout, probe='status'):
        start = self.clock.now
        while True:
            try:
                self.read(probe)
                return self.clock.now - start
            except ClosedError:
                if self.clock.now - start >= timeout:
                    raise DeadlineError('did not answer again within %ss' % timeout, phase='restart', miner=self.miner)
                self.clock.sleep(1.0)

    def forget_token(self):
        self.forgot += 1

    def download_logs(self, handle):
        self.writes.append(('download_logs', {}))
        for start in range(0, len(self.archive), 1000):
            handle.write(self.archive[start:start + 1000])
        return len(self.archive)


class StrictClient:
    miner = '192.0.2.9:4028'

    def __getattr__(self, name):
        raise AssertionError('check mode or bad input contacted the miner (%s)' % name)


def base(**extra):
    params = {'host': '192.0.2.9', 'port': 4028, 'password': 'secret1', 'timeout': 5.0, 'wait': True,
              'wait_timeout': 300}
    params.update(extra)
    return params


@pytest.fixture
def clock():
    return FakeClock(1000.0)


def use(monkeypatch, module, client):
    monkeypatch.setattr(module, 'client_from_params', lambda params: client)
    return client


# -- reboot -------------------------------------------------------------------------------------
@pytest.mark.parametrize('target, command', [('board', 'reboot'), ('btminer', 'restart_btminer')])
def test_reboot_waits_and_verifies(monkeypatch, clock, tmp_path, target, command):
    client = use(monkeypatch, _reboot, FakeClient(clock, down_for=40))
    result = _reboot.run_reboot(base(target=target, factory_reset=False), False,
                                applied=AppliedStore(str(tmp_path)), monotonic=clock.monotonic, sleep=clock.sleep)
    assert not result.get('failed'), result
    assert result['changed'] is True and result['command'] == command and result['verified'] is True
    assert client.writes == [(command, {})]
    assert 40 <= result['elapsed'] <= 45
    assert result['commands'] == [{'command': command, 'params': {}, 'outcome': 'unknown'}]


def test_reboot_not_fooled_by_a_miner_that_answers_before_going_down(monkeypatch, clock, tmp_path):
    use(monkeypatch, _reboot, FakeClient(clock, down_for=20, lag=3))
    result = _reboot.run_reboot(base(target='board'), False, applied=AppliedStore(str(tmp_path)),
                                monotonic=clock.monotonic, sleep=clock.sleep)
    assert result['verified'] is True
    assert result['elapsed'] >= 23, 'returned while the miner had not restarted yet'


def test_reboot_that_never_happens_fails_after_wait_timeout(monkeypatch, clock, tmp_path):
    use(monkeypatch, _reboot, FakeClient(clock, restarts=False))
    result = _reboot.run_reboot(base(target='board', wait_timeout=30), False, applied=AppliedStore(str(tmp_path)),
                                monotonic=clock.monotonic, sleep=clock.sleep)
    # the command was never confirmed and the miner never went down: nothing changed
    assert result['failed'] is True and result['changed'] is False
    assert 'has not restarted' in result['msg'] and result['error']['kind'] == 'timeout'
    assert clock.now - 1000 < 40


def test_reboot_that_never_comes_back(monkeypatch, clock, tmp_path):
    use(monkeypatch, _reboot, FakeClient(clock, down_for=10_000))
    result = _reboot.run_reboot(base(target='btminer', wait_timeout=20), False, applied=AppliedStore(str(tmp_path)),
                                monotonic=clock.monotonic, sleep=clock.sleep)
    assert result['failed'] is True and result['changed'] is True
    assert result['error']['phase'] == 'restart'


def test_reboot_counter_unreadable_is_not_verified_but_ok(monkeypatch, clock, tmp_path):
    use(monkeypatch, _reboot, FakeClient(clock, down_for=5, summary_down=True))
    result = _reboot.run_reboot(base(target='board'), False, applied=AppliedStore(str(tmp_path)),
                                monotonic=clock.monotonic, sleep=clock.sleep)
    assert not result.get('failed') and result['verified'] is False


def test_reboot_no_wait(monkeypatch, clock, tmp_path):
    client = use(monkeypatch, _reboot, FakeClient(clock))
    result = _reboot.run_reboot(base(wait=False), False, applied=AppliedStore(str(tmp_path)),
                                monotonic=clock.monotonic, sleep=clock.sleep)
    assert result['changed'] is True and result['verified'] is False and client.reads == []


def test_reboot_check_mode_contacts_nothing(monkeypatch, tmp_path):
    use(monkeypatch, _reboot, StrictClient())
    result = _reboot.run_reboot(base(target='btminer'), True, applied=AppliedStore(str(tmp_path)))
    assert result['changed'] is True and result['commands'] == [{'command': 'restart_btminer', 'params': {}}]


def test_factory_reset_forgets_token_and_record(monkeypatch, clock, tmp_path):
    client = use(monkeypatch, _reboot, FakeClient(clock, down_for=10))
    store = AppliedStore(str(tmp_path))
    store.update(client.miner, {'temp_offset': -5})
    result = _reboot.run_reboot(base(factory_reset=True, confirm=_reboot.CONFIRM_FACTORY_RESET), False,
                                applied=store, monotonic=clock.monotonic, sleep=clock.sleep)
    assert result['command'] == 'factory_reset' and not result.get('failed')
    assert client.forgot >= 1 and store.load(client.miner) == {}
    assert 'write API is switched off' in result['warnings'][0]
    assert [c for c, _p in client.writes] == ['factory_reset'], 'nothing is written after the reset'


@pytest.mark.parametrize('extra, message', [
    ({'factory_reset': True}, 'factory_reset needs confirm set to exactly'),
    ({'factory_reset': True, 'confirm': 'yes'}, 'factory_reset needs confirm set to exactly'),
    ({'factory_reset': True, 'confirm': _reboot.CONFIRM_FACTORY_RESET, 'target': 'btminer'}, 'target must be board'),
    ({'confirm': _reboot.CONFIRM_FACTORY_RESET}, 'confirm is only used with factory_reset'),
    ({'wait_timeout': 0}, 'wait_timeout must be at least 1'),
])
def test_reboot_bad_input_fails_before_contact(monkeypatch, tmp_path, extra, message):
    use(monkeypatch, _reboot, StrictClient())
    with pytest.raises(ValidationError, match=message):
        _reboot.run_reboot(base(**extra), False, applied=AppliedStore(str(tmp_path)))


# -- logs ---------------------------------------------------------------------------------------
ARCHIVE = bytes(range(256)) * 40


def test_logs_streamed_named_and_hashed(monkeypatch, clock, tmp_path):
    use(monkeypatch, _logs, FakeClient(clock, archive=ARCHIVE))
    dest = tmp_path / 'logs' / 'site1'
    result = _logs.run_logs(base(dest=str(dest), prefix='miner07'), False)
    assert result['changed'] is True
    assert result['size'] == len(ARCHIVE) and result['sha256'] == hashlib.sha256(ARCHIVE).hexdigest()
    assert result['filename'].startswith('miner07_4028_') and result['filename'].endswith('Z.tgz')
    path = dest / result['filename']
    assert result['path'] == str(path) and path.read_bytes() == ARCHIVE
    assert oct(path.stat().st_mode & 0o777) == '0o600'
    assert sorted(os.listdir(dest)) == [result['filename']], 'no temporary file left behind'


def test_logs_prefix_defaults_to_host_and_is_made_safe(monkeypatch, clock, tmp_path):
    use(monkeypatch, _logs, FakeClient(clock, archive=b'x'))
    result = _logs.run_logs(base(host='fe80::1%eth0', dest=str(tmp_path)), False)
    assert result['filename'].startswith('fe80_1_eth0_4028_')


def test_logs_short_download_leaves_nothing(monkeypatch, clock, tmp_path):
    class Short(FakeClient):
        def download_logs(self, handle):
            handle.write(b'partial')
            raise ClosedError('download ended after 7 of 5000 bytes', miner=self.miner)
    use(monkeypatch, _logs, Short(clock))
    with pytest.raises(ClosedError):
        _logs.run_logs(base(dest=str(tmp_path), filename='a.tgz'), False)
    assert os.listdir(tmp_path) == []


def test_logs_check_mode_downloads_and_creates_nothing(monkeypatch, tmp_path):
    use(monkeypatch, _logs, StrictClient())
    dest = tmp_path / 'new'
    result = _logs.run_logs(base(dest=str(dest), filename='one.tgz'), True)
    assert result['changed'] is True and result['path'] == str(dest / 'one.tgz') and result['size'] is None
    assert not dest.exists()


@pytest.mark.parametrize('filename, message', [('../x.tgz', 'filename must be a plain file name'),
                                               ('..', 'filename must be a plain file name'),
                                               ('', 'filename must be a plain file name')])
def test_logs_bad_filename(monkeypatch, tmp_path, filename, message):
    use(monkeypatch, _logs, StrictClient())
    with pytest.raises(ValidationError, match=message):
        _logs.run_logs(base(dest=str(tmp_path), filename=filename), False)


def test_logs_dest_is_a_file(monkeypatch, tmp_path):
    use(monkeypatch, _logs, StrictClient())
    (tmp_path / 'f').write_text('x')
    with pytest.raises(ValidationError, match='dest must be a directory'):
        _logs.run_logs(base(dest=str(tmp_path / 'f')), False)


# -- command ------------------------------------------------------------------------------------
def test_command_read_returns_the_reply_and_runs_in_check_mode(monkeypatch, clock):
    client = use(monkeypatch, _command, FakeClient(clock))
    result = _command.run_command(base(command='get_miner_info', params={'info': 'ip,mac'}), True)
    assert result['changed'] is False and result['write'] is False
    assert result['reply']['status'] == 'S' and result['reply']['code'] == 131
    assert result['reply']['msg']['echo'] == {'info': 'ip,mac'}
    assert client.writes == []


def test_command_cgminer_sections_are_returned(monkeypatch, clock):
    use(monkeypatch, _command, FakeClient(clock))
    result = _command.run_command(base(command='summary', params={}), False)
    assert 'SUMMARY' in result['reply'] and result['reply']['status'] == 'S'


def test_command_write_changed_and_check_mode_skips(monkeypatch, clock):
    client = use(monkeypatch, _command, FakeClient(clock))
    args = base(command='set_led', params={'color': 'red', 'period': 1000, 'duration': 500, 'start': 0})
    result = _command.run_command(args, False)
    assert result['changed'] is True and result['outcome'] == 'ok' and result['write'] is True
    assert client.writes == [('set_led', {'color': 'red', 'period': 1000, 'duration': 500, 'start': 0})]
    use(monkeypatch, _command, StrictClient())
    skipped = _command.run_command(args, True)
    assert skipped['skipped'] is True and skipped['changed'] is False


def test_command_write_detection_and_override(monkeypatch, clock):
    assert _command.is_write('power_off') and _command.is_write('set.system.led')
    assert not _command.is_write('summary') and not _command.is_write('get.device.info')
    assert _command.is_write('summary', True) and not _command.is_write('set_led', False)
    client = use(monkeypatch, _command, FakeClient(clock))
    result = _command.run_command(base(command='some_new_write', params={}, write=True), False)
    assert result['write'] is True and client.writes[0][0] == 'some_new_write'


def test_command_restarting_write_waits(monkeypatch, clock):
    use(monkeypatch, _command, FakeClient(clock, down_for=15))
    result = _command.run_command(base(command='restart_btminer', params={}), False,
                                  monotonic=clock.monotonic, sleep=clock.sleep)
    assert result['outcome'] == 'unknown' and result['restarts'] == 'btminer'
    assert result['verified'] is True and result['waited'] >= 15


def test_command_secret_params_masked_and_scrubbed(monkeypatch, clock):
    use(monkeypatch, _command, FakeClient(clock))
    result = _command.run_command(base(command='get_whatever', params={'passwd1': 'Secret_1', 'worker1': 'w'}), False)
    assert result['params'] == {'passwd1': '********', 'worker1': 'w'}
    assert 'Secret_1' not in repr(result)
    params = {'params': {'new': 'Secret_1', 'old': 'Old_pw1', 'x': 'y'}}
    _command.redact(params)
    assert params == {'params': {'new': '********', 'old': '********', 'x': 'y'}}


@pytest.mark.parametrize('args, message', [
    ({'command': 'factory_reset'}, 'whatsminer_reboot with factory_reset and confirm'),
    ({'command': 'download_logs'}, 'minerops.whatsminer.whatsminer_logs'),
    ({'command': 'update_firmware'}, 'minerops.whatsminer.whatsminer_firmware'),
    ({'command': 'get_token'}, 'tokens are managed by the collection'),
    ({'command': 'rm -rf'}, 'command must be an API command name'),
    ({'command': 'set_led', 'params': {'cmd': 'reboot'}}, 'params must not contain cmd'),
    ({'command': 'set_led', 'params': {'token': 'x'}}, 'params must not contain token'),
])
def test_command_bad_input_fails_before_contact(monkeypatch, args, message):
    use(monkeypatch, _command, StrictClient())
    with pytest.raises(ValidationError, match=message):
        _command.run_command(base(**dict({'params': {}}, **args)), False)
