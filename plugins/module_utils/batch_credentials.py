# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which credential a module run uses, decided from module options, environment and files.

Everything here is pure: it reads the options, an environment mapping and the credentials file,
and either returns a plan or raises CredentialError with one sentence naming what is missing.
Nothing is imported from azure-identity and nothing is sent.
"""

import configparser
import os
import shutil

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import (
    CLOUDS, EntraAuth, SharedKeyAuth, batch_scope, decode_account_key,
)

AUTH_SOURCES = ('auto', 'shared_key', 'env', 'client_secret', 'certificate', 'msi', 'workload_identity',
                'cli', 'credential_file', 'default')

# Option -> the environment variables that supply it when the option is not set, first wins.
# AZURE_SECRET / AZURE_TENANT are what AWX's Azure Resource Manager credential injects;
# AZURE_CLIENT_SECRET / AZURE_TENANT_ID are azure-identity's names.
ENV_NAMES = {
    'batch_url': ('AZURE_BATCH_ENDPOINT',),
    'batch_account_name': ('AZURE_BATCH_ACCOUNT',),
    'batch_account_key': ('AZURE_BATCH_ACCESS_KEY',),
    'client_id': ('AZURE_CLIENT_ID',),
    'secret': ('AZURE_SECRET', 'AZURE_CLIENT_SECRET'),
    'tenant': ('AZURE_TENANT', 'AZURE_TENANT_ID'),
    'client_certificate_path': ('AZURE_CLIENT_CERTIFICATE_PATH',),
    'client_certificate_password': ('AZURE_CLIENT_CERTIFICATE_PASSWORD',),
    'federated_token_file': ('AZURE_FEDERATED_TOKEN_FILE',),
    'profile': ('AZURE_PROFILE',),
    'cloud_environment': ('AZURE_CLOUD_ENVIRONMENT',),
    'authority_host': ('AZURE_AUTHORITY_HOST',),
}

# What each Entra ID source needs, in the order `auto` tries them after Shared Key.
REQUIRED = {
    'shared_key': ('batch_account_name', 'batch_account_key'),
    'client_secret': ('client_id', 'secret', 'tenant'),
    'certificate': ('client_id', 'client_certificate_path', 'tenant'),
    'workload_identity': ('client_id', 'federated_token_file', 'tenant'),
}
AUTO_ORDER = ('shared_key', 'client_secret', 'certificate', 'workload_identity', 'credential_file', 'msi', 'cli')

# Added to a failed token request of these sources when Entra ID itself gave no AADSTS answer.
TOKEN_FAILURE_HINTS = {
    'msi': 'a managed identity needs IDENTITY_ENDPOINT and IDENTITY_HEADER (App Service, Container Apps) '
           'or the instance metadata service of an Azure VM',
    'cli': 'run az login as the user that runs the module, or choose another auth_source',
}


class CredentialError(ValueError):
    """A credential is missing, partial or malformed; the message is meant for the user as is."""


def option_or_env(params, name, environ):
    """The option's value, else the first non-empty environment variable for it (empty counts as unset)."""
    value = params.get(name)
    if value not in (None, ''):
        return value
    return env_value(name, environ)


def env_value(name, environ):
    for var in ENV_NAMES.get(name, ()):
        if environ.get(var):
            return environ[var]
    return None


