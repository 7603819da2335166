# -*- coding: utf-8 -*-
"""The control channel: JSON lines over TCP on 127.0.0.1, and a small client for it.

Why: playbook tests run the simulator as a separate process; they still need to read counters
and state, inject faults, change settings and move the clock.  One JSON request per line, one
JSON reply per line: ``{"op": "counters", "host": "127.0.0.2"}`` ->
``{"ok": true, "result": {...}}`` (or ``{"ok": false, "error": "..."}``).
Ops: counters, state, fault, clear_faults, set, reset_counters, advance_clock, hosts, faults,
tokens, issued.
"""

from __future__ import annotations

import json
import socket

MAX_LINE = 1024 * 1024


def _miner(fleet, request):
    host = request.get('host')
    if not host:
        raise ValueError('this op needs "host"')
    return fleet.miner(host)


def handle_op(fleet, request):
    """Carry out one control request; return its result (raise on error)."""
    op = request.get('op')
    if op == 'hosts':
        return {'port': fleet.port, 'control_port': fleet.control_port, 'hosts': fleet.hosts,
                'flavors': fleet.flavors, 'miners': [miner.describe() for miner in fleet.miners]}
    if op == 'advance_clock':
        return {'now': fleet.advance_clock(float(request.get('seconds', 0))), 'offset': fleet.clock.offset}
    miner = _miner(fleet, request)
    if op == 'counters':
        return miner.counters
    if op == 'state':
        return miner.state
    if op == 'fault':
        return miner.add_fault(request['kind'], commands=request.get('commands'), count=request.get('count'),
                               seconds=request.get('seconds'))
    if op == 'faults':
        return miner.faults_active
    if op == 'clear_faults':
        miner.clear_faults()
        return True
    if op == 'set':
        return miner.set(**dict(request.get('values') or {}))
    if op == 'reset_counters':
        miner.reset_counters()
        return True
    if op == 'tokens':
        return miner.live_tokens()
    if op == 'issued':
        with fleet.lock:
            return miner.tokens.history()
    raise ValueError('unknown op %r' % (op,))


async def serve_control(fleet, reader, writer):
    """Serve control requests on one connection until the client closes it."""
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            if not line.strip():
                continue
            try:
                request = json.loads(line.decode('utf-8'))
                if not isinstance(request, dict):
                    raise ValueError('request must be a JSON object')
                reply = {'ok': True, 'result': handle_op(fleet, request)}
            except (ValueError, KeyError, TypeError) as exc:
                reply = {'ok': False, 'error': '%s: %s' % (type(exc).__name__, exc)}
            writer.write((json.dumps(reply) + '\n').encode('utf-8'))
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


class ControlError(Exception):
    """The simulator refused a control request."""


class ControlClient:
    """Client of the control channel: ``ControlClient(port).counters('127.0.0.2')``.

    Each call opens a short connection, so the client needs no cleanup and survives a
    simulator restart.
    """

    def __init__(self, port, host='127.0.0.1', timeout=10.0):
        self.port = int(port)
        self.host = host
        self.timeout = timeout

    def request(self, op, **fields):
        """Send one request; return its result or raise ControlError."""
        fields['op'] = op
        payload = (json.dumps(fields) + '\n').encode('utf-8')
        with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
            sock.sendall(payload)
            data = b''
            while not data.endswith(b'\n'):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                if len(data) > MAX_LINE:
                    raise ControlError('control reply too long')
        if not data:
            raise ControlError('no reply from the simulator control channel')
        reply = json.loads(data.decode('utf-8'))
        if not reply.get('ok'):
            raise ControlError(reply.get('error', 'control request failed'))
        return reply.get('result')

    def counters(self, host):
        """Counters of the miner at ``host``."""
        return self.request('counters', host=host)

    def state(self, host):
        """Settings of the miner at ``host``."""
        return self.request('state', host=host)

    def fault(self, host, kind, commands=None, count=None, seconds=None):
        """Inject a fault into the miner at ``host``."""
        return self.request('fault', host=host, kind=kind, commands=commands, count=count, seconds=seconds)

    add_fault = fault

    def faults(self, host):
        """Active faults of the miner at ``host``."""
        return self.request('faults', host=host)

    def clear_faults(self, host):
        """Remove every fault of the miner at ``host``."""
        return self.request('clear_faults', host=host)

    def set(self, host, **values):
        """Change settings of the miner at ``host``; returns the new state."""
        return self.request('set', host=host, values=values)

    def reset_counters(self, host):
        """Zero the counters of the miner at ``host``."""
        return self.request('reset_counters', host=host)

    def advance_clock(self, seconds):
        """Move the fleet's simulated clock forward."""
        return self.request('advance_clock', seconds=seconds)

    def hosts(self):
        """Port, control port, hosts, flavours and per-miner descriptions."""
        return self.request('hosts')

    def tokens(self, host):
        """{client ip: live tokens} of the miner at ``host``."""
        return self.request('tokens', host=host)

    def issued(self, host):
        """Every v2 token the miner at ``host`` issued (client, time, salt, newsalt, sign) and
        every v3 token it accepted (cmd, ts, token, digest hex)."""
        return self.request('issued', host=host)
