# -*- coding: utf-8 -*-
"""whatsminer_firmware's runner against a fake miner on a fake clock: validation before any
contact, the version comparison, check-mode twins that fail on any upload, and every outcome
of an upload (installed, interrupted, old version after the reboot, never back, refused)."""

from __future__ import annotations

import hashlib
import os

from pathlib import Path

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _firmware
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import WriteResult
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import (ClosedError, CommandError,
                                                                                  DeadlineError, ProtocolError,
                                                                                  UnsupportedError)
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import run_task

from .fake_miner import FakeClock

OLD, NEW = '20220125.13.Rel', '20250301.10.Rel'


class FakeMiner:
    """A miner that reboots ``down_for`` seconds after an upload (``behaviour`` says into what)."""

    miner = '192.0.2.20:4028'

    def __init__(self, clock, version=OLD, behaviour='install', down_for=60.0, flavor='2022'):
        self.clock = clock
        self.version = version
        self.behaviour = behaviour
        self.down_for = down_for
        self.flavor = flavor
        self.up_at = None
        self.boot_at = clock.now - 86400
        self.forever = False
        self.uploads = []
        self.reads = []

    @property
    def down(self):
        if self.forever:
            return True
        return self.up_at is not None and self.clock.now < self.up_at

    def read(self, command, **params):
        self.reads.append(command)
        if self.down:
            raise ClosedError('connection closed without a reply', miner=self.miner)
        if command == 'get_version':
            if self.flavor == 'old':
                raise UnsupportedError('invalid cmd', miner=self.miner)
            return Reply({'STATUS': 'S', 'Code': 131, 'Msg': {'api_ver': '2.0.5', 'fw_ver': self.version}})
        if command == 'status':
            key = 'Firmware Version' if self.flavor in ('2022', 'old') else 'FirmwareVersion'
            value = "'%s'" % self.version if self.flavor in ('2022', 'old') else self.version
            return Reply({'STATUS': 'S', 'Code': 131, 'Msg': {key: value, 'btmineroff': 'false'}})
        if command == 'summary':
            start = self.boot_at if self.up_at is None else max(self.boot_at, self.up_at)
            return Reply({'STATUS': [{'STATUS': 'S'}], 'SUMMARY': [{'Uptime': self.clock.now - start}]})
        raise AssertionError('unexpected read %s' % command)

    def wait_until_up(self, timeout, probe='status'):
        start = self.clock.now
        while True:
            try:
                self.read(probe)
                return self.clock.now - start
            except ClosedError as exc:
                if self.clock.now - start >= timeout:
                    raise DeadlineError('did not answer again within %ss' % timeout, phase='restart',
                                        miner=self.miner) from exc
                self.clock.sleep(1.0)

    def upload_firmware(self, path, progress=None):
        self.uploads.append(path)
        if self.behaviour == 'no_ready':
            raise ClosedError('connection closed before the miner said "ready"', miner=self.miner)
        size = os.path.getsize(path)
        sent = 0
        with open(path, 'rb') as handle:
            while True:
                chunk = handle.read(4096)
                if not chunk:
                    break
                if self.behaviour == 'interrupt' and sent >= size // 2:
                    self._reboot(None)
                    raise ClosedError('upload interrupted after %d of %d bytes: [Errno 104] Connection reset by peer'
                                      % (sent, size), miner=self.miner)
                sent += len(chunk)
                self.clock.now += 0.001
                if progress:
                    progress(sent, size)
        if self.behaviour == 'rejected':
            raise CommandError('miner rejected the command: invalid param: not a firmware image', miner=self.miner)
        target = {'install': NEW, 'old': None, 'other': '20240101.01.Rel', 'never': None}.get(self.behaviour)
        if self.behaviour == 'no_restart':
            return WriteResult('update_firmware', 'unknown')
        self._reboot(target)
        if self.behaviour == 'never':
            self.forever = True
        return WriteResult('update_firmware', 'unknown')

    def _reboot(self, version):
        if version:
            self.version = version
        self.up_at = self.clock.now + self.down_for
        self.boot_at = self.up_at


class StrictMiner(FakeMiner):
    """Check-mode twin: any upload fails the test."""

    def upload_firmware(self, path, progress=None):
        raise AssertionError('check mode uploaded %s' % path)


