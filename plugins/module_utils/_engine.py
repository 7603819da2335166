# -*- coding: utf-8 -*-
# Copyright: (c) 2026, minerops.whatsminer contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declarative engine: gather -> plan -> (check mode stops) -> apply -> wait -> verify.

Why one engine: every settings module (pools, power, tuning, later network and system) is
the same loop over rows of the settings table; only the rows differ. The engine knows no
Ansible: it takes a client and plain dicts and returns a plain result dict, so the action
plugin (in-process fast path) and the module (delegated / ad-hoc) call it identically.

Rules it keeps:
- each command is read at most once while gathering (one TCP connection each);
- only settings that differ are written; write-only settings follow the policy
  (``on_change`` against the controller's last-applied record, ``always``, ``never``);
- writes go in the table's ``order``: non-restarting settings first, restarting ones after
  them, starting/stopping mining last (a restart must not undo a stop); between two
  restarting writes the engine waits for the API (a miner that restarts cannot take the
  next write), after the last one it waits and verifies by reading back;
- ``changed`` is true only when a write was sent and confirmed (or its restart observed);
- results never contain the admin password or a pool password (passwords are masked).
"""

from __future__ import annotations

import time

from . import _schema
from ._applied import AppliedStore, fingerprint
from ._errors import (BtminerDownError, ClosedError, ConnectError, DeadlineError, NoReplyError, UnsupportedError,
                      ValidationError, WhatsminerError)

MASK = '********'
SECRET_PARAMS = frozenset(('passwd1', 'passwd2', 'passwd3', 'old', 'new', 'password', 'passwd'))
MINER_INFO_FIELDS = 'ip,proto,netmask,gateway,dns,hostname,mac,ledstat,minersn,powersn,upfreq_speed'
SECTIONS = {'summary': 'SUMMARY', 'pools': 'POOLS', 'edevs': 'DEVS', 'devs': 'DEVS'}
WRITE_ONLY_POLICIES = ('on_change', 'always', 'never')


class NotApplied(WhatsminerError):
    """The miner accepted (or silently took) a write but reads back another value."""

    kind = 'not_applied'


class Gatherer:
    """Reads each command once and extracts fields from whichever reply shape came back."""

    def __init__(self, client):
        self.client = client
        self.replies = {}
        self.down = {}

    def reply(self, command):
        if command not in self.replies:
            try:
                if command == 'get_miner_info':
                    self.replies[command] = self.client.read(command, info=MINER_INFO_FIELDS)
                else:
                    self.replies[command] = self.client.read(command)
            except UnsupportedError:
                self.replies[command] = None
            except BtminerDownError as exc:
                # Some firmware stops answering reads while mining is stopped: that answer
                # itself says "not mining"; any other value is unknowable until it runs.
                self.replies[command] = None
                self.down[command] = exc
        return self.replies[command]

    def record(self, command):
        reply = self.reply(command)
        if reply is None:
            return {}
        record = reply.record(SECTIONS.get(command))
        return record if isinstance(record, dict) else {}

    def value(self, row):
        """``(value, readable)`` for a settings row on this miner."""
        for command, field in row.read:
            record = self.record(command)
            if field in record:
                return row.normalise(record[field]), True
            if command in self.down:
                if row.when_down is not None:
                    return row.when_down, True
                exc = self.down[command]
                exc.hint = ('btminer is not running, so %s cannot be read: start mining first '
                            '(minerops.whatsminer.whatsminer_power with mining: started alone)' % row.name)
                raise exc
        return None, False

    def pools(self):
        reply = self.reply('pools')
        return _schema.pools_from_reply(reply.records('POOLS') if reply else [])


def mask_params(params):
    return {key: (MASK if key in SECRET_PARAMS and value else value) for key, value in params.items()}


class Write:
    """One planned API write."""

    __slots__ = ('command', 'params', 'names', 'restarts', 'order', 'record', 'poll')

    # pylint: disable=too-many-arguments
    def __init__(self, command, params, names, restarts=None, order=50, record=None, poll=None):
        self.command = command
        self.params = params
        self.names = names
        self.restarts = restarts
        self.order = order
        self.record = record or {}
        self.poll = poll  # (PreStep, timeout) for a polled pre-step such as pre_power_on

    def shown(self, outcome=None, polls=None):
        entry = {'command': self.command, 'params': mask_params(self.params), 'settings': list(self.names)}
        if self.restarts:
            entry['restarts'] = self.restarts
        if outcome:
            entry['outcome'] = outcome
        if polls is not None:
            entry['polls'] = polls
        return entry


class Engine:
    """Runs one task against one miner. ``client`` is a V2Client (or any backend)."""

    # pylint: disable=too-many-arguments
    def __init__(self, client, check_mode=False, wait=True, wait_timeout=300, write_only='on_change',
                 applied=None, verify_grace=15.0, monotonic=time.monotonic, sleep=time.sleep):
        self.client = client
        self.check_mode = check_mode
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.write_only = write_only
        self.applied = applied if applied is not None else AppliedStore()
        self.verify_grace = verify_grace
        self.monotonic = monotonic
        self.sleep = sleep
        self.sent = []
        self.warnings = []

    @property
    def miner(self):
        return self.client.miner

    # -- settings modules ---------------------------------------------------------------------
    @staticmethod
    def context(desired, options):
        """What ``params`` functions and checks of the rows see: companion options and the
        task's desired values."""
        context = dict(options or {})
        context.update(desired)
        return context

    def validate_settings(self, rows, desired, options=None):
        context = self.context(desired, options)
        errors = [row.validate(desired.get(row.name), context) for row in rows]
        errors += [step.validate(options or {}) for row in rows for step in row.pre_steps.values()
                   if desired.get(row.name) is not None]
        errors = [error for error in errors if error]
        if errors:
            raise ValidationError('; '.join(errors), miner=self.miner)

    def gather_settings(self, rows, gatherer=None):
        """``(current, readable)``: normalised values and which rows this firmware reports."""
        gatherer = gatherer or Gatherer(self.client)
        current, readable = {}, {}
        for row in rows:
            current[row.name], readable[row.name] = gatherer.value(row)
        return current, readable

    def plan_settings(self, rows, desired, current, readable, options):
        """Writes that reach ``desired``, plus the write-only names the policy skipped.
        Rows whose writes are identical (one command carrying several settings, such as
        set_zone or set_led) become one write naming all of them."""
        record = self.applied.load(self.miner) if self.write_only == 'on_change' else {}
        context = self.context(desired, options)
        writes, skipped = [], []
        for row in rows:
            want = desired.get(row.name)
            if want is None:
                continue
            if readable.get(row.name):
                if current.get(row.name) == want:
                    continue
            elif self.write_only == 'never' or (self.write_only == 'on_change' and record.get(row.name) == want):
                skipped.append(row.name)
                continue
            command, params = row.command_for(want, context)
            step = row.pre_step_for(want, options)
            if step is not None:
                writes.append(Write(step.command, {}, [row.name], order=row.order,
                                    poll=(step, options.get(step.timeout_option) or 600)))
            record_entry = None if readable.get(row.name) else {row.name: want}
            same = next((w for w in writes if w.command == command and w.params == params and not w.poll), None)
            if same is not None:
                same.names.append(row.name)
                same.record.update(record_entry or {})
                same.restarts = same.restarts or row.restarts
                same.order = min(same.order, row.order)
                continue
            writes.append(Write(command, params, [row.name], row.restarts, row.order, record=record_entry))
        for row in rows:
            # a skipped write-only setting that another setting's write carries anyway was sent
            if row.name in skipped:
                command, params = row.command_for(desired[row.name], context)
                same = next((w for w in writes if w.command == command and w.params == params and not w.poll), None)
                if same is not None:
                    skipped.remove(row.name)
                    same.record[row.name] = desired[row.name]
        return writes, skipped

    def run_settings(self, group, desired, options=None, state='merged'):
        """Whole task for a settings module (power, tuning ...)."""
        rows = _schema.group(group)
        options = options or {}
        desired = {row.name: desired.get(row.name) for row in rows if desired.get(row.name) is not None}
        self.validate_settings(rows, desired, options)
        if state == 'rendered':
            writes, _skipped = self.plan_settings(rows, desired, {}, {}, options)
            return {'changed': False, 'rendered': [w.shown() for w in self._ordered(writes)]}
        wanted_rows = rows if state == 'gathered' else [row for row in rows if row.name in desired]
        current, readable = self.gather_settings(wanted_rows)
        if state == 'gathered':
            return {'changed': False, 'gathered': current,
                    'write_only': sorted(name for name in current if not readable[name])}
        known = self.applied.load(self.miner)
        before = {name: (current[name] if readable[name] else known.get(name)) for name in desired}
        writes, skipped = self.plan_settings(rows, desired, current, readable, options)
        result = {'before': before, 'write_only': sorted(n for n in desired if not readable[n]),
                  'skipped_write_only': skipped}

        def reread():
            return self.gather_settings([r for r in rows if r.name in desired and readable[r.name]])[0]

        def expected():
            return {name: value for name, value in desired.items() if readable[name]}

        return self._execute(writes, before, desired, result, reread, expected)

    # -- pools ----------------------------------------------------------------------------------
    def run_pools(self, pools, update_password='on_change', state='replaced'):
        errors = []
        if not 1 <= len(pools) <= _schema.POOL_SLOTS and state != 'gathered':
            errors.append('pools must list 1 to %d pools, got %d' % (_schema.POOL_SLOTS, len(pools)))
        for index, pool in enumerate(pools, start=1):
            errors.extend(_schema.pool_errors(index, pool))
        if errors:
            raise ValidationError('; '.join(errors), miner=self.miner)
        params = _schema.update_pools_params(pools)
        write = Write('update_pools', params, ['pools'], order=10)
        if state == 'rendered':
            return {'changed': False, 'rendered': [write.shown()]}
        current = Gatherer(self.client).pools()
        if state == 'gathered':
            return {'changed': False, 'gathered': {'pools': current}}
        wanted = [{'url': p['url'], 'user': p['user']} for p in pools]
        secrets = fingerprint([p.get('password') or '' for p in pools], self.miner)
        record = self.applied.load(self.miner)
        differs = current != wanted
        if not differs and update_password == 'always':
            differs = True
        if not differs and update_password == 'on_change' and record.get('pool_passwords') != secrets:
            differs = True
        write.record = {'pool_passwords': secrets}
        result = {'before': {'pools': current}}
        return self._execute([write] if differs else [], {'pools': current}, {'pools': wanted}, result,
                             lambda: {'pools': Gatherer(self.client).pools()}, lambda: {'pools': wanted})

    # -- shared apply / wait / verify ---------------------------------------------------------
    @staticmethod
    def _ordered(writes):
        return sorted(writes, key=lambda w: w.order)

    def _execute(self, writes, before, desired, result, reread, expected):
        writes = self._ordered(writes)
        after = dict(before)
        for write in writes:
            after.update({name: desired[name] for name in write.names if name in desired})
        result.update({'changed': bool(writes), 'after': after, 'commands': [w.shown() for w in writes],
                       'diff': {'before': before, 'after': after}})
        if self.check_mode or not writes:
            if not writes:
                result['after'] = before
                result['diff'] = {'before': before, 'after': before}
            return result
        shown, restarted, waited, silent = [], False, 0.0, []
        try:
            for index, write in enumerate(writes):
                if write.poll:
                    shown.append(self._pre_step(write))
                    continue
                try:
                    outcome = self.client.write(write.command, write.params)
                except NoReplyError:
                    # Silence: a wrong password on older firmware, or an overloaded miner that
                    # applied the write. A readable setting of the write tells which.
                    shown.append(write.shown('unknown'))
                    if not self._reads_as_applied(write, reread, expected()):
                        raise
                    self.applied.update(self.miner, write.record)
                    continue
                shown.append(write.shown(outcome.outcome))
                if outcome.silent:
                    silent.append(write.command)
                if write.record and outcome.confirmed:
                    self.applied.update(self.miner, write.record)
                if write.restarts:
                    restarted = True
                    more = index + 1 < len(writes)
                    if more or self.wait:
                        waited += self.client.wait_until_up(self.wait_timeout)
                    if write.record and not outcome.confirmed:
                        self.applied.update(self.miner, write.record)
            if self.wait or not restarted:
                try:
                    result['after'] = self._verify(reread, expected(), after, restarted)
                except NotApplied as not_applied:
                    if not silent:
                        raise
                    raise NoReplyError('%s got no reply, and %s' % (', '.join(silent), not_applied.message),
                                       miner=self.miner, command=silent[0]) from None
        except WhatsminerError as exc:
            result.update({'failed': True, 'msg': str(exc), 'error': exc.as_dict(), 'commands': shown,
                           'changed': any(entry.get('outcome') == 'ok' for entry in shown)})
            if self.warnings:
                result['warnings'] = list(self.warnings)
            return result
        result.update({'commands': shown, 'restarted': restarted, 'waited': round(waited, 1),
                       'diff': {'before': before, 'after': result['after']}})
        if self.warnings:
            result['warnings'] = list(self.warnings)
        return result

    @staticmethod
    def _reads_as_applied(write, reread, expected):
        """True when a readable setting carried by ``write`` now reads as desired (so the
        write was applied although its reply never came). Readable settings are only in a
        write when they differed, so reading the desired value proves the write."""
        names = [name for name in write.names if name in expected]
        if not names:
            return False
        try:
            now = reread()
        except WhatsminerError:
            return False
        return all(now.get(name) == expected[name] for name in names)

    def _pre_step(self, write):
        """Send a pre-step (pre_power_on) and poll it with the same command, without
        parameters as real clients do, until ``Msg[field] == done`` or the timeout; the write
        that follows goes out either way. Returns the shown entry."""
        step, timeout = write.poll
        deadline = self.monotonic() + timeout
        polls, delay, last = 0, 1.0, None
        while True:
            try:
                outcome = self.client.write(write.command, write.params)
            except UnsupportedError as exc:
                self.warnings.append('%s: %s is not supported by this firmware (%s); %s was sent without it'
                                     % (self.miner, step.command, exc.message, ', '.join(write.names)))
                return write.shown('unsupported', polls)
            polls += 1
            msg = outcome.reply.msg if outcome.reply is not None else None
            last = msg if isinstance(msg, dict) else {}
            if str(last.get(step.field)).lower() == step.done:
                return write.shown('complete', polls)
            remaining = deadline - self.monotonic()
            if remaining <= 0:
                self.warnings.append('%s: %s did not complete within %ss (last answer: %s); continuing anyway'
                                     % (self.miner, step.command, timeout, last.get('msg') or last))
                return write.shown('timeout', polls)
            self.sleep(min(delay, remaining))
            delay = min(delay * 1.5, 5.0)

    def _verify(self, reread, expected, after, restarted):
        """Read back until the miner reports what was asked, within the wait budget."""
        deadline = self.monotonic() + (self.wait_timeout if restarted else min(self.wait_timeout, self.verify_grace))
        delay = 0.3
        while True:
            try:
                now_values = reread()
            except (BtminerDownError, ClosedError, ConnectError, DeadlineError):
                # a restart that began late (the miner kept answering for a moment first)
                if not restarted or self.monotonic() >= deadline:
                    raise
                self.sleep(delay)
                delay = min(delay * 1.6, 3.0)
                continue
            wrong = {name: value for name, value in expected.items() if now_values.get(name) != value}
            if not wrong:
                verified = dict(after)
                verified.update(now_values)
                return verified
            if self.monotonic() >= deadline:
                details = ', '.join('%s: wanted %r, miner reports %r' % (name, expected[name], now_values.get(name))
                                    for name in sorted(wrong))
                raise NotApplied('the miner did not apply the change (%s)' % details, miner=self.miner,
                                 hint='The write was sent; the firmware may reject this value silently '
                                      '(for example overclocking on an air-cooled model)')
            self.sleep(delay)
            delay = min(delay * 1.6, 3.0)
