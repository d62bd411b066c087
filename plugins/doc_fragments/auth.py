# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Connection and authentication options shared by every module of azure_batch.ops."""

    DOCUMENTATION = r'''
options:
  batch_url:
    description:
      - The Batch account endpoint, C(https://<account>.<region>.batch.azure.com).
      - When not set, the E(AZURE_BATCH_ENDPOINT) environment variable is used.
      - Must be C(https) with a host only (no path, query, user name or password).
    type: str
  auth_source:
    description:
      - Where the credential comes from.
      - V(auto) uses the first complete credential in this order, from options or environment variables -
        V(shared_key), V(client_secret), V(certificate), V(workload_identity), V(credential_file) (when the file has the profile),
        V(msi) (when E(IDENTITY_ENDPOINT) or E(MSI_ENDPOINT) is set), V(cli) (when C(az) is on E(PATH)). The result's
        RV(auth_source_used) says which one it used. A partial credential (for example an account name without its key)
        fails, naming what is missing. On an Azure VM nothing announces the managed identity; use V(msi) there.
      - V(shared_key) signs requests with O(batch_account_name) and O(batch_account_key).
      - V(env) reads a Shared Key, client secret, certificate or federated token credential only from environment variables.
      - V(client_secret), V(certificate), V(workload_identity), V(msi) and V(cli) get a Microsoft Entra ID token with
        azure-identity's ClientSecretCredential, CertificateCredential, WorkloadIdentityCredential, ManagedIdentityCredential
        and AzureCliCredential.
      - V(credential_file) reads O(profile) from C(~/.azure/credentials) (or C($AZURE_CONFIG_DIR/credentials)), which holds
        C(batch_account_name) and C(batch_account_key), or C(client_id), C(secret) and C(tenant).
      - V(default) uses azure-identity's DefaultAzureCredential chain, which reads azure-identity's own environment variables
        (E(AZURE_CLIENT_SECRET) and E(AZURE_TENANT_ID), not E(AZURE_SECRET) and E(AZURE_TENANT)); its workload identity
        credential takes the authority only from E(AZURE_AUTHORITY_HOST).
    type: str
    default: auto
    choices: [auto, shared_key, env, client_secret, certificate, msi, workload_identity, cli, credential_file, default]
  batch_account_name:
    description:
      - The Batch account name, for Shared Key. Defaults to E(AZURE_BATCH_ACCOUNT).
    type: str
  batch_account_key:
    description:
      - A Batch account access key (base64), for Shared Key. Defaults to E(AZURE_BATCH_ACCESS_KEY).
    type: str
  client_id:
    description:
      - The application (client) id of the Entra ID service principal. Defaults to E(AZURE_CLIENT_ID).
    type: str
  secret:
    description:
      - The client secret of the service principal. Defaults to E(AZURE_SECRET), then E(AZURE_CLIENT_SECRET).
    type: str
  tenant:
    description:
      - The Entra ID tenant (directory) id. Defaults to E(AZURE_TENANT), then E(AZURE_TENANT_ID).
    type: str
  client_certificate_path:
    description:
      - A PEM or PKCS12 file with the service principal's certificate and private key, for V(certificate).
        Defaults to E(AZURE_CLIENT_CERTIFICATE_PATH).
    type: path
  client_certificate_password:
    description:
      - The password of O(client_certificate_path), if it is encrypted. Defaults to E(AZURE_CLIENT_CERTIFICATE_PASSWORD).
    type: str
  msi_client_id:
    description:
      - The client id of a user-assigned managed identity, for V(msi) and V(default). Omit for the system-assigned identity.
    type: str
  federated_token_file:
    description:
      - The file holding a federated (workload identity) token, for V(workload_identity).
        Defaults to E(AZURE_FEDERATED_TOKEN_FILE), which AKS workload identity sets.
    type: path
  profile:
    description:
      - The profile (section) of the credentials file, for V(credential_file). Defaults to E(AZURE_PROFILE), then C(default).
    type: str
  cloud_environment:
    description:
      - The Azure cloud, which decides the Entra ID authority and the Batch token scope.
        Defaults to E(AZURE_CLOUD_ENVIRONMENT), then V(AzureCloud). Shared Key does not use it.
    type: str
    choices: [AzureChinaCloud, AzureCloud, AzureUSGovernment]
  authority_host:
    description:
      - Override the Entra ID authority host of O(cloud_environment), for example for a private cloud.
        Defaults to E(AZURE_AUTHORITY_HOST).
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the Batch endpoint and the identity endpoints (Entra ID and the managed identity
        endpoint; C(az) has its own settings). Turning it off prints a warning.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to trust instead of the default bundle, for example a private CA of a proxy.
    type: path
  api_version:
    description:
      - The Batch REST API version to call.
    type: str
    default: '2024-07-01.20.0'
  server_timeout:
    description:
      - The longest time, in seconds, the service may spend on each request (the C(timeout) query parameter), 1 to 30.
        The service default is 30.
    type: int
  request_timeout:
    description:
      - The longest time, in seconds, to wait for the service to answer one HTTP request before it is retried.
    type: float
    default: 60
  retries:
    description:
      - How often a request is retried after a throttling answer (429), a server error (500, 502, 503, 504) or a
        lost connection, with jittered exponential backoff that honours C(Retry-After). 0 to 10.
    type: int
    default: 4
  client_request_id:
    description:
      - A UUID sent as C(client-request-id) with the terminate requests, to find them in the service's logs.
        When not set, each request gets a new UUID. The ids used are always returned.
    type: str
notes:
  - Requires the Python library C(requests); Microsoft Entra ID sources also need C(azure-identity).
  - Empty environment variables count as unset.
seealso:
  - name: Authenticate requests to the Azure Batch service
    description: How Shared Key and Microsoft Entra ID authentication work in Batch.
    link: https://learn.microsoft.com/rest/api/batchservice/authenticate-requests-to-the-azure-batch-service
'''
