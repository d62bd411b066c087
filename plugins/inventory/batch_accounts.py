# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
name: batch_accounts
short_description: Azure Batch accounts as inventory hosts
version_added: 1.2.0
description:
  - Lists the C(Microsoft.Batch/batchAccounts) of Azure subscriptions through the Azure Resource Manager REST API
    and adds one host per account, named after the account, with the account's C(batch_url) as a host variable,
    so that one playbook runs across a fleet of accounts with Ansible's forks (and AWX job slicing).
  - Each host gets C(ansible_connection=local) and the variables C(batch_url), C(batch_account_name),
    C(batch_account_id), C(subscription_id), C(resource_group), C(location), C(batch_account_tags) (the account's
    Azure tags; not C(tags), which is a play keyword), C(provisioning_state),
    C(pool_allocation_mode), C(public_network_access) and the account's quotas C(active_job_and_job_schedule_quota),
    C(dedicated_core_quota), C(low_priority_core_quota) and C(pool_quota) (the core quotas are null for accounts
    with V(UserSubscription) pool allocation, whose quotas are the subscription's).
  - The credential is a Microsoft Entra ID one, from the same sources and environment variables as the modules
    (Shared Key does not work for Azure Resource Manager). It needs the Reader role on the subscriptions or on the
    resource groups holding the accounts.
  - The inventory file name must end in C(batch_accounts.yml) or C(batch_accounts.yaml).
author:
  - azure_batch.ops contributors (@azure-batch-ops)
requirements:
  - requests
  - azure-identity
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; must be V(azure_batch.ops.batch_accounts).
    required: true
    type: str
    choices: [azure_batch.ops.batch_accounts]
  subscriptions:
    description:
      - The subscription ids whose accounts are listed. When empty, every subscription the credential can see.
    type: list
    elements: str
    default: []
  locations:
    description:
      - Keep only accounts in these Azure regions (for example V(westeurope)), compared without case. Empty keeps all.
    type: list
    elements: str
    default: []
  tags:
    description:
      - Keep only accounts that have every one of these tags; a value of V(null) matches any value of the tag,
        a list matches any of its values.
    type: dict
    default: {}
  names:
    description:
      - Keep only accounts whose name matches one of these shell-style patterns (for example V(render-*)). Empty keeps all.
    type: list
    elements: str
    default: []
  auth_source:
    description:
      - Where the Microsoft Entra ID credential comes from, as the modules' O(azure_batch.ops.batch_job_terminate#module:auth_source)
        without V(shared_key). V(auto) tries V(client_secret), V(certificate), V(workload_identity), V(credential_file),
        V(msi) (when E(IDENTITY_ENDPOINT) or E(MSI_ENDPOINT) is set) and V(cli) (when C(az) is on E(PATH)).
    type: str
    default: auto
    choices: [auto, env, client_secret, certificate, msi, workload_identity, cli, credential_file, default]
  client_id:
    description: The application (client) id of the service principal.
    type: str
    env:
      - name: AZURE_CLIENT_ID
  secret:
    description: The client secret of the service principal.
    type: str
    env:
      - name: AZURE_SECRET
      - name: AZURE_CLIENT_SECRET
  tenant:
    description: The Entra ID tenant (directory) id.
    type: str
    env:
      - name: AZURE_TENANT
      - name: AZURE_TENANT_ID
  client_certificate_path:
    description: A PEM or PKCS12 file with the service principal's certificate and private key, for V(certificate).
    type: path
    env:
      - name: AZURE_CLIENT_CERTIFICATE_PATH
  client_certificate_password:
    description: The password of O(client_certificate_path), if it is encrypted.
    type: str
    env:
      - name: AZURE_CLIENT_CERTIFICATE_PASSWORD
  msi_client_id:
    description: The client id of a user-assigned managed identity, for V(msi) and V(default).
    type: str
  federated_token_file:
    description: The file holding a federated (workload identity) token, for V(workload_identity).
    type: path
    env:
      - name: AZURE_FEDERATED_TOKEN_FILE
  profile:
    description: The profile of C(~/.azure/credentials), for V(credential_file); C(default) when not set.
    type: str
    env:
      - name: AZURE_PROFILE
  cloud_environment:
    description:
      - The Azure cloud, which decides the Entra ID authority, the Azure Resource Manager endpoint and the token scope.
    type: str
    default: AzureCloud
    choices: [AzureChinaCloud, AzureCloud, AzureUSGovernment]
    env:
      - name: AZURE_CLOUD_ENVIRONMENT
  authority_host:
    description: Override the Entra ID authority host of O(cloud_environment).
    type: str
    env:
      - name: AZURE_AUTHORITY_HOST
  arm_endpoint:
    description:
      - Override the Azure Resource Manager endpoint of O(cloud_environment), an C(https) URL without a path
        (for example a private cloud, or a test service). The token is still requested for the cloud's management scope.
    type: str
  validate_certs:
    description: Verify the TLS certificates of Azure Resource Manager and the identity endpoints.
    type: bool
    default: true
  ca_path:
    description: A PEM file of CA certificates to trust instead of the default bundle.
    type: path
  request_timeout:
    description: The longest time, in seconds, to wait for one answer before the request is retried.
    type: float
    default: 60
  retries:
    description:
      - How often a request is retried after a throttling answer (429), a server error or a lost connection,
        with jittered exponential backoff that honours C(Retry-After). 0 to 10.
    type: int
    default: 4
notes:
  - Caching (O(cache)) stores the host variables, never a credential or token.
  - Use O(keyed_groups) to group accounts by location, subscription or tag, and a play's C(throttle) or the
    C(forks) setting to bound how many accounts are worked on at once.
seealso:
  - name: Batch Account - List
    description: The Azure Resource Manager operation this plugin calls.
    link: https://learn.microsoft.com/rest/api/batchmanagement/batch-account/list
'''

EXAMPLES = r'''
# inventory/prod.batch_accounts.yml
plugin: azure_batch.ops.batch_accounts
auth_source: client_secret        # AZURE_CLIENT_ID, AZURE_SECRET and AZURE_TENANT from the environment
tags:
  env: prod
keyed_groups:
  - key: location
    prefix: location
  - key: batch_account_tags.team | default('none')
    prefix: team
groups:
  user_subscription: pool_allocation_mode == 'UserSubscription'
compose:
  low_job_quota: active_job_and_job_schedule_quota < 50

# Then: ansible-playbook -i inventory/prod.batch_accounts.yml azure_batch.ops.fleet_stop -e batch_hosts=location_westeurope ...
'''

import fnmatch
import os
from urllib.parse import urlsplit

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_arm import (
    MANAGEMENT_ENDPOINTS, ArmClient, account_host_vars, management_scope,
)
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_credentials import CredentialError, resolve
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import InputError, check_files, check_range

CREDENTIAL_OPTIONS = ('auth_source', 'client_id', 'secret', 'tenant', 'client_certificate_path', 'client_certificate_password',
                      'msi_client_id', 'federated_token_file', 'profile', 'cloud_environment', 'authority_host',
                      'validate_certs', 'ca_path')
# A Shared Key in the environment is for the Batch accounts, not for Azure Resource Manager: auto must not pick it.
_SHARED_KEY_ENV = ('AZURE_BATCH_ACCOUNT', 'AZURE_BATCH_ACCESS_KEY')


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """One host per Azure Batch account of the visible (or named) subscriptions."""

    NAME = 'azure_batch.ops.batch_accounts'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('batch_accounts.yml', 'batch_accounts.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        accounts = None
        if use_cache:
            try:
                accounts = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if accounts is None:
            accounts = self._list_accounts()
        if update_cache:
            self._cache[cache_key] = accounts
        self._populate(accounts)

    def _list_accounts(self):
        """Host variables of every account of the chosen subscriptions, before filtering."""
        client = self._client()
        try:
            subscriptions = self.get_option('subscriptions') or self._visible_subscriptions(client)
            found = []
            for subscription_id, accounts in self._accounts_by_subscription(client, subscriptions):
                found.extend(account_host_vars(account, subscription_id) for account in accounts)
            return found
        finally:
            client.close()

    def _visible_subscriptions(self, client):
        try:
            subscriptions = client.subscription_ids()
        except BatchError as err:
            raise AnsibleParserError('Could not list the Azure subscriptions visible to the credential: %s' % err) from None
        if not subscriptions:
            raise AnsibleParserError('The credential sees no Azure subscription: give its principal the Reader role on the '
                                     'subscriptions (or resource groups) that hold the Batch accounts, or name them in subscriptions.')
        return subscriptions

    @staticmethod
    def _accounts_by_subscription(client, subscriptions):
        try:
            return client.batch_accounts_of(subscriptions)
        except BatchError as err:
            subscription = 'subscription %s' % err.subscription_id if getattr(err, 'subscription_id', None) else 'a subscription'
            if err.status == 403:
                raise AnsibleParserError(
                    'The credential may not list the Batch accounts of %s (HTTP 403 %s): give its principal the Reader role '
                    'on the subscription, or on the resource groups that hold the accounts.'
                    % (subscription, err.code or 'AuthorizationFailed')) from None
            if err.status == 404:
                raise AnsibleParserError('Azure Resource Manager does not know %s (HTTP 404 %s); check subscriptions.'
                                         % (subscription, err.code or 'NotFound')) from None
            raise AnsibleParserError('Could not list the Batch accounts: %s' % err) from None

    def _client(self):
        params = {name: self.get_option(name) for name in CREDENTIAL_OPTIONS}
        environ = {name: value for name, value in os.environ.items() if name not in _SHARED_KEY_ENV}
        try:
            check_range('retries', self.get_option('retries'), 0, 10)
            check_range('request_timeout', self.get_option('request_timeout'), 1, 600)
            arm_url = _arm_url(self.get_option('arm_endpoint'), params['cloud_environment'])
            plan = resolve(params, environ)
            if plan.source == 'shared_key':
                raise InputError('The %s credential is a Batch Shared Key, which Azure Resource Manager does not accept; '
                                 'use a Microsoft Entra ID credential.' % plan.used)
            check_files(plan.files())
        except (CredentialError, InputError) as err:
            raise AnsibleParserError(str(err)) from None
        if plan.verify is False:
            self.display.warning('validate_certs is false: the TLS certificates of Azure Resource Manager are not verified.')
        return ArmClient(arm_url, plan.build(scope=management_scope(plan.cloud_environment)), verify=plan.verify,
                         retries=self.get_option('retries'), request_timeout=self.get_option('request_timeout'))

    def _populate(self, accounts):
        strict = self.get_option('strict')
        for variables in accounts:
            if not self._wanted(variables):
                continue
            host = self._host_name(variables)
            self.inventory.add_host(host)
            for name, value in variables.items():
                self.inventory.set_variable(host, name, value)
            self.inventory.set_variable(host, 'ansible_connection', 'local')
            hostvars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option('compose'), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, host, strict=strict)

    def _host_name(self, variables):
        name = variables['batch_account_name']
        if self.inventory.get_host(name) is None:
            return name
        # Account names are unique per region only: a second account of the same name gets its region appended.
        alternative = '%s_%s' % (name, variables['location'])
        self.display.warning('Two Batch accounts are named %s; the one in %s is host %s.' % (name, variables['location'], alternative))
        return alternative

    def _wanted(self, variables):
        locations = [location.lower().replace(' ', '') for location in self.get_option('locations')]
        if locations and (variables.get('location') or '').lower() not in locations:
            return False
        names = self.get_option('names')
        if names and not any(fnmatch.fnmatchcase(variables['batch_account_name'] or '', pattern) for pattern in names):
            return False
        tags = variables.get('batch_account_tags') or {}
        for tag, wanted in self.get_option('tags').items():
            if tag not in tags:
                return False
            if wanted is not None and tags[tag] not in (wanted if isinstance(wanted, list) else [wanted]):
                return False
        return True


def _arm_url(value, cloud_environment):
    if not value:
        return MANAGEMENT_ENDPOINTS[cloud_environment or 'AzureCloud']
    parts = urlsplit(value)
    if parts.scheme != 'https' or not parts.hostname or parts.path not in ('', '/') or parts.query or parts.username:
        raise InputError('arm_endpoint must be an https URL with a host only, such as https://management.azure.com; got %r.'
                         % value.split('?')[0])
    return value.rstrip('/')
