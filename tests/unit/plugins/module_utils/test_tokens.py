# -*- coding: utf-8 -*-
"""The controller-side token cache: private files, expiry, one fetch across processes."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import time

from ansible_collections.minerops.whatsminer.plugins.module_utils._tokens import TokenStore


def test_files_are_private_and_hold_no_password(tmp_path):
    store = TokenStore(str(tmp_path / 'tokens'))
    store.get_or_fetch('10.0.0.1:4028', lambda: {'sign': 'SIGN', 'salt': 'SALT'})
    assert stat.S_IMODE(os.stat(tmp_path / 'tokens').st_mode) == 0o700
    (entry_file,) = [p for p in (tmp_path / 'tokens').iterdir() if p.suffix == '.json']
    assert stat.S_IMODE(entry_file.stat().st_mode) == 0o600
    assert set(json.loads(entry_file.read_text())) == {'sign', 'salt', 'issued'}


def test_reuse_until_25_minutes_then_refetch(tmp_path):
    now = [1000.0]
    store = TokenStore(str(tmp_path), clock=lambda: now[0])
    calls = []

    def fetch():
        calls.append(1)
        return {'sign': 'S%d' % len(calls), 'salt': 'x'}
    assert store.get_or_fetch('m', fetch) == ({'sign': 'S1', 'salt': 'x', 'issued': 1000.0}, True)
    now[0] += 24 * 60
    assert store.get_or_fetch('m', fetch)[0]['sign'] == 'S1'
    now[0] += 60
    assert store.get_or_fetch('m', fetch)[0]['sign'] == 'S2'
    assert len(calls) == 2


def test_drop_keeps_a_newer_sign(tmp_path):
    store = TokenStore(str(tmp_path))
    store.get_or_fetch('m', lambda: {'sign': 'NEW', 'salt': 'x'})
    store.drop('m', sign='OLD')
    assert store.get('m')['sign'] == 'NEW'
    store.drop('m', sign='NEW')
    assert store.get('m') is None


def _worker(directory, counter_path, barrier):
    store = TokenStore(directory)
    barrier.wait()

    def fetch():
        with open(counter_path, 'a', encoding='utf-8') as handle:
            handle.write('x')
        time.sleep(0.2)
        return {'sign': 'S-%d' % os.getpid(), 'salt': 'x'}
    entry = store.get_or_fetch('m', fetch)[0]
    with open(counter_path + '.signs', 'a', encoding='utf-8') as handle:
        handle.write(entry['sign'] + '\n')


def test_concurrent_processes_fetch_once(tmp_path):
    counter = str(tmp_path / 'count')
    barrier = multiprocessing.Barrier(4)
    procs = [multiprocessing.Process(target=_worker, args=(str(tmp_path / 't'), counter, barrier)) for _index in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(20)
    assert open(counter, encoding='utf-8').read() == 'x'
    assert len(set(open(counter + '.signs', encoding='utf-8').read().split())) == 1
