# -*- coding: utf-8 -*-
"""Password rotation logic against a fake miner that knows its password and counts tokens.

The fake models what matters here: a write signed with the wrong password is refused
(AuthError, as code 23), every token fetched is counted, the shared token cache remembers
which password its sign was made with, update_pwd clears the miner's tokens.
"""

from __future__ import annotations

import pytest

from ansible_collections.minerops.whatsminer.plugins.module_utils import _password as pw
from ansible_collections.minerops.whatsminer.plugins.module_utils._applied import AppliedStore
from ansible_collections.minerops.whatsminer.plugins.module_utils._client import WriteResult
from ansible_collections.minerops.whatsminer.plugins.module_utils._errors import (AuthError, BtminerDownError,
                                                                                  ValidationError, WhatsminerError,
                                                                                  WriteDisabledError)
from ansible_collections.minerops.whatsminer.plugins.module_utils._replies import Reply

OLD, NEW = 'Old_pw1', 'N3w_pw42'


class Miner:
    def __init__(self, password=OLD, fast_boot='enable', ledstat='auto', btminer_up=True, write_api=True,
                 drop_update_reply=False):
        self.password = password
        self.fast_boot = fast_boot
        self.ledstat = ledstat
        self.btminer_up = btminer_up
        self.write_api = write_api
        self.drop_update_reply = drop_update_reply
        self.get_tokens = 0
        self.writes = []           # (command, password used)
        self.shared_sign = None    # password the shared cached sign was derived with
        self.reads = []


class FakeClient:
    miner = '192.0.2.7:4028'

    def __init__(self, miner, password, private, strict=False):
        self.m = miner
        self.password = password
        self.private = private
        self.strict = strict
        self.private_sign = None

    # reads need no password
    def read(self, command, **params):
        if self.strict:
            raise AssertionError('check mode contacted the miner: read %s' % command)
        self.m.reads.append(command)
        if command == 'summary':
            if not self.m.btminer_up:
                raise BtminerDownError('btminer down', miner=self.miner)
            return Reply({'STATUS': [{'STATUS': 'S'}], 'SUMMARY': [{'Btminer Fast Boot': self.m.fast_boot}]})
        if command == 'get_miner_info':
            return Reply({'STATUS': 'S', 'Code': 131, 'Msg': {'ledstat': self.m.ledstat}})
        raise AssertionError(command)

    def _sign(self):
        """The password the sign in use was made with; fetching counts a token."""
        if self.private:
            if self.private_sign is None:
                self.m.get_tokens += 1
                self.private_sign = self.m.password  # a sign is only valid with the miner's key
            return self.private_sign, True
        if self.m.shared_sign is None:
            self.m.get_tokens += 1
            self.m.shared_sign = self.password
            return self.m.shared_sign, True
        return self.m.shared_sign, False

    def write(self, command, params=None):
        if self.strict:
            raise AssertionError('check mode sent a write: %s' % command)
        self.m.writes.append((command, self.password))
        for attempt in (1, 2):
            _sign, fresh = self._sign()
            if self.password == self.m.password:
                break
            # wrong key: code 23; the client drops the sign, retries once if it was cached
            if self.private:
                self.private_sign = None
            else:
                self.m.shared_sign = None
            if fresh or attempt == 2:
                raise AuthError('miner could not decrypt the request', miner=self.miner, code=23, command=command)
        if not self.m.write_api:
            raise WriteDisabledError('write API is switched off', miner=self.miner, command=command)
        if command == 'update_pwd':
            assert params['old'] == self.m.password
            self.m.password = params['new']
            self.m.shared_sign = None  # the miner forgot every token
            self.forget_token()
            if self.m.drop_update_reply:
                return WriteResult(command, 'unknown', None)
        elif command in ('enable_btminer_fast_boot', 'disable_btminer_fast_boot'):
            assert command.startswith(self.m.fast_boot), 'the probe changed the fast-boot setting'
        elif command == 'set_led':
            assert params == {'param': 'auto'} and self.m.ledstat == 'auto'
        else:
            raise AssertionError(command)
        return WriteResult(command, 'ok', Reply({'STATUS': 'S', 'Code': 131, 'Msg': 'API command OK'}))

    def forget_token(self):
        if not self.private:
            self.m.shared_sign = None


def params(**extra):
    base = {'host': '192.0.2.7', 'port': 4028, 'password': OLD, 'new_password': NEW, 'timeout': 5.0}
    base.update(extra)
    return base


def run(miner, tmp_path, check_mode=False, strict=False, **extra):
    def clients(task_params, password, private):
        return FakeClient(miner, password, private, strict=strict)
    return pw.rotate(params(**extra), check_mode, clients=clients,
                     applied=AppliedStore(str(tmp_path / 'applied')))


