# -*- coding: utf-8 -*-
"""Where ansible-core offers secret masking (2.22 and later), the credentials a run creates are registered with it;
the unit harness takes `_ansible_new_secrets` off a result as the controller does, and refuses anything else in it."""

import base64
import itertools
import types

import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils import batch_auth
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import _SecretsSeen

try:
    from ansible.module_utils.secrets import mask_secrets
except ImportError:  # ansible-core before 2.22
    mask_secrets = None

needs_masking = pytest.mark.skipif(mask_secrets is None, reason='ansible-core before 2.22 has no secret masking')
KEY = base64.b64encode(b'k' * 64).decode()


@needs_masking
def test_a_shared_key_signature_is_masked_wherever_it_appears():
    signature = batch_auth.SharedKeyAuth('account', KEY).signature('GET', 'https://a.b.batch.azure.com/jobs', {})
    assert mask_secrets('Authorization: SharedKey account:%s' % signature) == 'Authorization: SharedKey account:$REDACTED$'


@needs_masking
def test_a_long_running_process_stops_registering_signatures(monkeypatch):
    monkeypatch.setattr(batch_auth, '_signatures_signed', itertools.count(batch_auth._MAX_REGISTERED_SIGNATURES))
    signature = batch_auth.SharedKeyAuth('account', KEY).signature('GET', 'https://a.b.batch.azure.com/pools', {})
    assert mask_secrets(signature) == signature


@needs_masking
def test_an_entra_id_token_is_masked_wherever_it_appears():
    access = types.SimpleNamespace(token='eyJ0-token-of-this-run', expires_on=2 ** 40)
    credential = types.SimpleNamespace(get_token=lambda scope: access)
    auth = batch_auth.EntraAuth(lambda: credential, 'https://batch.core.windows.net//.default', 'client_secret')
    assert auth.token() == 'eyJ0-token-of-this-run'
    assert mask_secrets('Bearer eyJ0-token-of-this-run') == 'Bearer $REDACTED$'


def test_the_harness_takes_the_new_secrets_off_the_result():
    seen = _SecretsSeen()
    seen.no_log_values.add('the-key')
    seen.registered.add('a-signature')
    assert seen.as_the_controller_takes({'changed': False, '_ansible_new_secrets': ['the-key', 'a-signature']}) == {
        'changed': False}


@pytest.mark.parametrize('raw', [
    {'changed': False, '_ansible_new_secrets': ['not-a-no-log-value']},
    {'msg': 'signed with a-signature', '_ansible_new_secrets': ['a-signature']},
], ids=['unknown secret', 'secret in the result'])
def test_the_harness_refuses_other_secrets_and_secrets_in_the_result(raw):
    seen = _SecretsSeen()
    seen.registered.add('a-signature')
    with pytest.raises(AssertionError):
        seen.as_the_controller_takes(raw)
