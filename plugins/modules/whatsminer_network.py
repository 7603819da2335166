#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Network settings of a WhatsMiner: DHCP or a static address, DNS servers, hostname."""

from __future__ import annotations

DOCUMENTATION = r'''
module: whatsminer_network
short_description: Set the address, DNS servers and hostname of WhatsMiner miners
version_added: 0.1.0
description:
  - Declares how a miner gets its address (O(dhcp), or a static O(ip), O(netmask), O(gateway)
    and O(dns)) and its O(hostname). Only the options given are managed.
  - Reads the current settings from C(get_miner_info) (C(ip), C(proto), C(netmask),
    C(gateway), C(dns), C(hostname)) and writes only when they differ.
  - A change of the address settings is one C(net_config) command, which reboots the control
    board (hashing stops for a few minutes) and may move the miner to another address. It
    carries the hostname too (the desired one, else the current one), so one reboot applies
    everything.
  - With a static address the task then waits for the miner at the NEW address (at most
    O(wait_timeout) seconds) until it answers with an uptime younger than the command (a board
    may answer for a moment before it goes down), verifies the settings there and returns that
    address in RV(address). The controller's write token, API detection and record of write-only
    settings are kept per address; the record moves with the miner, the rest starts fresh at
    the new address.
  - With O(dhcp=true) the new address cannot be known. The task waits at the old address; if
    the miner answers there it is verified as usual. If it does not answer within
    O(wait_timeout), the task still succeeds (the change was sent) with RV(address) V(null), a
    warning and RV(address_note) saying how to find the miner again, by scanning the site's
    networks with the inventory plugin C(minerops.whatsminer.whatsminer) and matching the
    RV(mac) this task returns.
  - A change of the hostname alone uses C(set_hostname), which does not reboot. The vendor
    documents that the hostname takes effect only when the miner's network restarts (a reboot
    or the next network change). Some firmware therefore keeps reporting the old hostname;
    the task then warns, records the accepted hostname and does not send it again until the
    miner reports it.
  - Everything is validated before the miner is contacted; on inconsistent input nothing is
    sent and the task fails naming the option and what is allowed.
author:
  - minerops.whatsminer contributors (@minerops)
extends_documentation_fragment:
  - minerops.whatsminer.whatsminer
  - minerops.whatsminer.whatsminer.wait
attributes:
  diff_mode:
    description: Shows the managed network settings before and after.
    support: full
options:
  dhcp:
    description:
      - V(true) lets a DHCP server assign the address, netmask, gateway and DNS servers; none of
        O(ip), O(netmask), O(gateway) and O(dns) may then be given.
      - V(false) sets the static address of O(ip), O(netmask) and O(gateway) (all three
        required). Giving O(ip) without O(dhcp) means V(false).
      - Compared with C(get_miner_info) C(proto) (V(dhcp) or V(static)).
    type: bool
  ip:
    description:
      - Static IPv4 address of the miner, such as V(192.168.10.21). Not the network or
        broadcast address of O(ip)/O(netmask).
    type: str
  netmask:
    description:
      - Netmask of the static address in dotted form, contiguous, from V(128.0.0.0) (/1) to
        V(255.255.255.252) (/30), such as V(255.255.255.0).
    type: str
  gateway:
    description:
      - Default gateway of the static address; must be inside O(ip)/O(netmask) and differ from
        O(ip).
    type: str
  dns:
    description:
      - DNS servers of the static address, 1 to 3 IPv4 addresses in order of preference (sent
        space separated).
      - When not given, the miner's current DNS servers are kept (sent again with the new
        address).
    type: list
    elements: str
  hostname:
    description:
      - Hostname of the miner, one label of 1 to 63 letters, digits and hyphens (no dots), not
        starting or ending with a hyphen.
      - Sent with C(net_config) when the address changes too, else with C(set_hostname) (no
        reboot; takes effect when the miner's network restarts).
      - May be combined with O(dhcp=true).
    type: str
  state:
    description:
      - V(merged) sets the given options and leaves the others as they are.
      - V(gathered) only reads the network settings into RV(gathered); no option is needed.
      - V(rendered) contacts no miner and returns the commands V(merged) would send if every
        given option differed, in RV(rendered) (C(<current dns>) stands for the DNS servers
        the miner would keep).
    type: str
    choices: [merged, gathered, rendered]
    default: merged
notes:
  - Miners whose address changes stop answering at the old address; later tasks of the play
    still use the inventory's address. Run address changes in a play of their own, then
    update the inventory (or rely on the discovery inventory plugin), and use C(serial) or
    C(throttle) so that a site does not reboot at once.
  - Only IPv4 is supported by the miners' API.
seealso:
  - module: minerops.whatsminer.whatsminer_facts
  - module: minerops.whatsminer.whatsminer_system
'''

