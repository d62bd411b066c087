# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""List Batch accounts through Azure Resource Manager with the Batch client's transport and retries.

Facts (reference/arm/batch-accounts.md, Microsoft.Batch 2024-07-01): subscriptions visible to a principal come from
GET /subscriptions?api-version=2022-12-01; a subscription's accounts from
GET /subscriptions/{id}/providers/Microsoft.Batch/batchAccounts?api-version=2024-07-01; both page with `nextLink`.
The token scope is the cloud's management host + /.default; Shared Key does not work for ARM.
"""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_client import BatchClient
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError

# Cloud name -> Azure Resource Manager endpoint (the same names as batch_auth.CLOUDS).
MANAGEMENT_ENDPOINTS = {
    'AzureCloud': 'https://management.azure.com',
    'AzureChinaCloud': 'https://management.chinacloudapi.cn',
    'AzureUSGovernment': 'https://management.usgovcloudapi.net',
}
SUBSCRIPTIONS_API_VERSION = '2022-12-01'
BATCH_MANAGEMENT_API_VERSION = '2024-07-01'
# Parallel subscription listings: ARM's read limits are per subscription and principal, so this stays polite.
LIST_WORKERS = 8


def management_scope(cloud_environment):
    return MANAGEMENT_ENDPOINTS[cloud_environment] + '/.default'


class ArmClient(BatchClient):
    """A BatchClient whose requests name their own api-version and whose lists page with ARM's nextLink."""

    def __init__(self, arm_url, auth, **settings):
        settings.setdefault('pool_size', LIST_WORKERS)
        super().__init__(arm_url, auth, api_version=SUBSCRIPTIONS_API_VERSION, **settings)

    def _url(self, path, query, absolute):
        url, params = super()._url(path, query, absolute)
        if not absolute and query and 'api-version' in query:
            params['api-version'] = query['api-version']
        return url, params

    def list_all(self, path, api_version):
        """Every item of an ARM list, following nextLink (on this host only, as BatchClient follows odata.nextLink)."""
        items = []
        page = self.request('GET', path, query={'api-version': api_version}).body or {}
        followed = set()
        while True:
            items.extend(page.get('value') or [])
            link = page.get('nextLink')
            if not link:
                return items
            if link in followed:
                raise BatchError('Azure Resource Manager returned a paging link it had already returned; stopped after %d items.'
                                 % len(items))
            followed.add(link)
            page = self.request('GET', link, absolute=True).body or {}

    def subscription_ids(self):
        return [item['subscriptionId'] for item in self.list_all('/subscriptions', SUBSCRIPTIONS_API_VERSION)
                if item.get('subscriptionId') and item.get('state', 'Enabled') in ('Enabled', 'Warned', 'PastDue')]

    def batch_accounts(self, subscription_id):
        path = '/subscriptions/%s/providers/Microsoft.Batch/batchAccounts' % quote(subscription_id, safe='')
        try:
            return self.list_all(path, BATCH_MANAGEMENT_API_VERSION)
        except BatchError as err:
            err.subscription_id = subscription_id  # for an error message naming it
            raise

    def batch_accounts_of(self, subscription_ids):
        """[(subscription id, [account, ...]), ...] in the order given; the first failure is raised."""
        if len(subscription_ids) <= 1:
            return [(sub, self.batch_accounts(sub)) for sub in subscription_ids]
        with ThreadPoolExecutor(max_workers=min(LIST_WORKERS, len(subscription_ids))) as pool:
            return list(zip(subscription_ids, pool.map(self.batch_accounts, subscription_ids)))


def account_host_vars(account, subscription_id):
    """The host variables of one account (ARM BatchAccount -> snake_case); quotas absent in the answer are None."""
    properties = account.get('properties') or {}
    resource_id = account.get('id') or ''
    parts = resource_id.split('/')
    lowered = [part.lower() for part in parts]
    resource_group = parts[lowered.index('resourcegroups') + 1] if 'resourcegroups' in lowered[:-1] else None
    endpoint = properties.get('accountEndpoint')
    return {
        'batch_account_name': account.get('name'),
        'batch_account_id': resource_id,
        'batch_url': 'https://' + endpoint if endpoint else None,
        'subscription_id': subscription_id,
        'resource_group': resource_group,
        'location': account.get('location'),
        # Not "tags": that is a play keyword, and ansible-core warns about a variable of that name on every run.
        'batch_account_tags': account.get('tags') or {},
        'provisioning_state': properties.get('provisioningState'),
        'pool_allocation_mode': properties.get('poolAllocationMode'),
        # With UserSubscription pool allocation the core quotas are the subscription's and ARM omits them.
        'dedicated_core_quota': properties.get('dedicatedCoreQuota'),
        'low_priority_core_quota': properties.get('lowPriorityCoreQuota'),
        'pool_quota': properties.get('poolQuota'),
        'active_job_and_job_schedule_quota': properties.get('activeJobAndJobScheduleQuota'),
        'public_network_access': properties.get('publicNetworkAccess'),
    }
