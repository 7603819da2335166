# -*- coding: utf-8 -*-
"""The control channel, in process and against run_simulator.py started as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from wmclient import Client, exchange
from wmsim.control import ControlClient, ControlError

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'run_simulator.py')


def wait_for_file(path, process, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as stream:
                return json.load(stream)
        if process.poll() is not None:
            raise AssertionError('simulator exited early: %s' % process.communicate())
        time.sleep(0.05)
    raise AssertionError('no ready file after %s s' % timeout)


def test_control_in_process(make_fleet):
    fleet = make_fleet(['127.0.0.2'], control_port=0)
    control = ControlClient(fleet.control_port)
    hosts = control.hosts()
    assert hosts['port'] == fleet.port and hosts['hosts'] == ['127.0.0.2']
    control.set('127.0.0.2', power_mode='High')
    assert control.state('127.0.0.2')['power_mode'] == 'High'
    with pytest.raises(ControlError):
        control.set('127.0.0.2', bogus=1)
    with pytest.raises(ControlError):
        control.request('nonsense')


def test_subprocess_simulator(tmp_path):
    ready = str(tmp_path / 'ready.json')
    state = str(tmp_path / 'state.json')
    process = subprocess.Popen(
        [sys.executable, SCRIPT, '--hosts', '127.0.0.2-127.0.0.3,127.0.3.0/30', '--port', '0', '--flavor', 'mixed',
         '--password', 'secret', '--state', state, '--ready-file', ready, '--restart-seconds', '0.3',
         '--reboot-seconds', '0.3', '--fault', '127.0.0.3=garbage:1'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        info = wait_for_file(ready, process)
        assert info['pid'] == process.pid
        assert info['hosts'] == ['127.0.0.2', '127.0.0.3', '127.0.3.1', '127.0.3.2']
        assert info['flavors'] == {'127.0.0.2': '2022', '127.0.0.3': '2025', '127.0.3.1': '2022', '127.0.3.2': '2025'}
        port = info['port']
        control = ControlClient(info['control_port'])
        # the --fault option
        assert exchange('127.0.0.3', port, {'cmd': 'status'})[:1] == b'\x8f'
        assert json.loads(exchange('127.0.0.3', port, {'cmd': 'status'}))['STATUS'] == 'S'
        # counters and state
        client = Client('127.0.0.2', port)
        assert client.write('set_led', color='red', period=500, duration=250, start=0)['Code'] == 131
        counters = control.counters('127.0.0.2')
        assert counters['writes_applied'] == 1 and counters['get_token'] == 1
        assert control.state('127.0.0.2')['led_mode'] == 'manual'
        # faults through the control channel
        control.fault('127.0.0.2', 'btminer_down', commands=['summary'], count=1)
        assert control.faults('127.0.0.2')[0]['kind'] == 'btminer_down'
        assert exchange('127.0.0.2', port, {'cmd': 'summary'}) == b'Socket connect failed: Connection refused'
        control.fault('127.0.0.2', 'drop')
        assert exchange('127.0.0.2', port, {'cmd': 'status'}) == b''
        control.clear_faults('127.0.0.2')
        assert json.loads(exchange('127.0.0.2', port, {'cmd': 'status'}))['STATUS'] == 'S'
        # set, reset_counters, advance_clock, tokens
        control.set('127.0.0.2', write_api=False)
        assert client.write('set_led', param='auto')['Code'] == 45
        control.reset_counters('127.0.0.2')
        assert control.counters('127.0.0.2')['connections'] == 0
        assert control.tokens('127.0.0.2') == {'127.0.0.1': 1}
        control.advance_clock(31 * 60)
        assert control.tokens('127.0.0.2') == {}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate()
    assert code == 0
    assert not os.path.exists(ready)
    with open(state) as stream:
        saved = json.load(stream)
    assert saved['miners']['127.0.0.2']['settings']['write_api'] is False


def test_cli_rejects_bad_options():
    result = subprocess.run([sys.executable, SCRIPT, '--hosts', '127.0.0.2', '--port', '0', '--fault', 'x=nope'],
                            capture_output=True, timeout=30, check=False)
    assert result.returncode == 2 and b'unknown fault kind' in result.stderr
    result = subprocess.run([sys.executable, SCRIPT, '--hosts', '127.0.0.2', '--port', '0', '--fault', '127.0.0.9=drop'],
                            capture_output=True, timeout=30, check=False)
    assert result.returncode == 2 and b'no simulated miner at 127.0.0.9' in result.stderr