class Untouchable:
    """For validation: any contact with the miner fails the test."""

    miner = '192.0.2.21:4028'

    def __getattr__(self, name):
        raise AssertionError('the miner was contacted (%s) before validation finished' % name)


@pytest.fixture
def image(tmp_path):
    path = tmp_path / 'fw.bin'
    path.write_bytes(b'WHATSMINER-SIM-FIRMWARE version=%s\n' % NEW.encode() + os.urandom(200 * 1024))
    return path


def params(image, **extra):
    base = {'host': '192.0.2.20', 'port': 4028, 'password': 'pw', 'src': str(image), 'version': NEW,
            'force': False, 'checksum': None, 'wait': True, 'wait_timeout': 600}
    base.update(extra)
    return base


def run(client, clock, args, check_mode=False, report=None):
    return run_task(lambda p, c: _firmware.run_firmware(p, c, report=report, client=client, monotonic=clock.monotonic,
                                                        sleep=clock.sleep), args, check_mode)


# -- the happy path, idempotency, check mode ---------------------------------------------------------
@pytest.mark.parametrize('flavor', ['2022', '2025', 'old'])
def test_upgrade_verifies_then_sends_nothing(image, flavor):
    clock = FakeClock(5000.0)
    miner = FakeMiner(clock, flavor=flavor)
    result = run(miner, clock, params(image))
    assert not result.get('failed'), result
    assert result['changed'] and result['upgraded'] and result['verified'] and result['restarted']
    assert result['version_before'] == OLD and result['version_after'] == NEW
    assert result['diff'] == {'before': {'firmware': OLD}, 'after': {'firmware': NEW}}
    size = image.stat().st_size
    assert result['upload']['bytes'] == size and result['upload']['size'] == size
    assert result['upload']['outcome'] == 'unknown' and result['upload']['throughput_mb_s'] > 0
    assert result['elapsed'] >= 60
    assert miner.uploads == [str(image)]

    again = run(miner, clock, params(image))
    assert not again.get('failed') and not again['changed'], again
    assert again['upload'] is None and 'nothing was sent' in again['msg']
    assert miner.uploads == [str(image)]


def test_check_mode_reports_the_upgrade_without_sending(image):
    clock = FakeClock(5000.0)
    result = run(StrictMiner(clock), clock, params(image), check_mode=True)
    assert not result.get('failed'), result
    assert result['changed'] and not result['upgraded']
    assert result['diff'] == {'before': {'firmware': OLD}, 'after': {'firmware': NEW}}
    assert result['upload'] is None and 'would upgrade from %s to %s' % (OLD, NEW) in result['msg']


def test_check_mode_on_a_current_miner_is_not_changed(image):
    clock = FakeClock(5000.0)
    result = run(StrictMiner(clock, version=NEW), clock, params(image), check_mode=True)
    assert not result.get('failed') and not result['changed'], result
    result = run(StrictMiner(clock, version=NEW), clock, params(image, force=True), check_mode=True)
    assert result['changed'] and 'would reinstall' in result['msg']


def test_force_reinstalls(image):
    clock = FakeClock(5000.0)
    miner = FakeMiner(clock, version=NEW)
    result = run(miner, clock, params(image, force=True))
    assert not result.get('failed'), result
    assert result['changed'] and result['upgraded'] and result['msg'].startswith('reinstalled')
    assert len(miner.uploads) == 1


def test_wait_false_returns_after_the_upload(image):
    clock = FakeClock(5000.0)
    result = run(FakeMiner(clock), clock, params(image, wait=False))
    assert not result.get('failed'), result
    assert result['changed'] and not result['verified'] and result['version_after'] is None


def test_progress_lines(image):
    clock = FakeClock(5000.0)
    lines = []
    result = run(FakeMiner(clock), clock, params(image), report=lines.append)
    assert not result.get('failed')
    assert lines and lines[-1].startswith('firmware upload 100%')
    assert 'MB/s' in lines[-1]


