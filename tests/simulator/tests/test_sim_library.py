# -*- coding: utf-8 -*-
"""The independent ``whatsminer`` PyPI client (unmodified) against the simulator.

This is the proof that the simulator is faithful: a client written by someone else, from the
vendor document and real miners, reads and writes through it without knowing it is simulated.
"""

from __future__ import annotations

import pytest

from whatsminer.api import WhatsminerAccessToken, WhatsminerAPI

# The library passes salt settings to passlib's md5_crypt.hash(), which newer passlib deprecates.
pytestmark = pytest.mark.filterwarnings('ignore::DeprecationWarning')


@pytest.fixture(params=['2022', '2025'])
def miner_fleet(request, make_fleet):
    return make_fleet(['127.0.0.5'], flavor=request.param)


def test_library_reads(miner_fleet):
    token = WhatsminerAccessToken(ip_address='127.0.0.5', port=miner_fleet.port)
    flavor = miner_fleet.miner('127.0.0.5').flavor
    summary = WhatsminerAPI.get_read_only_info(token, 'summary')
    pools = WhatsminerAPI.get_read_only_info(token, 'pools')
    edevs = WhatsminerAPI.get_read_only_info(token, 'edevs')
    version = WhatsminerAPI.get_read_only_info(token, 'get_version')
    status = WhatsminerAPI.get_read_only_info(token, 'status')
    if flavor == '2022':
        assert summary['SUMMARY'][0]['Power Mode'] == 'Normal'
        assert pools['POOLS'][0]['URL'].startswith('stratum+tcp://')
        assert len(edevs['DEVS']) == 3
        assert status['Msg']['btmineroff'] == 'false'
    else:
        assert isinstance(summary['Msg']['Power'], float)
        assert pools['Msg']['POOLS'][0]['URL'].startswith('stratum+tcp://')
        assert len(edevs['Msg']['DEVS']) == 3
        assert status['Msg']['mineroff'] == 'false'
    assert version['Msg']['fw_ver'] == miner_fleet.miner('127.0.0.5').state['firmware_version']


def test_library_encrypted_writes(miner_fleet):
    token = WhatsminerAccessToken(ip_address='127.0.0.5', port=miner_fleet.port, admin_password='secret')
    reply = WhatsminerAPI.exec_command(token, 'set_led', additional_params={
        'color': 'red', 'period': 1000, 'duration': 500, 'start': 0})
    assert reply['STATUS'] == 'S' and reply['Msg'] == 'API command OK'
    info = WhatsminerAPI.get_read_only_info(token, 'get_miner_info', additional_params={'info': 'ledstat'})
    assert info['Msg'] == {'ledstat': 'manual'}
    pools = {'pool1': 'stratum+tcp://lib.example:3333', 'worker1': 'lib.worker', 'passwd1': 'x',
             'pool2': '', 'worker2': '', 'passwd2': '', 'pool3': '', 'worker3': '', 'passwd3': ''}
    assert WhatsminerAPI.exec_command(token, 'update_pools', additional_params=pools)['Code'] == 131
    read = WhatsminerAPI.get_read_only_info(token, 'pools')
    entries = read['POOLS'] if 'POOLS' in read else read['Msg']['POOLS']
    assert [(entry['URL'], entry['User']) for entry in entries] == [('stratum+tcp://lib.example:3333', 'lib.worker')]
    assert WhatsminerAPI.exec_command(token, 'power_off', additional_params={'respbefore': 'true'})['Code'] == 131
    status = WhatsminerAPI.get_read_only_info(token, 'status')['Msg']
    assert status.get('btmineroff', status.get('mineroff')) == 'true'
    counters = miner_fleet.miner('127.0.0.5').counters
    assert counters['get_token'] == 1 and counters['writes_applied'] == 3


def test_library_sees_errors(make_fleet):
    fleet = make_fleet(['127.0.0.5'], write_api=False)
    token = WhatsminerAccessToken(ip_address='127.0.0.5', port=fleet.port, admin_password='secret')
    with pytest.raises(Exception, match="can't access write cmd"):
        WhatsminerAPI.exec_command(token, 'set_led', additional_params={'param': 'auto'})
    wrong = WhatsminerAccessToken(ip_address='127.0.0.5', port=fleet.port, admin_password='nope')
    with pytest.raises(Exception, match='enc json load err'):
        WhatsminerAPI.exec_command(wrong, 'set_led', additional_params={'param': 'auto'})
