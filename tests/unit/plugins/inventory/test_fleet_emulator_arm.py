# -*- coding: utf-8 -*-
"""The emulator's ARM routes against the reference (reference/arm/batch-accounts.md) and, when installed, the
azure-mgmt-batch SDK: the SDK deserialises the accounts, follows nextLink and parses the ARM error body."""

import pytest
import requests

MANAGEMENT_SCOPE = 'https://management.azure.com/.default'


def token(fleet, scope=MANAGEMENT_SCOPE):
    from azure.identity import ClientSecretCredential  # pylint: disable=import-outside-toplevel
    return credential(fleet, ClientSecretCredential).get_token(scope).token


def credential(fleet, kind):
    described = fleet.identity.describe()
    return kind(described['tenant_id'], described['client_id'], described['client_secret'], authority=fleet.identity.authority_host,
                disable_instance_discovery=True, connection_verify=fleet.ca_path)


def arm_get(fleet, path, bearer=None, **headers):
    if bearer:
        headers['Authorization'] = 'Bearer ' + bearer
    return requests.get(fleet.arm_url + path, headers=headers, verify=fleet.ca_path, timeout=30)


def test_lists_page_with_next_link_and_carry_the_reference_fields(fleet):
    bearer = token(fleet)
    subscription = fleet.subscription_ids[0]
    path = '/subscriptions/%s/providers/Microsoft.Batch/batchAccounts?api-version=2024-07-01' % subscription
    first = arm_get(fleet, path, bearer)
    assert first.status_code == 200 and first.headers['Content-Type'].startswith('application/json')
    page = first.json()
    assert [a['name'] for a in page['value']] == ['acct01', 'acct03'] and page['nextLink'].startswith(fleet.arm_url + '/subscriptions/')
    account = page['value'][0]
    assert account['type'] == 'Microsoft.Batch/batchAccounts'
    assert account['id'] == '/subscriptions/%s/resourceGroups/batch-westeurope/providers/Microsoft.Batch/batchAccounts/acct01' % subscription
    assert set(account['properties']) >= {'accountEndpoint', 'provisioningState', 'poolAllocationMode', 'dedicatedCoreQuota',
                                          'lowPriorityCoreQuota', 'poolQuota', 'activeJobAndJobScheduleQuota', 'publicNetworkAccess'}
    assert '://' not in account['properties']['accountEndpoint']  # no scheme: batch_url is https:// + it
    rest = requests.get(page['nextLink'], headers={'Authorization': 'Bearer ' + bearer}, verify=fleet.ca_path, timeout=30).json()
    assert [a['name'] for a in rest['value']] == ['acct05'] and 'nextLink' not in rest
    assert 'dedicatedCoreQuota' not in rest['value'][0]['properties']  # UserSubscription
    listed = arm_get(fleet, '/subscriptions?api-version=2022-12-01', bearer).json()['value']
    assert sorted(s['subscriptionId'] for s in listed) == sorted(fleet.subscription_ids)
    assert all(s['state'] == 'Enabled' and s['id'] == '/subscriptions/' + s['subscriptionId'] for s in listed)
    by_group = arm_get(fleet, '/subscriptions/%s/resourceGroups/batch-eastus/providers/Microsoft.Batch/batchAccounts'
                              '?api-version=2024-07-01' % fleet.subscription_ids[1], bearer).json()['value']
    assert [a['name'] for a in by_group] == ['acct02']  # acct05 is in batch-eastus too, of the other subscription


def test_errors_have_the_arm_shape(fleet):
    bearer = token(fleet)
    cases = [
        (arm_get(fleet, '/subscriptions'), 400, 'MissingApiVersionParameter'),
        (arm_get(fleet, '/subscriptions?api-version=2022-12-01'), 401, 'AuthenticationFailed'),
        (arm_get(fleet, '/subscriptions?api-version=2022-12-01', token(fleet, 'https://batch.core.windows.net//.default')),
         401, 'InvalidAuthenticationTokenAudience'),
        (arm_get(fleet, '/subscriptions?api-version=2022-12-01', Authorization='SharedKey acct01:c2lnbmF0dXJl'), 401,
         'AuthenticationFailed'),
        (arm_get(fleet, '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Batch/batchAccounts'
                        '?api-version=2024-07-01', bearer), 404, 'SubscriptionNotFound'),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()['error']['code']) == (status, code), response.text
        assert response.json()['error']['message']


def test_a_management_token_is_refused_by_the_batch_accounts(fleet):
    answer = requests.get(fleet.accounts[1].url + '/jobs?api-version=2024-07-01.20.0', verify=fleet.ca_path, timeout=30,
                          headers={'Authorization': 'Bearer ' + token(fleet)})
    assert answer.status_code == 401
    batch = requests.get(fleet.accounts[1].url + '/jobs?api-version=2024-07-01.20.0', verify=fleet.ca_path, timeout=30,
                         headers={'Authorization': 'Bearer ' + token(fleet, 'https://batch.core.windows.net//.default')})
    assert batch.status_code == 200


def test_azure_mgmt_batch_lists_the_fleet(fleet):
    pytest.importorskip('azure.mgmt.batch')
    from azure.core.exceptions import HttpResponseError  # pylint: disable=import-outside-toplevel
    from azure.identity import ClientSecretCredential  # pylint: disable=import-outside-toplevel
    from azure.mgmt.batch import BatchManagementClient  # pylint: disable=import-outside-toplevel

    client = BatchManagementClient(credential(fleet, ClientSecretCredential), fleet.subscription_ids[0], base_url=fleet.arm_url,
                                   credential_scopes=[MANAGEMENT_SCOPE], connection_verify=fleet.ca_path,
                                   api_version='2024-07-01')  # the plugin's version (the SDK's own is 2025-06-01)
    accounts = list(client.batch_account.list())  # two pages
    assert [a.name for a in accounts] == ['acct01', 'acct03', 'acct05']
    first = accounts[0]
    assert 'https://' + first.account_endpoint == fleet.accounts[0].url
    assert (first.location, first.tags, first.pool_allocation_mode) == ('westeurope', {'env': 'prod', 'team': 'render'}, 'BatchService')
    assert (first.dedicated_core_quota, first.low_priority_core_quota, first.pool_quota, first.active_job_and_job_schedule_quota) == (
        20, 100, 20, 100)
    assert accounts[2].pool_allocation_mode == 'UserSubscription' and accounts[2].dedicated_core_quota is None
    requests.put(fleet.arm_url + '/_fleet/readers', json={fleet.subscription_ids[0]: []}, verify=fleet.ca_path,
                 timeout=30).raise_for_status()
    with pytest.raises(HttpResponseError) as denied:
        list(client.batch_account.list())
    assert denied.value.status_code == 403 and denied.value.error.code == 'AuthorizationFailed'
