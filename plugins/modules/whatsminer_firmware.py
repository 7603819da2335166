#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Upgrade the firmware of a WhatsMiner and verify the version it reports afterwards."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_firmware
short_description: Upgrade the firmware of WhatsMiner miners
version_added: 0.1.0
description:
  - Uploads the firmware image O(src) to the miner (command C(update_firmware) on API v2,
    C(set.system.update_firmware) on API v3), waits for the miner to reboot and checks that it
    then reports the firmware O(version).
  - Idempotent. The miner's firmware version is read first (C(get_version) C(fw_ver), else
    C(status) or C(summary) C(Firmware Version)). When it already is O(version), nothing is
    sent and the task reports C(ok), unless O(force=true).
  - The comparison is an exact match of the version strings, ignoring the single quotes that
    older firmware puts around the version, surrounding blanks and letter case. There is no
    prefix or substring match, so O(version=20250214.16) does not match a miner that reports
    C(20250214.16.1).
  - Everything is validated before the miner is contacted. The image must exist, be a readable
    regular file of 1 KiB to 1 GiB, and match O(checksum) when that is given. Bad input fails
    the task with a message that names the option, and nothing is sent.
  - The image is streamed from disk on the connection that received the miner's C(ready)
    reply, as a 4-byte little-endian length and then the file in 64 KiB pieces. It is never
    read into memory whole, so a 100 MB image costs the controller no more memory than a 10 MB
    one.
  - Miners usually close the connection after the upload without a word. That is an unknown
    outcome, not an error. With O(wait=true) the task waits until the miner answers again with
    an uptime younger than the upload (bounded by O(wait_timeout)), then reads the version.
    The wanted version means success. The old version fails the task (the miner refused the
    image or did not receive all of it), and so does a miner that does not answer within
    O(wait_timeout), whose outcome is unknown. An upload cut short fails the same way, once the
    miner is back on its old firmware, and the message says how many bytes were sent.
  - RV(upload) reports the bytes sent, the time the upload took and its throughput. On the
    action path (the default), progress lines are printed at verbosity C(-v) and above.
  - On API v2 an image that raises a miner from 2024-10 or older firmware to 2024-11 or newer
    also moves it to API v3. With O(api_version=auto) the controller drops what it knows
    about the miner's API after every upload and detects it again afterwards.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
attributes:
  check_mode:
    description:
      - Validates the image (and its checksum), reads the miner's version and reports whether
        the task would upgrade it, with the diff. Sends nothing.
    support: full
  diff_mode:
    description: Shows the firmware version before and after (in check mode, after means O(version)).
    support: full
options:
  src:
    description:
      - The firmware image, a file on the machine that runs the task.
      - On the action path (the default) that is the controller. A relative path is looked up
        like the O(src) of M(ansible.builtin.copy), in the C(files/) directory of the role or
        playbook, then relative to the playbook.
      - On the module path, that is when the task is delegated to another host such as a site
        gateway, when it runs C(async), or with C(MINEROPS_WHATSMINER_FORCE_MODULE=1), the
        file must be on the host that runs the module (copy it there first) and a relative
        path is relative to the module's working directory, so use an absolute path.
      - Must be a readable regular file of 1 KiB to 1 GiB.
    type: path
    required: true
  version:
    description:
      - The firmware version the miner must report once the image is installed, as
        C(get_version) reports it in C(fw_ver), for example C(20250214.16.Rel).
      - Matched exactly, ignoring letter case, surrounding blanks and single quotes.
      - Quote it in YAML when it could be read as a number, for example C("20250214").
    type: str
    required: true
  force:
    description:
      - Upload even when the miner already reports O(version). The task then reports C(changed).
    type: bool
    default: false
  checksum:
    description:
      - Expected SHA-256 of the image, written C(sha256:) followed by 64 hexadecimal digits,
        as C(sha256sum) prints them (as the vendor publishes them).
      - Checked before the miner is contacted. A mismatch fails the task and nothing is sent.
      - The digest is computed once per controller and image file (cached in the controller's
        private state directory, keyed by the file's path, inode, size and modification
        times), so a fleet does not hash the image once per miner.
    type: str
  wait:
    description:
      - Wait for the miner to reboot after the upload and verify the version it reports.
      - With V(false) the task returns once the image is sent and reports C(changed) with
        RV(verified=false). Nothing is verified, and RV(version_after) is V(null).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait, after the upload, for the miner to reboot and answer again. Flashing
        and rebooting take a real miner a few minutes.
      - From 1 to 86400.
    type: int
    default: 900
notes:
  - Upgrade a fleet in batches with C(serial) and C(max_fail_percentage); the
    C(minerops.whatsminer.firmware_rollout) role and C(playbooks/firmware.yml) do, with a
    model allow-list, a hash-rate check afterwards and a summary.
  - The miner stops hashing while it flashes and reboots.
  - The image must be meant for the miner's model, control board and platform. The miner
    checks the image, but a wrong image can still leave a miner that needs recovery on site.
  - A miner whose write API is switched off refuses the upload (see
    C(docs/troubleshooting.md)).
seealso:
  - module: minerops.whatsminer.whatsminer_facts
  - module: minerops.whatsminer.whatsminer_logs
  - module: minerops.whatsminer.whatsminer_reboot