EXAMPLES = r'''
# Before: DHCP, address 192.168.10.57, hostname WhatsMiner-57.
- name: Give the miner a static address and a hostname
  minerops.whatsminer.whatsminer_network:
    ip: 192.168.10.21
    netmask: 255.255.255.0
    gateway: 192.168.10.1
    dns: [192.168.10.1, 1.1.1.1]
    hostname: rack3-slot21
    wait_timeout: 600
  throttle: 10
  register: net
# After: static 192.168.10.21 (one net_config, one reboot). net.address is 192.168.10.21 and
# net.moved is true; the task waited for the miner there and verified every setting.
# A second run against 192.168.10.21 reports ok (changed=false) and sends nothing.

# Before: static 192.168.10.21. After: DHCP; net.address is 192.168.10.21 when the DHCP server
# handed out the same address, or null (with a warning and net.address_note) when the miner did
# not come back there: find it with the minerops.whatsminer.whatsminer inventory plugin by
# net.mac.
- name: Back to DHCP
  minerops.whatsminer.whatsminer_network:
    dhcp: true

# Before: hostname WhatsMiner-21. After: hostname rack3-slot21, without a reboot.
- name: Rename only
  minerops.whatsminer.whatsminer_network:
    hostname: rack3-slot21

- name: Read the network settings only
  minerops.whatsminer.whatsminer_network:
    state: gathered
  register: net
# net.gathered: {"dhcp": true, "ip": "192.168.10.57", "netmask": "255.255.255.0",
#                "gateway": "192.168.10.1", "dns": ["192.168.10.1"], "hostname": "WhatsMiner-57"}
'''

RETURN = r'''
before:
  description: The managed settings before the task, as the miner reported them.
  returned: state is merged
  type: dict
  sample: {"dhcp": true, "ip": "192.168.10.57", "netmask": "255.255.255.0", "gateway": "192.168.10.1"}
after:
  description:
    - The managed settings after the task, as read back from the miner (at its new address for
      a static move; as planned in check mode, with O(wait=false), or when a miner switched to
      DHCP did not answer again).
  returned: state is merged
  type: dict
  sample: {"dhcp": false, "ip": "192.168.10.21", "netmask": "255.255.255.0", "gateway": "192.168.10.1"}
diff:
  description: The same V(before) and V(after), shown with C(--diff).
  returned: state is merged
  type: dict
  sample: {"before": {"ip": "192.168.10.57"}, "after": {"ip": "192.168.10.21"}}
commands:
  description:
    - The API writes in the order sent (in check mode, that would be sent), each with
      C(command), C(params), the C(settings) it sets, C(restarts) (V(board) for C(net_config))
      and, once sent, C(outcome) V(ok) or V(unknown) (the miner closed the connection while
      rebooting; the result was verified by reading it back).
  returned: state is merged
  type: list
  elements: dict
  sample: [{"command": "net_config", "params": {"ip": "192.168.10.21", "mask": "255.255.255.0",
            "gate": "192.168.10.1", "dns": "192.168.10.1 1.1.1.1", "host": "rack3-slot21"},
            "settings": ["dhcp", "ip", "gateway", "dns", "hostname"], "restarts": "board", "outcome": "unknown"}]
address:
  description:
    - The address the miner answers on after the task - the new static address after a move,
      else the address the task used. V(null) when a miner switched to DHCP did not answer at
      its old address (or O(wait=false) with DHCP), since its new address is unknown.
  returned: state is merged or gathered
  type: str
  sample: 192.168.10.21
moved:
  description: Whether the miner was given another static address than the one it had.
  returned: state is merged
  type: bool
  sample: true
address_note:
  description: For a switch to DHCP, what is known about the miner's new address and how to find it.
  returned: when the task switches the miner to DHCP
  type: str
  sample: "with DHCP the miner may come back at another address than 192.168.10.21, which this task cannot know:
    find it with the inventory plugin minerops.whatsminer.whatsminer (it scans the site networks) and match its
    MAC C6:07:20:00:1E:C2"
mac:
  description: MAC address of the miner (to find it again after a switch to DHCP).
  returned: state is merged or gathered
  type: str
  sample: C6:07:20:00:1E:C2
restarted:
  description: Whether a write rebooted the miner.
  returned: when net_config was sent (not in check mode)
  type: bool
  sample: true
waited:
  description: Seconds spent waiting for the miner to answer again after the reboot.
  returned: when net_config was sent and O(wait=true) (not in check mode)
  type: float
  sample: 95.3
verified:
  description: Whether the settings were read back after C(net_config).
  returned: when net_config was sent and O(wait=true) (not in check mode)
  type: bool
  sample: true
gathered:
  description: The network settings as read from the miner.
  returned: state is gathered
  type: dict
  sample: {"dhcp": false, "ip": "192.168.10.21", "netmask": "255.255.255.0", "gateway": "192.168.10.1",
           "dns": ["192.168.10.1", "1.1.1.1"], "hostname": "rack3-slot21"}
rendered:
  description: The commands V(merged) would send if every given option differed.
  returned: state is rendered
  type: list
  elements: dict
  sample: [{"command": "net_config", "params": {"param": "dhcp"}, "settings": ["dhcp"], "restarts": "board"}]
error:
  description: Machine-readable failure (kind, miner, API code, command, message, hint).
  returned: failure
  type: dict
  sample: {"kind": "timeout", "miner": "192.168.10.21:4028", "code": null, "command": null, "phase": "restart",
           "message": "did not answer again within 300s (last: connection refused)",
           "hint": "net_config was sent; the miner did not answer at its new address 192.168.10.21."}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.minerops.whatsminer.plugins.module_utils._network import NETWORK_SPEC, run_network
from ansible_collections.minerops.whatsminer.plugins.module_utils.whatsminer import finish


def main():
    module = AnsibleModule(argument_spec=NETWORK_SPEC, supports_check_mode=True)
    finish(module, run_network)


if __name__ == '__main__':
    main()
