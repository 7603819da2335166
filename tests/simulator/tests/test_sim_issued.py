# -*- coding: utf-8 -*-
"""The ``issued`` control op: every v2 token issued and every v3 token accepted, for audits
that look for signs and keys in what a client wrote."""

from __future__ import annotations

from test_sim_v3 import Framed, digest, signed  # noqa: E402  pylint: disable=import-error
from wmclient import Client  # noqa: E402  pylint: disable=import-error
from wmsim.control import ControlClient


def test_v2_signs_are_listed_and_survive_a_reboot(make_fleet):
    fleet = make_fleet(['127.0.0.2'], password='secret', control_port=0)
    control = ControlClient(fleet.control_port)
    client = Client('127.0.0.2', fleet.port, password='secret')
    reply = client.login()
    assert client.write('set_led', param='auto')['Code'] == 131
    issued = control.issued('127.0.0.2')
    assert issued['v3'] == []
    entry = issued['v2'][0]
    assert entry['sign'] == client.sign and entry['salt'] == reply['Msg']['salt']
    assert entry['newsalt'] == reply['Msg']['newsalt'] and entry['client'] == '127.0.0.1'
    client.write_raw('reboot')  # closed without a reply, then the board reboots
    assert len(control.issued('127.0.0.2')['v2']) == 1, 'the history outlives the token table'


def test_v3_accepted_tokens_with_their_digest(make_fleet):
    fleet = make_fleet(['127.0.0.5'], flavor='v3', password='secret', v3_port=0, control_port=0)
    conn = Framed('127.0.0.5', fleet.v3_port)
    try:
        salt = conn.call({'cmd': 'get.device.info', 'param': 'salt'})['msg']['salt']
        assert signed(conn, 'set.system.led', param='auto', ts=1773869570, salt=salt)['code'] in (0, -1)
        assert signed(conn, 'set.system.led', password='wrong', param='auto', salt=salt)['code'] == -1
    finally:
        conn.close()
    accepted = ControlClient(fleet.control_port).issued('127.0.0.5')['v3']
    fresh = [entry for entry in accepted if entry['cmd'] == 'set.system.led']
    assert len(fresh) == 1, 'only the right password is remembered'
    assert fresh[0]['digest'] == digest('set.system.led', 'secret', salt, 1773869570).hex()
