# -*- coding: utf-8 -*-
"""Command line front end: ``run_simulator.py --hosts ... --port ...`` in the foreground.

Why: playbook tests start the simulator as a process, wait for ``--ready-file`` and stop it
with SIGTERM; this module turns options into a Fleet and keeps it running until then.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import tempfile
import threading

from .faults import KINDS
from .fleet import Fleet


def build_parser():
    """The argument parser (also documents the options in --help)."""
    parser = argparse.ArgumentParser(description='Simulate a fleet of WhatsMiner miners (API v2 on one TCP port).')
    parser.add_argument('--hosts', required=True,
                        help='loopback addresses: ranges (127.0.0.2-127.0.0.11 or 127.0.0.2-11), comma lists, CIDR (127.0.1.0/28)')
    parser.add_argument('--port', type=int, default=4028, help='TCP port shared by all miners (0: ephemeral)')
    parser.add_argument('--password', default='secret', help='admin password of every miner (default: secret)')
    parser.add_argument('--flavor', default='2022', choices=('2022', '2025', 'v3', 'mixed', 'mixed-v3'),
                        help='firmware generation; v3 also serves API v3 on --v3-port; mixed alternates 2022/2025, '
                             'mixed-v3 2022/2025/v3')
    parser.add_argument('--v3-port', type=int, default=None,
                        help='API v3 port shared by the v3 miners (default: ephemeral when there are v3 miners)')
    parser.add_argument('--state', dest='state_path', help='JSON state file (loaded at start, written after every write)')
    parser.add_argument('--restart-seconds', type=float, default=2.0, help='btminer down after a restarting write')
    parser.add_argument('--reboot-seconds', type=float, default=3.0, help='board down after reboot/net_config/factory_reset/firmware')
    parser.add_argument('--control-port', type=int, default=0, help='control channel port on 127.0.0.1 (0: ephemeral)')
    parser.add_argument('--ready-file', help='write {"port", "control_port", "hosts", "pid", "flavors"} here when listening')
    parser.add_argument('--seed', type=int, default=0, help='seed of the per-host identities')
    parser.add_argument('--write-api', choices=('on', 'off'), default='on', help='initial write-API switch')
    parser.add_argument('--fault', action='append', default=[], metavar='HOST=KIND[:count]',
                        help='inject a fault at start (HOST may be "all"); kinds: %s' % ', '.join(sorted(KINDS)))
    parser.add_argument('--idle-timeout', type=float, default=10.0, help='close connections idle this long (s)')
    parser.add_argument('--log-level', default='WARNING', help='DEBUG logs every command')
    return parser


def parse_fault(text):
    """``HOST=KIND[:count]`` -> (host, kind, count)."""
    if '=' not in text:
        raise ValueError('fault %r is not HOST=KIND[:count]' % text)
    host, spec = text.split('=', 1)
    kind, dummy, count = spec.partition(':')
    if kind not in KINDS:
        raise ValueError('unknown fault kind %r' % kind)
    return host.strip(), kind, int(count) if count else None


def write_ready_file(path, fleet):
    """Write the ready file atomically."""
    data = {'port': fleet.port, 'control_port': fleet.control_port, 'hosts': fleet.hosts, 'pid': os.getpid(),
            'flavors': fleet.flavors, 'v3_port': fleet.v3_port}
    folder = os.path.dirname(os.path.abspath(path))
    handle, temp_path = tempfile.mkstemp(prefix='.wmsim-ready-', dir=folder)
    with os.fdopen(handle, 'w', encoding='utf-8') as stream:
        json.dump(data, stream)
    os.replace(temp_path, path)


def main(argv=None):
    """Run the simulator until SIGTERM or SIGINT; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(args.log_level).upper(), logging.WARNING),
                        format='%(asctime)s %(levelname)s %(message)s')
    try:
        faults = [parse_fault(text) for text in args.fault]
        fleet = Fleet(args.hosts, port=args.port, password=args.password, flavor=args.flavor, state_path=args.state_path,
                      restart_seconds=args.restart_seconds, reboot_seconds=args.reboot_seconds, seed=args.seed,
                      write_api=args.write_api == 'on', idle_timeout=args.idle_timeout, control_port=args.control_port,
                      v3_port=args.v3_port)
        for host, kind, count in faults:
            targets = fleet.miners if host in ('all', '*') else [fleet.miner(host)]
            for miner in targets:
                miner.add_fault(kind, count=count)
    except (ValueError, KeyError) as exc:
        sys.stderr.write('run_simulator: %s\n' % exc)
        return 2
    stop = threading.Event()

    def request_stop(*dummy):
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        fleet.start()
    except OSError as exc:
        sys.stderr.write('run_simulator: cannot listen: %s\n' % exc)
        return 1
    try:
        if args.ready_file:
            write_ready_file(args.ready_file, fleet)
        sys.stdout.write('wmsim: %d miners on port %s, control port %s\n' % (len(fleet.hosts), fleet.port, fleet.control_port))
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        fleet.stop()
        if args.ready_file and os.path.exists(args.ready_file):
            os.unlink(args.ready_file)
    return 0
