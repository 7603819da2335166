# -*- coding: utf-8 -*-
"""Bad-input matrix: invalid values of every option of every module, one row each.

A row names the module, the option at fault, the task arguments and a fragment the failure
message must contain (it always names the option). Kinds: ``type`` (a value that is not of
the option's type), ``range``, ``format``, ``length``, ``choice`` (an unknown choice),
``conflict`` (options that do not go together, or one missing another), ``unknown`` (an
option the module does not have). Every row must fail before anything is sent: the test
checks the simulator's counters (no write request, no token, no connection at all).
"""

from __future__ import annotations

POOL = {'url': 'stratum+tcp://pool.example:3333', 'user': 'acct.w1', 'password': 'x'}
FIRMWARE = '20250301.10.Rel'


class Case:
    """One invalid task."""

    # pylint: disable=too-many-arguments
    def __init__(self, module, option, kind, args, expect):
        self.module = module
        self.option = option
        self.kind = kind
        self.args = args
        self.expect = expect


def pools(*entries):
    return {'pools': [dict(POOL, **entry) for entry in entries]}


CASES = (
    # -- connection options (shared by every module: checked through two of them) -------------------
    Case('facts', 'port', 'type', {'port': 'http'}, "argument 'port' is of type"),
    Case('facts', 'port', 'range', {'port': 70000}, 'port must be'),
    Case('power', 'port', 'range', {'port': 0, 'mode': 'low'}, 'port must be'),
    Case('facts', 'timeout', 'type', {'timeout': 'soon'}, "argument 'timeout' is of type"),
    Case('facts', 'timeout', 'range', {'timeout': 0}, 'timeout must be'),
    Case('power', 'timeout', 'range', {'timeout': -5, 'mode': 'low'}, 'timeout must be'),
    Case('facts', 'api_version', 'choice', {'api_version': 'v4'}, 'value of api_version must be one of'),
    Case('facts', 'v3_port', 'type', {'v3_port': 'tls'}, "argument 'v3_port' is of type"),
    Case('facts', 'v3_port', 'range', {'v3_port': 65536}, 'v3_port must be'),
    Case('facts', 'bogus', 'unknown', {'bogus': 1}, 'bogus'),
    # -- facts ----------------------------------------------------------------------------------------
    Case('facts', 'gather_subset', 'choice', {'gather_subset': ['hashrate']}, 'gather_subset'),
    Case('facts', 'gather_subset', 'choice', {'gather_subset': ['!everything']}, 'gather_subset'),
    # -- pools ----------------------------------------------------------------------------------------
    Case('pools', 'pools', 'type', {'pools': 'stratum+tcp://pool.example:3333'}, 'pools'),
    Case('pools', 'pools', 'length', {'pools': []}, 'pools must list 1 to 3 pools, got 0'),
    Case('pools', 'pools', 'length', pools({}, {}, {}, {}), 'pools must list 1 to 3 pools, got 4'),
    Case('pools', 'pools', 'conflict', {'state': 'replaced'}, 'pools'),
    Case('pools', 'pools', 'conflict', {'state': 'rendered'}, 'pools'),
    Case('pools', 'pools[1].url', 'conflict', {'pools': [{'user': 'acct.w1'}]}, 'url'),
    Case('pools', 'pools[1].user', 'conflict', {'pools': [{'url': POOL['url']}]}, 'user'),
    Case('pools', 'pools[1].url', 'format', pools({'url': 'pool.example:3333'}), 'pools[1].url must look like'),
    Case('pools', 'pools[1].url', 'format', pools({'url': 'stratum+tcp://pool.example'}),
         'pools[1].url must look like'),
    Case('pools', 'pools[1].url', 'choice', pools({'url': 'http://pool.example:80'}),
         'pools[1].url scheme must be one of stratum+tcp, stratum+ssl, stratum2+tcp'),
    Case('pools', 'pools[1].url', 'range', pools({'url': 'stratum+tcp://pool.example:70000'}),
         'pools[1].url port must be from 1 to 65535'),
    Case('pools', 'pools[1].url', 'format', pools({'url': 'stratum+tcp://pool_example!:3333'}),
         'pools[1].url host'),
    Case('pools', 'pools[2].url', 'length', pools({}, {'url': 'stratum+tcp://%s.example:3333' % ('p' * 250)}),
         'pools[2].url must be at most 255 characters'),
    Case('pools', 'pools[1].user', 'length', pools({'user': ''}), 'pools[1].user must be 1 to 127 characters'),
    Case('pools', 'pools[1].user', 'length', pools({'user': 'u' * 128}), 'pools[1].user must be 1 to 127 characters'),
    Case('pools', 'pools[1].user', 'format', pools({'user': 'acct w1'}), 'pools[1].user must be 1 to 127 characters'),
    Case('pools', 'pools[3].password', 'length', pools({}, {}, {'password': 'p' * 64}),
         'pools[3].password must be at most 63 characters'),
    Case('pools', 'pools[1].password', 'format', pools({'password': 'x\ny'}), 'pools[1].password must be'),
    Case('pools', 'update_password', 'choice', dict(pools({}), update_password='sometimes'),
         'value of update_password must be one of'),
    Case('pools', 'state', 'choice', dict(pools({}), state='merged'), 'value of state must be one of'),
    # -- power ----------------------------------------------------------------------------------------
    Case('power', 'mode', 'choice', {'mode': 'turbo'}, 'value of mode must be one of: low, normal, high'),
    Case('power', 'power_limit', 'type', {'power_limit': 'lots'}, "argument 'power_limit' is of type"),
    Case('power', 'power_limit', 'range', {'power_limit': 100000}, 'power_limit must be an integer from 0 to 99999'),
    Case('power', 'power_limit', 'range', {'power_limit': -1}, 'power_limit must be an integer from 0 to 99999'),
    Case('power', 'target_freq_percent', 'range', {'target_freq_percent': 150},
         'target_freq_percent must be an integer from -100 to 100'),
    Case('power', 'target_freq_percent', 'type', {'target_freq_percent': 'fast'},
         "argument 'target_freq_percent' is of type"),
    Case('power', 'power_percent', 'range', {'power_percent': 101}, 'power_percent must be an integer from 0 to 100'),
    Case('power', 'power_percent_mode', 'choice', {'power_percent': 90, 'power_percent_mode': 'slow'},
         'value of power_percent_mode must be one of'),
    Case('power', 'mining', 'choice', {'mining': 'paused'}, 'value of mining must be one of'),
    Case('power', 'preheat', 'type', {'mining': 'started', 'preheat': 'maybe'}, "argument 'preheat' is of type"),
    Case('power', 'preheat_timeout', 'range', {'mining': 'started', 'preheat': True, 'preheat_timeout': 0},
         'preheat_timeout must be an integer from 1 to 7200'),
    Case('power', 'wait', 'type', {'mode': 'low', 'wait': 'later'}, "argument 'wait' is of type"),
    Case('power', 'wait_timeout', 'type', {'mode': 'low', 'wait_timeout': 'long'}, "argument 'wait_timeout' is of type"),
    Case('power', 'wait_timeout', 'range', {'mode': 'low', 'wait_timeout': 0}, 'wait_timeout must be'),
    Case('power', 'update_write_only', 'choice', {'power_percent': 90, 'update_write_only': 'sometimes'},
         'value of update_write_only must be one of'),
    Case('power', 'state', 'choice', {'mode': 'low', 'state': 'replaced'}, 'value of state must be one of'),
    # -- tuning ---------------------------------------------------------------------------------------
    Case('tuning', 'temp_offset', 'range', {'temp_offset': 5}, 'temp_offset must be an integer from -30 to 0'),
    Case('tuning', 'temp_offset', 'range', {'temp_offset': -31}, 'temp_offset must be an integer from -30 to 0'),
    Case('tuning', 'temp_offset', 'type', {'temp_offset': 'cool'}, "argument 'temp_offset' is of type"),
    Case('tuning', 'upfreq_speed', 'range', {'upfreq_speed': 10}, 'upfreq_speed must be an integer from 0 to 9'),
    Case('tuning', 'fan_zero_speed', 'type', {'fan_zero_speed': 'sometimes'}, "argument 'fan_zero_speed' is of type"),
    Case('tuning', 'poweroff_cool', 'type', {'poweroff_cool': 'warm'}, "argument 'poweroff_cool' is of type"),
    Case('tuning', 'fast_boot', 'type', {'fast_boot': 'quick'}, "argument 'fast_boot' is of type"),
    # -- password -------------------------------------------------------------------------------------
    Case('password', 'new_password', 'length', {'new_password': 'Nine_char'}, 'new_password must be 1 to 8 characters'),
    Case('password', 'new_password', 'format', {'new_password': 'new-pw'}, 'new_password must be 1 to 8 characters'),
    Case('password', 'new_password', 'length', {'new_password': ''}, 'new_password must be 1 to 8 characters'),
    Case('password', 'new_password', 'conflict', {}, 'new_password'),
    Case('password', 'password', 'conflict', {'new_password': 'Nw_pass1', 'password': ''}, 'password'),
    # -- reboot ---------------------------------------------------------------------------------------
    Case('reboot', 'target', 'choice', {'target': 'fans'}, 'value of target must be one of'),
    Case('reboot', 'confirm', 'conflict', {'factory_reset': True}, 'factory_reset needs confirm'),
    Case('reboot', 'confirm', 'format', {'factory_reset': True, 'confirm': 'yes'}, 'factory_reset needs confirm'),
    Case('reboot', 'confirm', 'conflict', {'confirm': 'I understand this resets the password and disables the '
                                                      'write API'}, 'confirm is only used with factory_reset'),
    Case('reboot', 'target', 'conflict', {'factory_reset': True, 'target': 'btminer',
                                          'confirm': 'I understand this resets the password and disables the '
                                                     'write API'}, 'target must be board with factory_reset'),
    Case('reboot', 'wait_timeout', 'range', {'wait_timeout': 0}, 'wait_timeout must be at least 1 second'),
    Case('reboot', 'factory_reset', 'type', {'factory_reset': 'please'}, "argument 'factory_reset' is of type"),
    # -- logs -----------------------------------------------------------------------------------------
    Case('logs', 'dest', 'conflict', {}, 'dest'),
    Case('logs', 'dest', 'format', {'dest': '{{ mx_file }}'}, 'dest must be a directory'),
    Case('logs', 'filename', 'format', {'dest': '{{ mx_dir }}', 'filename': 'sub/miner.tgz'},
         'filename must be a plain file name'),
    Case('logs', 'filename', 'format', {'dest': '{{ mx_dir }}', 'filename': '..'}, 'filename must be a plain file name'),
    # -- command --------------------------------------------------------------------------------------
    Case('command', 'command', 'conflict', {}, 'command'),
    Case('command', 'command', 'format', {'command': 'set led'}, 'command must be an API command name'),
    Case('command', 'command', 'length', {'command': 'c' * 65}, 'command must be an API command name'),
    Case('command', 'command', 'choice', {'command': 'factory_reset'}, 'whatsminer_reboot with factory_reset'),
    Case('command', 'command', 'choice', {'command': 'update_firmware'}, 'command update_firmware is not sent'),
    Case('command', 'command', 'choice', {'command': 'download_logs'}, 'command download_logs is not sent'),
    Case('command', 'command', 'choice', {'command': 'get_token'}, 'command get_token is not sent'),
    Case('command', 'params', 'conflict', {'command': 'set_led', 'params': {'param': 'auto', 'token': 'x'}},
         'params must not contain token'),
    Case('command', 'params', 'type', {'command': 'set_led', 'params': 'auto'}, 'params'),
    Case('command', 'write', 'type', {'command': 'summary', 'write': 'perhaps'}, "argument 'write' is of type"),
    Case('command', 'wait_timeout', 'range', {'command': 'reboot', 'wait_timeout': 0}, 'wait_timeout must be at least'),
    # -- network --------------------------------------------------------------------------------------
    Case('network', 'ip', 'format', {'ip': '10.0.0.300', 'netmask': '255.255.255.0', 'gateway': '10.0.0.1'},
         'ip must be an IPv4 address'),
    Case('network', 'ip', 'range', {'ip': '224.0.0.5', 'netmask': '255.255.255.0', 'gateway': '224.0.0.1'},
         'ip must be a unicast IPv4 address'),
    Case('network', 'ip', 'conflict', {'ip': '10.0.0.0', 'netmask': '255.255.255.0', 'gateway': '10.0.0.1'},
         'ip 10.0.0.0 is the network or broadcast address'),
    Case('network', 'netmask', 'format', {'ip': '10.0.0.5', 'netmask': '255.0.255.0', 'gateway': '10.0.0.1'},
         'netmask must be a contiguous IPv4 netmask'),
    Case('network', 'netmask', 'range', {'ip': '10.0.0.5', 'netmask': '255.255.255.255', 'gateway': '10.0.0.1'},
         'netmask must be a contiguous IPv4 netmask'),
    Case('network', 'gateway', 'conflict', {'ip': '10.0.0.5', 'netmask': '255.255.255.0', 'gateway': '10.0.1.1'},
         'gateway 10.0.1.1 must be inside ip/netmask'),
    Case('network', 'gateway', 'conflict', {'ip': '10.0.0.5', 'netmask': '255.255.255.0', 'gateway': '10.0.0.5'},
         'gateway must differ from ip'),
    Case('network', 'gateway', 'conflict', {'ip': '10.0.0.5', 'netmask': '255.255.255.0'},
         'a static address (dhcp=false) needs ip, netmask and gateway; missing: gateway'),
    Case('network', 'dhcp', 'conflict', {'dhcp': True, 'ip': '10.0.0.5'}, 'ip cannot be combined with dhcp=true'),
    Case('network', 'dhcp', 'type', {'dhcp': 'auto'}, "argument 'dhcp' is of type"),
    Case('network', 'dns', 'length', {'ip': '10.0.0.5', 'netmask': '255.255.255.0', 'gateway': '10.0.0.1',
                                      'dns': ['1.1.1.1', '8.8.8.8', '9.9.9.9', '8.8.4.4']},
         'dns must list 1 to 3 IPv4 addresses, got 4'),
    Case('network', 'dns', 'format', {'ip': '10.0.0.5', 'netmask': '255.255.255.0', 'gateway': '10.0.0.1',
                                      'dns': ['dns.example']}, 'dns[1] must be an IPv4 address'),
    Case('network', 'hostname', 'format', {'hostname': 'miner.site.example'}, 'hostname must be one label'),
    Case('network', 'hostname', 'length', {'hostname': 'm' * 64}, 'hostname must be one label'),
    Case('network', 'hostname', 'format', {'hostname': '-miner'}, 'hostname must be one label'),
    Case('network', 'state', 'choice', {'hostname': 'm1', 'state': 'replaced'}, 'value of state must be one of'),
    # -- system ---------------------------------------------------------------------------------------
    Case('system', 'timezone', 'format', {'timezone': 'Central Europe', 'zonename': 'Europe/Berlin'},
         'timezone must be a POSIX TZ string'),
    Case('system', 'timezone', 'length', {'timezone': 'U' * 65, 'zonename': 'UTC'}, 'timezone must be a POSIX TZ string'),
    Case('system', 'zonename', 'format', {'timezone': 'CET-1CEST', 'zonename': 'Europe Berlin'},
         'zonename must be a time zone name'),
    Case('system', 'zonename', 'conflict', {'timezone': 'UTC0'}, 'timezone must be given together with zonename'),
    Case('system', 'timezone', 'conflict', {'zonename': 'UTC'}, 'zonename must be given together with timezone'),
    Case('system', 'syslog', 'type', {'syslog': 'udp://10.0.0.9:514'}, 'syslog'),
    Case('system', 'syslog.ip', 'format', {'syslog': {'ip': 'logs.example'}}, 'syslog.ip must be an IPv4 address'),
    Case('system', 'syslog.ip', 'conflict', {'syslog': {'port': 514}}, 'ip'),
    Case('system', 'syslog.port', 'range', {'syslog': {'ip': '10.0.0.9', 'port': 70000}},
         'syslog.port must be an integer from 1 to 65535'),
    Case('system', 'syslog.proto', 'choice', {'syslog': {'ip': '10.0.0.9', 'proto': 'icmp'}}, 'proto'),
    Case('system', 'web_pools', 'type', {'web_pools': 'locked'}, "argument 'web_pools' is of type"),
    Case('system', 'update_write_only', 'choice', {'web_pools': False, 'update_write_only': 'weekly'},
         'value of update_write_only must be one of'),
    # -- led ------------------------------------------------------------------------------------------
    Case('led', 'mode', 'choice', {'mode': 'blink'}, 'value of mode must be one of'),
    Case('led', 'color', 'choice', {'color': 'blue'}, 'value of color must be one of'),
    Case('led', 'period', 'range', {'period': 0}, 'period must be an integer from 1 to 60000'),
    Case('led', 'period', 'range', {'period': 60001}, 'period must be an integer from 1 to 60000'),
    Case('led', 'duration', 'conflict', {'period': 1000, 'duration': 1500}, 'duration must be at most period'),
    Case('led', 'start', 'conflict', {'period': 1000, 'start': 1000}, 'start must be less than period'),
    Case('led', 'color', 'conflict', {'mode': 'auto', 'color': 'red'}, 'color only apply to mode=manual'),
    Case('led', 'period', 'type', {'period': 'slow'}, "argument 'period' is of type"),
    # -- firmware (mx_image: a valid image, mx_tiny: a 10-byte file, mx_dir: a directory) -------
    Case('firmware', 'src', 'conflict', {'version': FIRMWARE}, 'src'),
    Case('firmware', 'version', 'conflict', {'src': '{{ mx_image }}'}, 'version'),
    Case('firmware', 'src', 'format', {'src': '{{ mx_image }}.missing', 'version': FIRMWARE}, 'does not exist'),
    Case('firmware', 'src', 'format', {'src': '{{ mx_dir }}', 'version': FIRMWARE}, 'is not a regular file'),
    Case('firmware', 'src', 'length', {'src': '{{ mx_tiny }}', 'version': FIRMWARE},
         'a firmware image must be from 1024 bytes'),
    Case('firmware', 'version', 'format', {'src': '{{ mx_image }}', 'version': '2025 03 01'},
         'version must be the firmware version string'),
    Case('firmware', 'version', 'length', {'src': '{{ mx_image }}', 'version': 'v' * 65},
         'version must be the firmware version string'),
    Case('firmware', 'checksum', 'format', {'src': '{{ mx_image }}', 'version': FIRMWARE, 'checksum': 'md5:1234'},
         'checksum must be "sha256:"'),
    Case('firmware', 'checksum', 'conflict', {'src': '{{ mx_image }}', 'version': FIRMWARE,
                                              'checksum': 'sha256:' + '0' * 64}, 'does not match checksum'),
    Case('firmware', 'wait_timeout', 'range', {'src': '{{ mx_image }}', 'version': FIRMWARE, 'wait_timeout': 100000},
         'wait_timeout must be an integer from 1 to 86400'),
    Case('firmware', 'wait_timeout', 'range', {'src': '{{ mx_image }}', 'version': FIRMWARE, 'wait_timeout': 0},
         'wait_timeout must be'),
    Case('firmware', 'force', 'type', {'src': '{{ mx_image }}', 'version': FIRMWARE, 'force': 'always'},
         "argument 'force' is of type"),
)

MODULES = ('facts', 'pools', 'power', 'tuning', 'password', 'reboot', 'logs', 'command', 'network', 'system', 'led',
           'firmware')