# -- outcomes of a failed upgrade ----------------------------------------------------------------------
def test_interrupted_upload_fails_on_the_old_version(image):
    clock = FakeClock(5000.0)
    result = run(FakeMiner(clock, behaviour='interrupt'), clock, params(image))
    assert result['failed'] and not result['changed']
    assert result['upload']['outcome'] == 'interrupted'
    assert 'interrupted after' in result['msg'] and 'old firmware %s' % OLD in result['msg']
    assert result['error']['kind'] == 'not_applied'


def test_old_version_after_the_reboot_fails(image):
    clock = FakeClock(5000.0)
    result = run(FakeMiner(clock, behaviour='old'), clock, params(image))
    assert result['failed'] and not result['changed']
    assert result['restarted'] and result['version_after'] == OLD
    assert 'came back on its old firmware %s, not %s' % (OLD, NEW) in result['msg']


def test_never_returns_is_an_unknown_outcome(image):
    clock = FakeClock(5000.0)
    result = run(FakeMiner(clock, behaviour='never'), clock, params(image, wait_timeout=120))
    assert result['failed'] and result['changed']
    assert result['error']['kind'] == 'timeout' and result['error']['phase'] == 'restart'
    assert 'did not answer within wait_timeout (120s)' in result['msg'] and 'unknown' in result['msg']
    assert 120 <= result['elapsed'] <= 130


def test_another_version_fails(image):
    clock = FakeClock(5000.0)
    result = run(FakeMiner(clock, behaviour='other'), clock, params(image))
    assert result['failed'] and result['changed']
    assert 'neither the old %s nor the wanted %s' % (OLD, NEW) in result['msg']


def test_no_restart_fails_after_the_wait(image):
    clock = FakeClock(5000.0)
    result = run(FakeMiner(clock, behaviour='no_restart'), clock, params(image, wait_timeout=30))
    assert result['failed'] and not result['changed']
    assert not result['restarted'] and 'did not restart' in result['msg']


def test_no_ready_sends_no_image(image):
    clock = FakeClock(5000.0)
    result = run(FakeMiner(clock, behaviour='no_ready'), clock, params(image))
    assert result['failed'] and not result['changed']
    assert 'ready' in result['msg']


def test_refused_image(image):
    clock = FakeClock(5000.0)
    result = run(FakeMiner(clock, behaviour='rejected'), clock, params(image))
    assert result['failed'] and not result['changed']
    assert result['upload']['outcome'] == 'rejected' and 'not a firmware image' in result['msg']


# -- validation before any contact -------------------------------------------------------------------
@pytest.mark.parametrize('change, expect', [
    ({'src': '/nonexistent/fw.bin'}, 'src /nonexistent/fw.bin does not exist'),
    ({'version': ''}, 'version must be the firmware version string'),
    ({'version': '2025 03 01'}, 'version must be the firmware version string'),
    ({'checksum': 'md5:abc'}, 'checksum must be "sha256:" followed by the 64 hexadecimal digits'),
    ({'checksum': 'sha256:' + 'g' * 64}, 'checksum must be "sha256:"'),
    ({'wait_timeout': 0}, 'wait_timeout must be at least 1 second'),
    ({'wait_timeout': 90000}, 'wait_timeout must be an integer from 1 to 86400'),
])
def test_bad_input_fails_before_contact(image, change, expect):
    clock = FakeClock(5000.0)
    result = run(Untouchable(), clock, params(image, **change))
    assert result['failed'] and not result['changed']
    assert expect in result['msg'] and result['error']['kind'] == 'validation'


def test_file_checks(tmp_path):
    clock = FakeClock(5000.0)
    small = tmp_path / 'small.bin'
    small.write_bytes(b'x' * 100)
    result = run(Untouchable(), clock, params(small))
    assert 'is 100 bytes; a firmware image must be from 1024 bytes (1 KiB)' in result['msg']
    huge = tmp_path / 'huge.bin'
    with open(huge, 'wb') as handle:
        handle.truncate(_firmware.MAX_SIZE + 1)  # sparse
    result = run(Untouchable(), clock, params(huge))
    assert 'to %d bytes (1 GiB)' % _firmware.MAX_SIZE in result['msg']
    result = run(Untouchable(), clock, params(tmp_path))
    assert 'is not a regular file' in result['msg']