class CredentialPlan:
    """The chosen source and the values it needs; `build()` makes the requests auth object."""

    def __init__(self, source, values, cloud_environment, authority_host, verify, origin=None):
        self.source = source
        self.origin = origin
        self.values = values
        self.cloud_environment = cloud_environment
        self.authority_host = authority_host
        self.verify = verify

    @property
    def used(self):
        """The auth source reported to the user: the file when the credential came from one."""
        return self.origin or self.source

    def files(self):
        """The files this credential reads, by option name (None where it reads none), for check_files."""
        return {'ca_path': self.verify if isinstance(self.verify, str) else None,
                'client_certificate_path': self.values.get('client_certificate_path'),
                'federated_token_file': self.values.get('federated_token_file')}

    def build(self, scope=None):
        """The requests auth object; `scope` names another resource than Batch (the inventory plugin's ARM)."""
        if self.source == 'shared_key':
            return SharedKeyAuth(self.values['batch_account_name'], self.values['batch_account_key'])
        return EntraAuth(self._credential_factory, scope or batch_scope(self.cloud_environment), self.source,
                         hint=TOKEN_FAILURE_HINTS.get(self.source))

    def _credential_factory(self):
        # Imported here so that Shared Key runs never import azure-identity (about 0.2 s).
        from azure import identity  # pylint: disable=import-outside-toplevel

        values = self.values
        transport = {}
        if self.verify is not True:
            transport['connection_verify'] = self.verify
        authority = {'authority': self.authority_host}
        if self.authority_host not in [host for host, _resource in CLOUDS.values()]:
            # A private or emulated authority is not in Microsoft's instance discovery list.
            authority['disable_instance_discovery'] = True
        if self.source == 'client_secret':
            return identity.ClientSecretCredential(values['tenant'], values['client_id'], values['secret'],
                                                   **dict(authority, **transport))
        if self.source == 'certificate':
            return identity.CertificateCredential(values['tenant'], values['client_id'], values['client_certificate_path'],
                                                  password=values.get('client_certificate_password'),
                                                  **dict(authority, **transport))
        if self.source == 'workload_identity':
            return identity.WorkloadIdentityCredential(tenant_id=values['tenant'], client_id=values['client_id'],
                                                       token_file_path=values['federated_token_file'],
                                                       **dict(authority, **transport))
        if self.source == 'msi':
            return identity.ManagedIdentityCredential(client_id=values.get('msi_client_id'), **transport)
        if self.source == 'cli':
            return identity.AzureCliCredential(tenant_id=values.get('tenant') or '')
        # DefaultAzureCredential hands `authority` only to its environment credential; its workload identity
        # credential reads AZURE_AUTHORITY_HOST itself.
        return identity.DefaultAzureCredential(managed_identity_client_id=values.get('msi_client_id'),
                                               **dict(authority, **transport))


def resolve(params, environ=None, home=None):
    """Decide the credential of a run. Raises CredentialError naming what is missing."""
    environ = os.environ if environ is None else environ
    cloud = option_or_env(params, 'cloud_environment', environ) or 'AzureCloud'
    authority = option_or_env(params, 'authority_host', environ) or CLOUDS.get(cloud, ('',))[0]
    cloud_problem = _cloud_problem(cloud, authority)
    if cloud_problem and (params.get('cloud_environment') or params.get('authority_host')):
        raise CredentialError(cloud_problem)
    verify = _verify_setting(params)
    source = params.get('auth_source') or 'auto'

    def plan(chosen, values, origin=None):
        if chosen == 'shared_key':
            try:
                decode_account_key(values['batch_account_key'])
            except ValueError as exc:
                raise CredentialError(str(exc)) from None
        elif cloud_problem:
            # Only Entra ID needs the cloud. AWX's Azure credential may set AZURE_CLOUD_ENVIRONMENT for a cloud
            # this table does not know (Azure Stack, for one); that must not stop a Shared Key run.
            raise CredentialError(cloud_problem)
        return CredentialPlan(chosen, values, cloud, authority, verify, origin)

    if source == 'env':
        return plan(*_from_environment(environ))
    if source == 'credential_file':
        return plan(*_from_credentials_file(params, environ, home, required=True))
    if source in REQUIRED:
        values = _gather(params, REQUIRED[source], environ)
        missing = [name for name in REQUIRED[source] if not values.get(name)]
        if missing:
            raise CredentialError('auth_source %s needs %s.' % (source, _describe_missing(missing)))
        values['client_certificate_password'] = option_or_env(params, 'client_certificate_password', environ)
        return plan(source, values)
    if source == 'cli' and not shutil.which('az', path=environ.get('PATH')):
        raise CredentialError('auth_source cli needs the Azure CLI: az was not found on PATH (install it and run az login, '
                              'or choose another auth_source).')
    if source in ('msi', 'cli', 'default'):
        return plan(source, {'msi_client_id': params.get('msi_client_id'),
                             'tenant': option_or_env(params, 'tenant', environ)})
    return plan(*_auto(params, environ, home))


