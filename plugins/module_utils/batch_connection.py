# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection and authentication options that every module and the event source share.

No AnsibleModule here: the modules (batch_module.py) and the Event-Driven Ansible source
(extensions/eda/plugins/event_source/batch_events.py) check the same options the same way and
build the same client from them.
"""

import os

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import CLOUDS
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_client import BatchClient, DEFAULT_API_VERSION
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_credentials import AUTH_SOURCES, option_or_env, resolve
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import (
    check_api_version, check_batch_url, check_files, check_header_value, check_range,
)


def shared_argument_spec():
    """The connection and authentication options of every module (doc fragment azure_batch.ops.auth)."""
    return dict(
        batch_url=dict(type='str'),
        auth_source=dict(type='str', default='auto', choices=list(AUTH_SOURCES)),
        batch_account_name=dict(type='str'),
        batch_account_key=dict(type='str', no_log=True),
        client_id=dict(type='str'),
        secret=dict(type='str', no_log=True),
        tenant=dict(type='str'),
        client_certificate_path=dict(type='path'),
        client_certificate_password=dict(type='str', no_log=True),
        msi_client_id=dict(type='str'),
        federated_token_file=dict(type='path', no_log=False),
        profile=dict(type='str'),
        cloud_environment=dict(type='str', choices=sorted(CLOUDS)),
        authority_host=dict(type='str'),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        api_version=dict(type='str', default=DEFAULT_API_VERSION),
        server_timeout=dict(type='int'),
        request_timeout=dict(type='float', default=60.0),
        retries=dict(type='int', default=4),
        client_request_id=dict(type='str'),
    )


def check_connection(params, environ=None):
    """Check the connection options before any request; return (batch_url, CredentialPlan).

    Raises InputError or CredentialError, whose message is one sentence naming the option.
    """
    environ = os.environ if environ is None else environ
    batch_url = check_batch_url(option_or_env(params, 'batch_url', environ))
    check_api_version(params['api_version'])
    check_range('server_timeout', params['server_timeout'], 1, 30)
    check_range('request_timeout', params['request_timeout'], 1, 600)
    check_range('retries', params['retries'], 0, 10)
    credentials = resolve(params, environ)
    if credentials.values.get('batch_account_name'):
        # Sent in the Authorization header (SharedKey <name>:<signature>).
        check_header_value('batch_account_name', credentials.values['batch_account_name'])
    check_files(credentials.files())
    return batch_url, credentials


def build_client(batch_url, credentials, params, pool_size=1, on_event=None):
    """The BatchClient of a run: one session, the credential's signer, the retry options."""
    return BatchClient(batch_url, credentials.build(), api_version=params['api_version'], verify=credentials.verify,
                       server_timeout=params['server_timeout'], retries=params['retries'],
                       request_timeout=params['request_timeout'], pool_size=pool_size, on_event=on_event)