def test_unreadable_file():
    # A regular file whose first read fails even for root (CI runs as root, so chmod 0 would
    # prove nothing): reading offset 0 of a process's memory is an I/O error on Linux.
    result = run(Untouchable(), FakeClock(5000.0), params(Path('/proc/self/mem')))
    assert 'cannot be read' in result['msg']
    assert result['failed'] and not result['changed']


def test_checksum_mismatch_sends_nothing(image):
    result = run(Untouchable(), FakeClock(5000.0), params(image, checksum='sha256:' + '0' * 64))
    assert result['failed'] and not result['changed']
    assert 'does not match checksum' in result['msg'] and 'nothing was sent' in result['msg']


def test_checksum_match_and_cache(image, monkeypatch, tmp_path):
    monkeypatch.setenv('MINEROPS_WHATSMINER_STATE_DIR', str(tmp_path / 'state'))
    digest = hashlib.sha256(image.read_bytes()).hexdigest()
    calls = []
    real = _firmware.file_sha256
    monkeypatch.setattr(_firmware, 'file_sha256', lambda path: calls.append(path) or real(path))
    clock = FakeClock(5000.0)
    result = run(FakeMiner(clock), clock, params(image, checksum='sha256:' + digest.upper()))
    assert not result.get('failed'), result
    assert result['image']['sha256'] == digest
    again = run(FakeMiner(clock, version=NEW), clock, params(image, checksum='sha256:' + digest))
    assert not again.get('failed') and len(calls) == 1, 'the digest is cached per file version'
    assert oct((tmp_path / 'state' / 'firmware').stat().st_mode & 0o777) == '0o700'
    # a changed file is hashed again (and no longer matches)
    with open(image, 'ab') as handle:
        handle.write(b'tail')
    changed = run(Untouchable(), clock, params(image, checksum='sha256:' + digest))
    assert changed['failed'] and 'does not match checksum' in changed['msg'] and len(calls) == 2


# -- reading and comparing versions ------------------------------------------------------------------
@pytest.mark.parametrize('reported, wanted, same', [
    ("'20220125.13.Rel'", '20220125.13.Rel', True),
    (' 20220125.13.REL ', '20220125.13.Rel', True),
    ('20250214.16.1', '20250214.16', False),
    ('20250214.16', '20250214.16.1', False),
    ('', '', False),
    (None, '20250214.16', False),
])
def test_same_version(reported, wanted, same):
    assert _firmware.same_version(reported, wanted) is same


def test_read_version_sources():
    clock = FakeClock(5000.0)
    assert _firmware.read_version(FakeMiner(clock, flavor='2025')) == OLD
    old = FakeMiner(clock, flavor='old')
    assert _firmware.read_version(old) == OLD  # get_version unknown: status, unquoted
    assert old.reads == ['get_version', 'status']

    class Silent(FakeMiner):
        def read(self, command, **params):
            if command == 'summary':
                return Reply({'STATUS': [{'STATUS': 'S'}], 'SUMMARY': [{'Uptime': 5}]})
            return Reply({'STATUS': 'S', 'Code': 131, 'Msg': {}})

    with pytest.raises(ProtocolError, match='reports no firmware version'):
        _firmware.read_version(Silent(clock))


def test_progress_object():
    clock = FakeClock(5000.0)
    lines = []
    progress = _firmware.Progress(1000 * 1000, lines.append, clock.monotonic)
    for step in range(1, 11):
        clock.now += 3.0
        progress(step * 100 * 1000, 1000 * 1000)
    progress.done()
    # every tenth, but at most every 5 s, and always the last
    assert [line.split('%')[0] for line in lines] == ['firmware upload 20', 'firmware upload 40',
                                                      'firmware upload 60', 'firmware upload 80',
                                                      'firmware upload 100']
    figures = progress.as_dict('unknown')
    assert figures == {'bytes': 1000000, 'size': 1000000, 'seconds': 30.0, 'throughput_mb_s': 0.03,
                       'outcome': 'unknown'}


def test_spec_matches_the_documentation():
    from ansible_collections.minerops.whatsminer.plugins.modules import whatsminer_firmware  # noqa: F401
    spec = _firmware.FIRMWARE_SPEC
    assert spec['src'] == {'type': 'path', 'required': True}
    assert spec['wait_timeout']['default'] == 900
    assert 'no_log' not in spec['checksum']
