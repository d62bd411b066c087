"""The emulator's Microsoft Entra ID side, driven by the real azure-identity credentials."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import (
    AzureCliCredential, CertificateCredential, ClientSecretCredential, CredentialUnavailableError,
    ManagedIdentityCredential, WorkloadIdentityCredential,
)
from cryptography.hazmat.primitives import serialization

# ansible-test (and `make pytest`) import the collection as ansible_collections.azure_batch.ops; a plain
# `python -m pytest` from the repository root imports it as `tests`.
try:
    from ansible_collections.azure_batch.ops.tests.emulator import Emulator, jwt_tokens
except ImportError:
    from tests.emulator import Emulator, jwt_tokens

BATCH = "https://batch.core.windows.net/"
BATCH_SCOPE = "https://batch.core.windows.net//.default"
AZURE_ENV = ("AZURE_AUTHORITY_HOST", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
             "AZURE_REGIONAL_AUTHORITY_NAME", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT",
             "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET", "BATCH_EMULATOR_AZ_LOGGED_OUT")


@pytest.fixture(name="emu", scope="module")
def fixture_emu(tmp_path_factory):
    """An emulator of this module's own, in this process: the tests call its identity provider directly.

    Under ansible-test each test runs in a forked child that starts it afresh; the emulator shared by the
    other tests runs in a process of its own and offers only its HTTP side."""
    with Emulator(state_dir=str(tmp_path_factory.mktemp("emulator"))) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in AZURE_ENV:
        monkeypatch.delenv(name, raising=False)


def _info(emu) -> dict:
    return emu.identity.describe()


def _msal_options(emu) -> dict:
    return {"authority": emu.url, "disable_instance_discovery": True, "connection_verify": emu.ca_path}


def _claims(token: str) -> dict:
    return jwt_tokens.split_token(token)[1]


def _assert_batch_token(emu, token: str) -> dict:
    ok, detail = emu.identity.verify_bearer(token)
    assert ok, detail
    claims = _claims(token)
    assert claims["aud"] == BATCH
    assert claims["tid"] == emu.identity.tenant_id
    return claims


def test_openid_configuration_names_the_token_endpoint_and_keys(emu):
    tenant = _info(emu)["tenant_id"]
    config = requests.get(f"{emu.url}/{tenant}/v2.0/.well-known/openid-configuration", verify=emu.ca_path, timeout=10).json()
    assert config["token_endpoint"] == f"{emu.url}/{tenant}/oauth2/v2.0/token"
    assert config["issuer"] == f"{emu.url}/{tenant}/v2.0"
    keys = requests.get(config["jwks_uri"], verify=emu.ca_path, timeout=10).json()["keys"]
    assert jwt_tokens.split_token(emu.identity.mint_token())[0]["kid"] in [key["kid"] for key in keys]


@pytest.mark.parametrize("scope", [BATCH_SCOPE, "https://batch.core.windows.net/.default"])
def test_client_secret_credential_gets_a_batch_token(emu, scope):
    info = _info(emu)
    credential = ClientSecretCredential(info["tenant_id"], info["client_id"], info["client_secret"], **_msal_options(emu))
    claims = _assert_batch_token(emu, credential.get_token(scope).token)
    assert claims["appid"] == info["client_id"]
    assert claims["appidacr"] == "1"


def test_wrong_client_secret_fails_with_aadsts7000215(emu):
    info = _info(emu)
    credential = ClientSecretCredential(info["tenant_id"], info["client_id"], "not-the-secret", **_msal_options(emu))
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215: Invalid client secret provided"):
        credential.get_token(BATCH_SCOPE)


def test_token_for_another_resource_is_refused_by_batch(emu):
    info = _info(emu)
    credential = ClientSecretCredential(info["tenant_id"], info["client_id"], info["client_secret"], **_msal_options(emu))
    ok, detail = emu.identity.verify_bearer(credential.get_token("https://management.azure.com/.default").token)
    assert not ok
    assert "audience" in detail


@pytest.mark.parametrize("change, status, error, code", [
    ({"tenant": "00000000-0000-0000-0000-000000000001"}, 400, "invalid_tenant", 90002),
    ({"client_id": "00000000-0000-0000-0000-000000000002"}, 400, "unauthorized_client", 700016),
    ({"client_secret": "wrong"}, 401, "invalid_client", 7000215),
    ({"client_secret": None}, 401, "invalid_client", 7000218),
    ({"scope": "https://batch.core.windows.net/user_impersonation"}, 400, "invalid_scope", 1002012),
    ({"scope": "https://unknown.example.com/.default"}, 400, "invalid_resource", 500011),
    ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
])
def test_token_endpoint_answers_errors_like_entra(emu, change, status, error, code):
    info = _info(emu)
    form = {"grant_type": "client_credentials", "client_id": info["client_id"], "client_secret": info["client_secret"], "scope": BATCH_SCOPE}
    tenant = change.get("tenant", info["tenant_id"])
    form = {name: value for name, value in {**form, **change}.items() if value is not None and name != "tenant"}
    response = requests.post(f"{emu.url}/{tenant}/oauth2/v2.0/token", data=form, verify=emu.ca_path, timeout=10,
                             headers={"client-request-id": "11111111-2222-3333-4444-555555555555"})
    body = response.json()
    assert (response.status_code, body["error"], body["error_codes"]) == (status, error, [code])
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert "\r\nTrace ID: " in body["error_description"]
    assert body["correlation_id"] == "11111111-2222-3333-4444-555555555555"
    assert "access_token" not in body


@pytest.mark.parametrize("path_key, with_password", [
    ("client_cert_path", False), ("client_cert_encrypted_path", True), ("client_cert_pfx_path", True),
])
def test_certificate_credential_gets_a_batch_token(emu, path_key, with_password):
    info = _info(emu)
    password = {"password": info["client_cert_password"]} if with_password else {}
    credential = CertificateCredential(info["tenant_id"], info["client_id"], info[path_key], **password, **_msal_options(emu))
    assert _assert_batch_token(emu, credential.get_token(BATCH_SCOPE).token)["appidacr"] == "2"


def test_unregistered_certificate_fails_with_aadsts700027(emu, tmp_path):
    info = _info(emu)
    key = jwt_tokens.generate_rsa_key()
    other = tmp_path / "other.pem"
    other.write_bytes(jwt_tokens.key_pem(key) + jwt_tokens.cert_pem(jwt_tokens.self_signed_certificate(key, "someone-else")))
    credential = CertificateCredential(info["tenant_id"], info["client_id"], str(other), **_msal_options(emu))
    with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
        credential.get_token(BATCH_SCOPE)


def _client_assertion(emu, signing_key, **changes) -> str:
    info, now = _info(emu), int(time.time())
    claims = {"aud": f"{emu.url}/{info['tenant_id']}/oauth2/v2.0/token", "iss": info["client_id"], "sub": info["client_id"],
              "iat": now, "nbf": now, "exp": now + 600, "jti": "assertion-1", **changes}
    x5t = jwt_tokens.b64url_encode(bytes.fromhex(info["client_cert_thumbprint"]))
    return jwt_tokens.encode_rs256(claims, signing_key, {"x5t": x5t})


def _registered_key(emu):
    with open(_info(emu)["client_cert_path"], "rb") as handle:
        return serialization.load_pem_private_key(handle.read(), None)


@pytest.mark.parametrize("forge, message", [
    (lambda emu: _client_assertion(emu, jwt_tokens.generate_rsa_key()), "AADSTS700027: Client assertion contains an invalid signature"),
    (lambda emu: _client_assertion(emu, _registered_key(emu), exp=int(time.time()) - 60), "AADSTS700024"),
    (lambda emu: _client_assertion(emu, _registered_key(emu), aud="https://login.microsoftonline.com/common/oauth2/v2.0/token"), "AADSTS50013"),
    (lambda emu: _client_assertion(emu, _registered_key(emu)), None),
])
def test_client_assertion_is_checked(emu, forge, message):
    info = _info(emu)
    form = {"grant_type": "client_credentials", "client_id": info["client_id"], "scope": BATCH_SCOPE,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion": forge(emu)}
    response = requests.post(f"{emu.url}/{info['tenant_id']}/oauth2/v2.0/token", data=form, verify=emu.ca_path, timeout=10)
    if message is None:
        _assert_batch_token(emu, response.json()["access_token"])
    else:
        assert response.status_code == 401
        assert response.json()["error_description"].startswith(message)


def test_workload_identity_credential_gets_a_batch_token(emu):
    info = _info(emu)
    credential = WorkloadIdentityCredential(tenant_id=info["tenant_id"], client_id=info["client_id"],
                                            token_file_path=info["federated_token_file"], authority=emu.url, connection_verify=emu.ca_path)
    _assert_batch_token(emu, credential.get_token(BATCH_SCOPE).token)


def test_workload_identity_from_the_environment_the_aks_webhook_sets(emu, monkeypatch):
    info = _info(emu)
    for name, value in {"AZURE_AUTHORITY_HOST": emu.url, "AZURE_TENANT_ID": info["tenant_id"], "AZURE_CLIENT_ID": info["client_id"],
                        "AZURE_FEDERATED_TOKEN_FILE": info["federated_token_file"]}.items():
        monkeypatch.setenv(name, value)
    _assert_batch_token(emu, WorkloadIdentityCredential(connection_verify=emu.ca_path).get_token(BATCH_SCOPE).token)


@pytest.mark.parametrize("token_options, code", [({"subject": "system:serviceaccount:other:pod"}, "AADSTS70021"), ({"expires_in": -60}, "AADSTS700024")])
def test_federated_token_that_does_not_match_is_refused(emu, tmp_path, token_options, code):
    info = _info(emu)
    token_file = tmp_path / "token"
    token_file.write_text(emu.identity.federated_token(**token_options))
    credential = WorkloadIdentityCredential(tenant_id=info["tenant_id"], client_id=info["client_id"], token_file_path=str(token_file),
                                            authority=emu.url, connection_verify=emu.ca_path)
    with pytest.raises(ClientAuthenticationError, match=code):
        credential.get_token(BATCH_SCOPE)


def _app_service_environment(emu, monkeypatch, header=None):
    info = _info(emu)
    monkeypatch.setenv("IDENTITY_ENDPOINT", info["msi_endpoint"])
    monkeypatch.setenv("IDENTITY_HEADER", header or info["identity_header"])


def test_system_assigned_managed_identity_gets_a_batch_token(emu, monkeypatch):
    _app_service_environment(emu, monkeypatch)
    claims = _assert_batch_token(emu, ManagedIdentityCredential(connection_verify=emu.ca_path).get_token(BATCH_SCOPE).token)
    assert claims["oid"] == emu.identity.system_identity.object_id


@pytest.mark.parametrize("selector", ["client_id", "resource_id", "object_id"])
def test_user_assigned_managed_identity_gets_a_batch_token(emu, monkeypatch, selector):
    _app_service_environment(emu, monkeypatch)
    info = _info(emu)
    options = {"client_id": info["msi_client_id"]} if selector == "client_id" else {
        "identity_config": {selector: info["msi_resource_id"] if selector == "resource_id" else info["msi_object_id"]}}
    claims = _assert_batch_token(emu, ManagedIdentityCredential(connection_verify=emu.ca_path, **options).get_token(BATCH_SCOPE).token)
    assert (claims["appid"], claims["xms_mirid"]) == (info["msi_client_id"], info["msi_resource_id"])


def test_managed_identity_with_a_wrong_header_is_refused(emu, monkeypatch):
    _app_service_environment(emu, monkeypatch, header="not-the-header")
    with pytest.raises(ClientAuthenticationError, match="X-IDENTITY-HEADER"):
        ManagedIdentityCredential(connection_verify=emu.ca_path).get_token(BATCH_SCOPE)


def test_unknown_user_assigned_identity_is_refused(emu, monkeypatch):
    _app_service_environment(emu, monkeypatch)
    credential = ManagedIdentityCredential(client_id="00000000-0000-0000-0000-000000000003", connection_verify=emu.ca_path)
    with pytest.raises(ClientAuthenticationError, match="Unable to load the proper Managed Identity"):
        credential.get_token(BATCH_SCOPE)


def _az_environment(emu, monkeypatch):
    monkeypatch.setenv("PATH", _info(emu)["az_path"] + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("BATCH_EMULATOR_URL", emu.url)
    monkeypatch.setenv("BATCH_EMULATOR_CA", emu.ca_path)
    monkeypatch.setenv("BATCH_EMULATOR_TENANT", _info(emu)["tenant_id"])


def test_azure_cli_credential_gets_a_batch_token(emu, monkeypatch):
    _az_environment(emu, monkeypatch)
    _assert_batch_token(emu, AzureCliCredential().get_token(BATCH_SCOPE).token)
    _assert_batch_token(emu, AzureCliCredential(tenant_id=_info(emu)["tenant_id"]).get_token(BATCH_SCOPE).token)


def test_azure_cli_credential_when_az_is_logged_out(emu, monkeypatch):
    _az_environment(emu, monkeypatch)
    monkeypatch.setenv("BATCH_EMULATOR_AZ_LOGGED_OUT", "1")
    with pytest.raises(CredentialUnavailableError, match="az login"):
        AzureCliCredential().get_token(BATCH_SCOPE)


def test_az_prints_what_the_real_command_prints_and_refuses_other_commands(emu, monkeypatch):
    _az_environment(emu, monkeypatch)
    az = os.path.join(_info(emu)["az_path"], "az")
    shown = subprocess.run([az, "account", "get-access-token", "--output", "json", "--resource", BATCH],
                           capture_output=True, text=True, check=True, timeout=30)
    assert set(json.loads(shown.stdout)) == {"accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType"}
    refused = subprocess.run([az, "vm", "list"], capture_output=True, text=True, check=False, timeout=30)
    assert refused.returncode == 2
    assert refused.stderr == "ERROR: 'vm' is misspelled or not recognized by the system.\n"


@pytest.mark.parametrize("audience", ["https://batch.core.windows.net/", "https://batch.chinacloudapi.cn/", "https://batch.core.usgovcloudapi.net/"])
def test_verify_bearer_accepts_the_batch_resource_of_every_cloud(emu, audience):
    assert emu.identity.verify_bearer(emu.identity.mint_token(audience=audience))[0]


def _tampered(token: str) -> str:
    header, claims = jwt_tokens.split_token(token)[:2]
    forged = jwt_tokens.encode_rs256({**claims, "appid": "someone-else"}, jwt_tokens.generate_rsa_key(), header)
    return ".".join(forged.split(".")[:2] + token.split(".")[2:])


@pytest.mark.parametrize("make_token, reason", [
    (lambda identity: identity.mint_token(audience="https://management.azure.com/"), "audience"),
    (lambda identity: identity.mint_token(expires_in=-60), "expired"),
    (lambda identity: _tampered(identity.mint_token()), "signature"),
    (lambda identity: "not-a-jwt", "malformed"),
])
def test_verify_bearer_refuses(emu, make_token, reason):
    ok, detail = emu.identity.verify_bearer(make_token(emu.identity))
    assert not ok
    assert reason in detail