'''

EXAMPLES = r'''
# Before: the miner reports firmware 20220125.13.Rel.
# After: it reports 20250301.10.Rel (get_version fw_ver); the task reports changed, with the
# version before and after in the diff. Run again, it sends nothing and reports ok.
- name: Upgrade the firmware, three miners at a time
  minerops.whatsminer.whatsminer_firmware:
    src: /srv/firmware/M50_20250301.10.Rel.bin
    version: 20250301.10.Rel
    checksum: sha256:3f1d0c5e8a7b9d2c4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d
  throttle: 3
  register: upgrade

- name: Show the upload figures
  ansible.builtin.debug:
    msg: "{{ upgrade.version_before }} -> {{ upgrade.version_after }}, {{ upgrade.upload.throughput_mb_s }} MB/s"
  when: upgrade is changed

# Which miners would be upgraded? Sends nothing; --diff shows the versions before and after.
- name: Report the miners that are not on the wanted firmware
  minerops.whatsminer.whatsminer_firmware:
    src: /srv/firmware/M50_20250301.10.Rel.bin
    version: 20250301.10.Rel
  check_mode: true
  diff: true

# Before: a miner at a remote site behind a gateway; the image is on the gateway.
# After: upgraded by the module running on the gateway.
- name: Upgrade from the site gateway
  minerops.whatsminer.whatsminer_firmware:
    src: /var/tmp/M50_20250301.10.Rel.bin
    version: 20250301.10.Rel
    wait_timeout: 1200
  delegate_to: gateway-site2

# Before: a miner that reports 20250301.10.Rel but misbehaves. After: the same image flashed
# again (changed), the same version reported.
- name: Reinstall the same firmware
  minerops.whatsminer.whatsminer_firmware:
    src: M50_20250301.10.Rel.bin          # from the files/ directory of the playbook or role
    version: 20250301.10.Rel
    force: true
'''

RETURN = r'''
miner:
  description: The miner, as C(host:port).
  returned: when the miner was contacted
  type: str
  sample: 10.1.2.3:4028
version:
  description: The version asked for (O(version)).
  returned: when the miner was contacted
  type: str
  sample: 20250301.10.Rel
version_before:
  description: The firmware version the miner reported before the task.
  returned: when the miner was contacted
  type: str
  sample: 20220125.13.Rel
version_after:
  description:
    - The firmware version the miner reported after the reboot. Without an upload it is
      RV(version_before); in check mode it is O(version) when the task would upgrade; with
      O(wait=false), or when the miner did not come back, it is V(null).
  returned: when the miner was contacted
  type: str
  sample: 20250301.10.Rel
upgraded:
  description: Whether the image was installed and the miner now reports O(version).
  returned: when the miner was contacted
  type: bool
  sample: true
verified:
  description: Whether the version was read back after the upload (V(false) in check mode, with O(wait=false) and without an upload).
  returned: when the miner was contacted
  type: bool
  sample: true
restarted:
  description:
    - Whether the miner rebooted after the upload (its uptime restarted). V(false) when it
      kept running until O(wait_timeout) passed.
  returned: after an upload that was waited for
  type: bool
  sample: true
image:
  description: The image, with C(path), C(size) (bytes) and C(sha256) (hex, only when O(checksum) is given, else V(null)).
  returned: when the miner was contacted
  type: dict
  sample: {"path": "/srv/firmware/M50_20250301.10.Rel.bin", "size": 98566144, "sha256": null}
upload:
  description:
    - The upload. C(bytes) sent of C(size), C(seconds), C(throughput_mb_s) (megabytes of
      10^6 bytes per second), and C(outcome). C(outcome) is V(unknown) when the miner closed
      after the image without a word, as most do, V(ok) when it confirmed the image (API v3),
      V(interrupted) when the connection broke while sending, and V(rejected) when the miner
      refused the image after receiving it.
    - V(null) when nothing was uploaded (already current, or check mode).
  returned: when the miner was contacted
  type: dict
  sample: {"bytes": 98566144, "size": 98566144, "seconds": 9.41, "throughput_mb_s": 10.47, "outcome": "unknown"}
elapsed:
  description: Seconds from the start of the upload until the version was verified (or until the wait gave up).
  returned: when the miner was contacted
  type: float
  sample: 212.4
msg:
  description: What happened, in one sentence.
  returned: always
  type: str
  sample: "upgraded from 20220125.13.Rel to 20250301.10.Rel: uploaded 98.6 MB in 9.4 s, 10.5 MB/s, the miner reports 20250301.10.Rel after 212 s"
error:
  description:
    - Machine-readable failure (kind, miner, API code, command, message, hint).
    - C(kind) is V(validation) for bad input (nothing was sent), V(not_applied) when the miner
      came back on another version than O(version), V(timeout) with C(phase=restart) when it
      did not come back within O(wait_timeout).
  returned: failure
  type: dict
  sample: {"kind": "not_applied", "miner": "10.1.2.3:4028", "code": null, "command": "update_firmware",
           "message": "the miner came back on its old firmware 20220125.13.Rel, not 20250301.10.Rel: it refused the image or did not receive all of it",
           "hint": "Check that the image is meant for this model and platform and that version names the firmware inside it"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils._firmware import FIRMWARE_SPEC, run_firmware
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import finish


def main():
    module = AnsibleModule(argument_spec=FIRMWARE_SPEC, supports_check_mode=True)
    finish(module, run_firmware)


if __name__ == '__main__':
    main()