def _auto(params, environ, home):
    partial = []
    for source in AUTO_ORDER:
        if source in REQUIRED:
            values = _gather(params, REQUIRED[source], environ)
            present = [name for name in REQUIRED[source] if values.get(name)]
            if len(present) == len(REQUIRED[source]):
                values['client_certificate_password'] = option_or_env(params, 'client_certificate_password', environ)
                return source, values
            # client_id and tenant alone are shared by three sources; they say nothing on their own.
            if set(present) - {'client_id', 'tenant'}:
                partial.append((source, [n for n in REQUIRED[source] if n not in present]))
        elif source == 'credential_file':
            found = _from_credentials_file(params, environ, home, required=False)
            if found:
                return found
        elif source == 'msi' and (environ.get('IDENTITY_ENDPOINT') or environ.get('MSI_ENDPOINT')):
            return 'msi', {'msi_client_id': params.get('msi_client_id')}
        elif source == 'cli' and shutil.which('az', path=environ.get('PATH')):
            return 'cli', {'tenant': option_or_env(params, 'tenant', environ)}
    if partial:
        source, missing = partial[0]
        raise CredentialError('auth_source auto found a partial %s credential; it also needs %s.'
                              % (source, _describe_missing(missing)))
    raise CredentialError(
        'No Batch credential was found: set batch_account_name and batch_account_key (env AZURE_BATCH_ACCOUNT, '
        'AZURE_BATCH_ACCESS_KEY), or client_id, secret and tenant (env AZURE_CLIENT_ID, AZURE_SECRET, AZURE_TENANT), '
        'or choose another auth_source such as msi, workload_identity or cli.')


def _from_environment(environ):
    for source in ('shared_key', 'client_secret', 'certificate', 'workload_identity'):
        values = _gather({}, REQUIRED[source], environ)
        if all(values.get(name) for name in REQUIRED[source]):
            values['client_certificate_password'] = env_value('client_certificate_password', environ)
            return source, values
    raise CredentialError(
        'auth_source env found no complete credential in the environment: set AZURE_BATCH_ACCOUNT and '
        'AZURE_BATCH_ACCESS_KEY, or AZURE_CLIENT_ID, AZURE_SECRET (or AZURE_CLIENT_SECRET) and AZURE_TENANT '
        '(or AZURE_TENANT_ID), or AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE.')


def credentials_file_path(environ, home=None):
    config_dir = environ.get('AZURE_CONFIG_DIR') or os.path.join(home or os.path.expanduser('~'), '.azure')
    return os.path.join(config_dir, 'credentials')


def _from_credentials_file(params, environ, home, required):
    path = credentials_file_path(environ, home)
    profile = option_or_env(params, 'profile', environ) or 'default'
    parser = configparser.ConfigParser(interpolation=None)
    try:
        read = parser.read(path)
    except configparser.Error as exc:
        raise CredentialError('The credentials file %s could not be parsed: %s' % (path, str(exc).splitlines()[0])) from None
    if not read or not parser.has_section(profile):
        if not required:
            return None
        raise CredentialError('auth_source credential_file needs profile [%s] in %s (set profile or AZURE_PROFILE to choose another).'
                              % (profile, path))
    section = dict(parser.items(profile))
    for source in ('shared_key', 'client_secret'):
        if all(section.get(name) for name in REQUIRED[source]):
            return source, {name: section[name] for name in REQUIRED[source]}, 'credential_file'
    if not required:
        return None
    raise CredentialError('Profile [%s] in %s needs batch_account_name and batch_account_key, or client_id, secret and tenant.'
                          % (profile, path))


def _gather(params, names, environ):
    return {name: option_or_env(params, name, environ) for name in names}


def _describe_missing(names):
    described = []
    for name in names:
        env = ENV_NAMES.get(name)
        described.append('%s (or env %s)' % (name, ' or '.join(env)) if env else name)
    if len(described) == 1:
        return described[0]
    return ', '.join(described[:-1]) + ' and ' + described[-1]


def _cloud_problem(cloud, authority):
    if cloud not in CLOUDS:
        return 'cloud_environment must be one of %s, not %r.' % (', '.join(sorted(CLOUDS)), cloud)
    if not authority.startswith('https://'):
        return 'authority_host must be an https:// URL, not %r.' % authority
    return None


def _verify_setting(params):
    if params.get('validate_certs') is False:
        return False
    return params.get('ca_path') or True