def test_rotation_then_idempotent_rerun_costs_no_token(tmp_path):
    miner = Miner()
    miner.shared_sign = OLD  # other tasks already hold a token of the old password
    first = run(miner, tmp_path)
    assert first['changed'] is True and not first.get('failed')
    assert miner.password == NEW
    assert first['commands'] == [{'command': 'update_pwd', 'params': {'old': '********', 'new': '********'},
                                  'outcome': 'ok'}]
    assert first['proof'] == 'enable_btminer_fast_boot'
    assert first['diff'] == {'before': {'password_in_force': 'password'}, 'after': {'password_in_force': 'new_password'}}
    # probe new (private token), update_pwd with the cached old sign, prove new (fresh shared token)
    assert miner.get_tokens == 2
    assert [w[0] for w in miner.writes] == ['enable_btminer_fast_boot', 'update_pwd', 'enable_btminer_fast_boot']
    assert miner.shared_sign == NEW, 'the proven new sign is what the next tasks reuse'

    again = run(miner, tmp_path)
    assert again['changed'] is False and again['commands'] == []
    assert again['diff']['before'] == again['diff']['after']
    assert miner.get_tokens == 2, 'a rerun after a rotation fetches no token'


def test_already_rotated_by_someone_else_costs_one_token_and_keeps_it(tmp_path):
    miner = Miner(password=NEW)
    result = run(miner, tmp_path)
    assert result['changed'] is False and result['proof'] == 'enable_btminer_fast_boot'
    assert miner.get_tokens == 1
    assert [w[0] for w in miner.writes] == ['enable_btminer_fast_boot']


def test_private_probe_does_not_drop_the_shared_sign(tmp_path):
    miner = Miner()
    miner.shared_sign = OLD
    run(miner, tmp_path)
    # the first (failing) probe used its own token: update_pwd still found the old sign
    assert miner.writes[1] == ('update_pwd', OLD)
    assert miner.get_tokens == 2


@pytest.mark.parametrize('fast_boot, probe', [('enable', 'enable_btminer_fast_boot'),
                                              ('disable', 'disable_btminer_fast_boot')])
def test_probe_resends_the_current_fast_boot(fast_boot, probe, tmp_path):
    miner = Miner(fast_boot=fast_boot)
    assert run(miner, tmp_path)['proof'] == probe


def test_probe_falls_back_to_led_auto_when_btminer_is_down(tmp_path):
    miner = Miner(btminer_up=False)
    result = run(miner, tmp_path)
    assert result['changed'] is True and result['proof'] == 'set_led'


def test_no_harmless_write_available_fails_before_any_write(tmp_path):
    miner = Miner(btminer_up=False, ledstat='manual')
    with pytest.raises(WhatsminerError, match='no harmless write'):
        run(miner, tmp_path)
    assert miner.writes == [] and miner.password == OLD


def test_both_passwords_wrong(tmp_path):
    miner = Miner(password='Other_9')
    with pytest.raises(AuthError, match='accepts neither new_password nor password'):
        run(miner, tmp_path)
    assert [w[0] for w in miner.writes] == ['enable_btminer_fast_boot', 'update_pwd']
    assert miner.get_tokens == 2, 'one probe per password, no loop'


def test_same_password_twice_and_wrong(tmp_path):
    miner = Miner(password='Other_9')
    with pytest.raises(AuthError, match='both password and new_password'):
        run(miner, tmp_path, password=NEW)
    assert len(miner.writes) == 1


def test_write_api_off_is_reported_not_probed_further(tmp_path):
    miner = Miner(password=NEW, write_api=False)
    with pytest.raises(WriteDisabledError):
        run(miner, tmp_path)
    assert len(miner.writes) == 1


def test_lost_update_reply_is_settled_by_one_probe(tmp_path):
    miner = Miner(drop_update_reply=True)
    result = run(miner, tmp_path)
    assert result['changed'] is True
    assert result['commands'][0]['outcome'] == 'unknown'
    assert miner.password == NEW


@pytest.mark.parametrize('bad', ['toolong12', 'has space', 'dash-no', '', 'ümlaut'])
def test_new_password_validated_before_contact(bad, tmp_path):
    miner = Miner()
    with pytest.raises(ValidationError) as err:
        run(miner, tmp_path, strict=True, new_password=bad)
    assert 'new_password must be 1 to 8 characters, each a letter, digit or underscore' in str(err.value)
    if bad:
        assert bad not in str(err.value), 'the message never echoes the password'
    assert miner.writes == [] and miner.reads == []


def test_current_password_required(tmp_path):
    with pytest.raises(ValidationError, match='password .the current password of the miner. is required'):
        run(Miner(), tmp_path, strict=True, password=None)


def test_check_mode_sends_nothing_and_uses_the_record(tmp_path):
    miner = Miner()
    result = run(miner, tmp_path, check_mode=True, strict=True)
    assert result['changed'] is True
    assert result['commands'] == [{'command': 'update_pwd', 'params': {'old': '********', 'new': '********'}}]
    assert miner.password == OLD
    run(miner, tmp_path)  # real rotation writes the record
    after = run(miner, tmp_path, check_mode=True, strict=True)
    assert after['changed'] is False and after['proof'] == 'record'


def test_record_is_a_slow_salted_hash_never_the_password(tmp_path):
    miner = Miner()
    run(miner, tmp_path)
    files = list((tmp_path / 'applied').iterdir())
    text = ''.join(f.read_text() for f in files)
    assert NEW not in text and OLD not in text
    assert 'pbkdf2_sha256$' in text
    record = AppliedStore(str(tmp_path / 'applied')).load(FakeClient.miner)[pw.RECORD_KEY]
    assert pw.record_matches(record, NEW) and not pw.record_matches(record, OLD)
    assert not pw.record_matches('garbage', NEW) and not pw.record_matches(None, NEW)
