# -*- coding: utf-8 -*-
"""update_firmware (ready, length + image, reboot, version from the header) and download_logs."""

from __future__ import annotations

import io
import resource
import json
import tarfile

import pytest

from wmclient import Client, exchange, wait_until
from wmsim.firmware import ImageScanner, image_header, write_image


def version_of(fleet, host):
    def answered():
        raw = exchange(host, fleet.port, {'cmd': 'get_version'})
        return json.loads(raw)['Msg']['fw_ver'] if raw.startswith(b'{') else None
    return wait_until(answered, timeout=5)


def test_firmware_upload_sets_version(make_fleet, tmp_path):
    fleet = make_fleet(['127.0.0.2'], reboot_seconds=1.0)
    image = write_image(str(tmp_path / 'fw.bin'), '20240601.22.Rel', 3 * 1024 * 1024 + 17)
    ready, after = Client('127.0.0.2', fleet.port).upload_firmware(image)
    assert ready['Code'] == 131 and ready['Msg'] == 'ready'
    assert after == b''
    assert fleet.miner('127.0.0.2').down == 'board'
    assert version_of(fleet, '127.0.0.2') == '20240601.22.Rel'
    last = fleet.miner('127.0.0.2').state['last_firmware']
    assert last['accepted'] and last['received'] == last['expected'] == 3 * 1024 * 1024 + 17
    # still the 2022 flavour (firmware before 2024-11)
    assert 'SUMMARY' in json.loads(exchange('127.0.0.2', fleet.port, {'cmd': 'summary'}))


def test_firmware_2025_switches_flavour(make_fleet, tmp_path):
    fleet = make_fleet(['127.0.0.2'], reboot_seconds=0.3)
    image = write_image(str(tmp_path / 'fw.bin'), '20250301.10.Rel', 4096)
    Client('127.0.0.2', fleet.port).upload_firmware(image)
    assert version_of(fleet, '127.0.0.2') == '20250301.10.Rel'
    reply = json.loads(exchange('127.0.0.2', fleet.port, {'cmd': 'get_version'}))
    assert reply['Msg']['api_ver'] == '2.2.1'
    assert fleet.miner('127.0.0.2').flavor == '2025'


def test_image_without_header_is_rejected(make_fleet, tmp_path):
    fleet = make_fleet(['127.0.0.2'], reboot_seconds=0.3)
    image = write_image(str(tmp_path / 'bad.bin'), None, 10000)
    ready, dummy = Client('127.0.0.2', fleet.port).upload_firmware(image)
    assert ready['Msg'] == 'ready'
    assert version_of(fleet, '127.0.0.2') == '20220125.13.Rel'
    assert fleet.miner('127.0.0.2').state['last_firmware']['accepted'] is False


def test_short_upload_is_rejected(make_fleet):
    fleet = make_fleet(['127.0.0.2'], reboot_seconds=0.3)
    data = image_header('20250301.10.Rel') + b'x' * 1000
    Client('127.0.0.2', fleet.port).upload_firmware(data=data, declared=len(data) + 500, half_close=True)
    assert wait_until(lambda: fleet.miner('127.0.0.2').state['last_firmware'] is not None, timeout=5)
    assert version_of(fleet, '127.0.0.2') == '20220125.13.Rel'
    last = fleet.miner('127.0.0.2').state['last_firmware']
    assert last['received'] == len(data) and last['accepted'] is False


def test_image_scanner_streams():
    head = image_header('20250301.10.Rel')
    scanner = ImageScanner(len(head) + 10)
    for byte in head + b'0123456789':
        scanner.feed(bytes([byte]))
    assert scanner.complete and scanner.version == '20250301.10.Rel'
    assert ImageScanner(5).version is None


def test_download_logs(fleet_any):
    client = Client('127.0.0.4', fleet_any.port)
    client.write('set_hostname', hostname='logtest-07')
    header, archive = client.download_logs()
    assert header['Code'] == 131
    length = header['Msg']['logfilelen']
    assert isinstance(length, str) and int(length) == len(archive)
    with tarfile.open(fileobj=io.BytesIO(archive), mode='r:gz') as tar:
        names = tar.getnames()
        text = b''.join(tar.extractfile(name).read() for name in names).decode()
    assert 'logs/btminer.log' in names
    assert 'logtest-07' in text and fleet_any.miner('127.0.0.4').identity.model in text


@pytest.mark.parametrize('kind', ['upload_interrupted', 'boots_old_version'])
def test_firmware_faults(make_fleet, tmp_path, kind):
    fleet = make_fleet(['127.0.0.2'], reboot_seconds=0.3)
    fleet.miner('127.0.0.2').add_fault(kind)
    image = write_image(str(tmp_path / 'fw.bin'), '20250301.10.Rel', 2 * 1024 * 1024)
    ready, dummy = Client('127.0.0.2', fleet.port).upload_firmware(image)
    assert ready['Msg'] == 'ready'
    assert wait_until(lambda: fleet.miner('127.0.0.2').state['last_firmware'] is not None, timeout=5)
    last = fleet.miner('127.0.0.2').state['last_firmware']
    if kind == 'upload_interrupted':
        assert last['received'] < last['expected']
    else:
        assert last['received'] == last['expected']
    assert version_of(fleet, '127.0.0.2') == '20220125.13.Rel'


def test_large_image_is_streamed_not_buffered(make_fleet, tmp_path):
    fleet = make_fleet(['127.0.0.2'], reboot_seconds=0.2)
    size = 64 * 1024 * 1024
    image = write_image(str(tmp_path / 'big.bin'), '20250301.10.Rel', size)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ready, dummy = Client('127.0.0.2', fleet.port, timeout=30).upload_firmware(image)
    assert ready['Msg'] == 'ready'
    assert version_of(fleet, '127.0.0.2') == '20250301.10.Rel'
    assert fleet.miner('127.0.0.2').state['last_firmware']['received'] == size
    # peak memory (KiB on Linux) grew far less than the image
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 24 * 1024
