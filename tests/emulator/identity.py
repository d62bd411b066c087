"""Microsoft Entra ID for the emulator: one tenant, one app registration and two managed identities.

Served on the emulator's port, so azure-identity and msal run against it for real:
  GET  /{tenant}/v2.0/.well-known/openid-configuration   OpenID metadata (msal reads token_endpoint from it)
  GET  /{tenant}/discovery/v2.0/keys                      JWKS of the access-token signing key
  POST /{tenant}/oauth2/v2.0/token                        client_credentials with a client secret, a client
                                                          certificate assertion or a federated (workload) token
  GET  /msi/token                                         App Service style managed identity (api-version 2019-08-01)
Access tokens are RS256 JWTs shaped like Entra's v1.0 access tokens for Azure resources.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hmac
import json
import os
import re
import secrets
import tempfile
import time
import uuid
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from .jwt_tokens import (
    MalformedToken, b64url_decode, b64url_encode, cert_pem, encode_rs256, generate_rsa_key, jwk, key_pem, pfx_bytes,
    self_signed_certificate, sha1_thumbprint, sha256_thumbprint, signature_is_valid, split_token,
)

BATCH_AUDIENCES = ("https://batch.core.windows.net/", "https://batch.chinacloudapi.cn/", "https://batch.core.usgovcloudapi.net/")
# Other resources the tenant knows, so that a token for a non-Batch audience can be obtained through the real flows.
OTHER_RESOURCES = ("https://management.azure.com/", "https://management.core.windows.net/", "https://graph.microsoft.com/",
                   "https://storage.azure.com/", "https://vault.azure.net/")
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FEDERATION_AUDIENCE = "api://AzureADTokenExchange"
TENANT_NAME = "Batch Emulator"
MSI_PATH = "/msi/token"
MSI_API_VERSION = "2019-08-01"
_TENANT_ROUTES = (
    ("openid", re.compile(r"^/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration$")),
    ("keys", re.compile(r"^/(?P<tenant>[^/]+)/discovery/v2\.0/keys$")),
    ("token", re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$")),
)
_JSON = "application/json; charset=utf-8"


class EntraError(Exception):
    """An answer of the token service: HTTP status, OAuth2 error and AADSTS code."""

    def __init__(self, status: int, error: str, code: int, message: str):
        super().__init__(message)
        self.status, self.error, self.code, self.message = status, error, code, message


class ManagedIdentityError(Exception):
    """An answer of the App Service identity endpoint ({"statusCode", "message"} body)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclasses.dataclass(frozen=True)
class Principal:
    client_id: str
    object_id: str
    resource_id: str = ""


def _new_principal(resource_id: str = "") -> Principal:
    return Principal(str(uuid.uuid4()), str(uuid.uuid4()), resource_id)


def canonical_resource(resource: str) -> str:
    """A bare origin gains its trailing slash: "https://batch.core.windows.net" -> "https://batch.core.windows.net/"."""
    parts = urlsplit(resource)
    if parts.scheme and parts.netloc and parts.path in ("", "/") and not parts.query:
        return f"{parts.scheme}://{parts.netloc.lower()}/"
    return resource


def resource_from_scope(scope: str) -> str:
    # "https://batch.core.windows.net//.default" (azure-batch's scope) and "https://batch.core.windows.net/.default"
    # both mean the resource "https://batch.core.windows.net/" here. That Entra normalises both forms to the same
    # audience is unverified (reference/batch-rest-facts.md, open question 5).
    return canonical_resource(scope[: -len("/.default")])


def _utc(epoch) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(epoch)) if isinstance(epoch, (int, float)) else "unknown"


def _first(value):
    return value[0] if isinstance(value, (list, tuple)) else value


def _json_response(status: int, payload: dict, extra_headers: dict | None = None):
    headers = {"Content-Type": _JSON, "Cache-Control": "no-store, no-cache", "Pragma": "no-cache", **(extra_headers or {})}
    return status, headers, json.dumps(payload).encode("utf-8")


def _aadsts_response(err: EntraError, correlation_id: str):
    trace_id, stamp = str(uuid.uuid4()), time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    description = f"AADSTS{err.code}: {err.message}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {stamp}"
    body = {"error": err.error, "error_description": description, "error_codes": [err.code], "timestamp": stamp,
            "trace_id": trace_id, "correlation_id": correlation_id, "error_uri": f"https://login.microsoftonline.com/error?code={err.code}"}
    return _json_response(err.status, body, {"x-ms-request-id": trace_id, "client-request-id": correlation_id})


def _basic_credentials(authorization: str | None):
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        pair = base64.b64decode(authorization[6:].strip()).decode("utf-8").split(":", 1)
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (pair[0], pair[1]) if len(pair) == 2 else None


def _required(form: dict, name: str) -> str:
    if not form.get(name):
        raise EntraError(400, "invalid_request", 900144, f"The request body must contain the following parameter: '{name}'.")
    return form[name]


def _check_lifetime(claims: dict) -> None:
    now, exp, nbf = time.time(), claims.get("exp"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, (int, float)) or exp <= now or (isinstance(nbf, (int, float)) and nbf > now + 300):
        raise EntraError(401, "invalid_client", 700024,
                         f"Client assertion is not within its valid time range. Current time: {_utc(now)}, assertion valid from "
                         f"{_utc(nbf)}, expiry time of assertion {_utc(exp)}. Review the documentation at "
                         "https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")


class IdentityProvider:  # pylint: disable=too-many-instance-attributes
    """The tenant, its credentials on disk (under state_dir) and its HTTP endpoints."""

    def __init__(self, state_dir: str | None, issuer_base_getter: Callable[[], str], accepted_audiences=None):
        self._base = issuer_base_getter
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="batch-emulator-identity-")
        os.makedirs(self.state_dir, exist_ok=True)
        self.accepted_audiences = set(accepted_audiences or BATCH_AUDIENCES)
        self.known_resources = set(BATCH_AUDIENCES) | set(OTHER_RESOURCES)
        self.token_lifetime = 3599
        self.tenant_id, self.subscription_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.app = _new_principal()
        self.client_secret = secrets.token_urlsafe(30)
        self.system_identity = _new_principal()
        self.user_identity = _new_principal(f"/subscriptions/{self.subscription_id}/resourcegroups/batch-emulator/providers/"
                                            "Microsoft.ManagedIdentity/userAssignedIdentities/batch-ops")
        self.identity_header = str(uuid.uuid4())
        self.federated_issuer = f"https://oidc.batch-emulator.invalid/{self.tenant_id}/"
        self.federated_subject = "system:serviceaccount:batch-ops:ansible"
        self._signing_key = generate_rsa_key()
        signing_cert = self_signed_certificate(self._signing_key, "batch-emulator-token-signing")
        self._kid = b64url_encode(sha1_thumbprint(signing_cert))
        self._signing_jwk = jwk(signing_cert, self._kid)
        self._workload_key = generate_rsa_key()
        self._client_key = generate_rsa_key()
        self._client_cert = self_signed_certificate(self._client_key, "batch-ops-automation")
        self.client_cert_password = secrets.token_urlsafe(12)
        self._registered_certs = {sha1_thumbprint(self._client_cert): self._client_cert, sha256_thumbprint(self._client_cert): self._client_cert}
        self._write_credential_files()

    # ----- what clients are told -----
    @property
    def client_id(self) -> str:
        return self.app.client_id

    @property
    def msi_client_id(self) -> str:
        return self.user_identity.client_id

    @property
    def authority_host(self) -> str:
        return self._base().rstrip("/")

    @property
    def issuer(self) -> str:
        # Entra's v1.0 access tokens say https://sts.windows.net/{tenant}/; the emulator's tokens name its own host.
        return f"{self.authority_host}/{self.tenant_id}/"

    @property
    def client_cert_thumbprint(self) -> str:
        return sha1_thumbprint(self._client_cert).hex().upper()

    @property
    def az_path(self) -> str:
        return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin")

    def _file(self, name: str) -> str:
        return os.path.join(self.state_dir, name)

    def describe(self) -> dict:
        return {
            "tenant_id": self.tenant_id, "client_id": self.client_id, "client_secret": self.client_secret,
            "client_cert_path": self._file("client-cert.pem"), "client_cert_encrypted_path": self._file("client-cert-encrypted.pem"),
            "client_cert_pfx_path": self._file("client-cert.pfx"), "client_cert_password": self.client_cert_password,
            "client_cert_thumbprint": self.client_cert_thumbprint, "federated_token_file": self._file("federated-token"),
            "identity_header": self.identity_header, "msi_endpoint": self.authority_host + MSI_PATH,
            "msi_client_id": self.msi_client_id, "msi_object_id": self.user_identity.object_id,
            "msi_resource_id": self.user_identity.resource_id, "az_path": self.az_path,
            "authority_host": self.authority_host, "subscription_id": self.subscription_id,
        }

    def _write_credential_files(self) -> None:
        password, cert = self.client_cert_password.encode(), cert_pem(self._client_cert)
        files = {
            "client-cert.pem": key_pem(self._client_key) + cert,
            "client-cert-encrypted.pem": key_pem(self._client_key, password) + cert,
            "client-cert.pfx": pfx_bytes(self._client_key, self._client_cert, password),
            # A day is plenty for a test run; real projected service-account tokens are refreshed by the kubelet.
            "federated-token": self.federated_token(expires_in=86400).encode(),
        }
        for name, content in files.items():
            with open(os.open(self._file(name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
                handle.write(content)

    def federated_token(self, expires_in: int = 3600, subject: str | None = None, audience: str = FEDERATION_AUDIENCE) -> str:
        """A service-account token as a Kubernetes OIDC issuer trusted by the app's federated credential would sign it."""
        now = int(time.time())
        claims = {"aud": [audience], "iss": self.federated_issuer, "sub": subject or self.federated_subject,
                  "iat": now, "nbf": now, "exp": now + expires_in}
        return encode_rs256(claims, self._workload_key, {"kid": "workload-issuer"})

    # ----- tokens -----
    def mint_token(self, audience: str = "https://batch.core.windows.net/", expires_in: int = 3600) -> str:
        return self._issue(self.app, canonical_resource(audience), expires_in, "1")

    def _issue(self, principal: Principal, resource: str, lifetime: int, appidacr: str) -> str:
        now = int(time.time())
        claims = {"aud": resource, "iss": self.issuer, "iat": now, "nbf": now, "exp": now + lifetime,
                  "appid": principal.client_id, "appidacr": appidacr, "idp": self.issuer, "idtyp": "app",
                  "oid": principal.object_id, "sub": principal.object_id, "tid": self.tenant_id,
                  "uti": b64url_encode(os.urandom(16)), "ver": "1.0"}
        if principal.resource_id:
            claims["xms_mirid"] = principal.resource_id
        return encode_rs256(claims, self._signing_key, {"x5t": self._kid, "kid": self._kid})

    def verify_bearer(self, token: str, audiences=None) -> tuple[bool, str]:
        """(True, appid of the caller) or (False, why the token is refused); audiences default to Batch's."""
        try:
            header, claims, signing_input, signature = split_token(token)
        except MalformedToken as exc:
            return False, f"The access token is malformed: {exc}."
        if header.get("kid") != self._kid or not signature_is_valid(self._signing_key.public_key(), header.get("alg"), signing_input, signature):
            return False, "The access token signature is invalid."
        now, exp, nbf = time.time(), claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, (int, float)) or exp <= now:
            return False, f"The access token expired at {_utc(exp)}."
        if isinstance(nbf, (int, float)) and nbf > now:
            return False, f"The access token is not valid before {_utc(nbf)}."
        if claims.get("iss") != self.issuer or claims.get("tid") != self.tenant_id:
            return False, f"The access token issuer '{claims.get('iss')}' is not this tenant."
        if audiences is not None:
            if claims.get("aud") not in audiences:
                return False, f"The access token audience '{claims.get('aud')}' is not one of {', '.join(sorted(audiences))}."
        elif claims.get("aud") not in self.accepted_audiences:
            return False, f"The access token audience '{claims.get('aud')}' is not an Azure Batch resource."
        return True, str(claims.get("appid", ""))

    # ----- HTTP -----
    def handles(self, method: str, path: str) -> bool:
        del method  # a wrong method on a known path is answered by handle(), as Entra does
        path = path.split("?", 1)[0]
        return path == MSI_PATH or any(route[1].match(path) for route in _TENANT_ROUTES)

    def handle(self, method, path, query, headers, body):
        path = path.split("?", 1)[0]
        if path == MSI_PATH:
            return self._managed_identity_endpoint(method, {name: _first(value) for name, value in (query or {}).items()}, headers)
        for route, pattern in _TENANT_ROUTES:
            found = pattern.match(path)
            if found:
                return self._tenant_endpoint(route, found.group("tenant"), method, headers, body or b"")
        return _json_response(404, {"error": "not_found", "error_description": f"No identity endpoint at {path}."})

    def _tenant_endpoint(self, route: str, tenant: str, method: str, headers: dict, body: bytes):
        try:
            if tenant.lower() != self.tenant_id:
                raise EntraError(400, "invalid_tenant", 90002,
                                 f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the "
                                 "correct cloud. Check with your subscription administrator, this may happen if there are no active "
                                 "subscriptions for the tenant.")
            if route == "token":
                return self._token(method, headers, body)
            if method != "GET":
                raise EntraError(400, "invalid_request", 900561, f"The endpoint only accepts GET, OPTIONS requests. Received a {method} request.")
            return _json_response(200, self._openid_configuration() if route == "openid" else {"keys": [self._signing_jwk]})
        except EntraError as err:
            # Entra echoes the client's client-request-id as the correlation id.
            return _aadsts_response(err, headers.get("client-request-id") or str(uuid.uuid4()))

    def _openid_configuration(self) -> dict:
        prefix = f"{self.authority_host}/{self.tenant_id}"
        return {
            "token_endpoint": f"{prefix}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{prefix}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{prefix}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{prefix}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{prefix}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{prefix}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "name", "tid", "ver", "at_hash", "c_hash", "email"],
            "kerberos_endpoint": f"{prefix}/kerberos",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    # ----- POST /{tenant}/oauth2/v2.0/token -----
    def _token(self, method: str, headers: dict, body: bytes):
        if method != "POST":
            raise EntraError(400, "invalid_request", 900561, f"The endpoint only accepts POST, OPTIONS requests. Received a {method} request.")
        form = {name: values[0] for name, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        basic = _basic_credentials(headers.get("authorization"))
        if basic:
            form.setdefault("client_id", basic[0])
            form.setdefault("client_secret", basic[1])
        grant_type = _required(form, "grant_type")
        if grant_type != "client_credentials":
            raise EntraError(400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'.")
        client_id = _required(form, "client_id")
        if client_id.lower() != self.app.client_id:
            raise EntraError(400, "unauthorized_client", 700016,
                             f"Application with identifier '{client_id}' was not found in the directory '{TENANT_NAME}'. This can happen if "
                             "the application has not been installed by the administrator of the tenant or consented to by any user in the "
                             "tenant. You may have sent your authentication request to the wrong tenant.")
        appidacr = self._authenticate_client(form)
        resource = self._resource_of(_required(form, "scope"))
        token = self._issue(self.app, resource, self.token_lifetime, appidacr)
        return _json_response(200, {"token_type": "Bearer", "expires_in": self.token_lifetime, "ext_expires_in": self.token_lifetime,
                                    "access_token": token})

    def _resource_of(self, scope: str) -> str:
        scopes = [s for s in scope.split() if s not in ("openid", "profile", "offline_access")]
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            raise EntraError(400, "invalid_scope", 1002012,
                             f"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with "
                             "/.default suffixed to the resource identifier (application ID URI).")
        return self._known_resource(resource_from_scope(scopes[0]))

    def _known_resource(self, resource: str) -> str:
        if resource not in self.known_resources:
            raise EntraError(400, "invalid_resource", 500011,
                             f"The resource principal named {resource} was not found in the tenant named {TENANT_NAME}. This can happen if "
                             "the application has not been installed by the administrator of the tenant or consented to by any user in "
                             "the tenant. You might have sent your authentication request to the wrong tenant.")
        return resource

    def _authenticate_client(self, form: dict) -> str:
        """Return the token's appidacr: "1" for a client secret, "2" for an assertion."""
        secret, assertion = form.get("client_secret"), form.get("client_assertion")
        if assertion:
            if form.get("client_assertion_type") != JWT_BEARER:
                raise EntraError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_assertion_type'.")
            self._check_assertion(assertion)
            return "2"
        if secret is None:
            raise EntraError(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
        if not hmac.compare_digest(secret.encode(), self.client_secret.encode()):
            raise EntraError(401, "invalid_client", 7000215,
                             "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not "
                             f"the client secret ID, for a secret added to app '{self.app.client_id}'.")
        return "1"

    def _check_assertion(self, assertion: str) -> None:
        try:
            header, claims, signing_input, signature = split_token(assertion)
        except MalformedToken as exc:
            raise EntraError(400, "invalid_request", 50027, "JWT token is invalid or malformed.") from exc
        # As in Entra: an assertion the app signed itself names the app as issuer; anything else is a federated token.
        if str(claims.get("iss", "")).lower() == self.app.client_id:
            self._check_certificate_assertion(header, claims, signing_input, signature)
        else:
            self._check_federated_assertion(header, claims, signing_input, signature)

    def _check_certificate_assertion(self, header, claims, signing_input, signature) -> None:
        try:
            thumbprint = b64url_decode(str(header.get("x5t#S256") or header.get("x5t") or ""))
        except MalformedToken:
            thumbprint = b""
        cert = self._registered_certs.get(thumbprint)
        reason = None
        if cert is None:
            reason = "The key was not found."
        elif not signature_is_valid(cert.public_key(), header.get("alg"), signing_input, signature):
            reason = "The provided signature value did not match the expected signature value."
        if reason:
            shown = thumbprint.hex().upper()
            raise EntraError(401, "invalid_client", 700027,
                             f"Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key used by client: "
                             f"'{shown}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys "
                             f"for app Id '{self.app.client_id}'.]")
        if str(claims.get("sub", "")).lower() != self.app.client_id:
            # The exact code Entra uses for this case is unverified.
            raise EntraError(401, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
        _check_lifetime(claims)
        if urlsplit(str(claims.get("aud", ""))).path.rstrip("/").lower() not in (f"/{self.tenant_id}/oauth2/v2.0/token", f"/{self.tenant_id}/oauth2/token"):
            # The exact code Entra uses for a client assertion with a foreign audience is unverified.
            raise EntraError(401, "invalid_client", 50013, f"Assertion audience claim does not match the required value. The audience in "
                             f"the assertion was '{claims.get('aud')}' and the expected audience is the token endpoint of tenant '{self.tenant_id}'.")

    def _check_federated_assertion(self, header, claims, signing_input, signature) -> None:
        audiences = claims.get("aud") if isinstance(claims.get("aud"), list) else [claims.get("aud")]
        if claims.get("iss") != self.federated_issuer or claims.get("sub") != self.federated_subject or FEDERATION_AUDIENCE not in audiences:
            raise EntraError(400, "invalid_request", 70021,
                             f"No matching federated identity record found for presented assertion. Assertion Issuer: '{claims.get('iss')}'. "
                             f"Assertion Subject: '{claims.get('sub')}'. Assertion Audience: '{','.join(map(str, audiences))}'. "
                             "https://learn.microsoft.com/entra/workload-id/workload-identity-federation")
        # Entra fetches the issuer's JWKS; the emulator holds the issuer's key itself.
        if not signature_is_valid(self._workload_key.public_key(), header.get("alg"), signing_input, signature):
            raise EntraError(401, "invalid_client", 50013, "Assertion failed signature validation. [Reason - The key was not found.]")
        _check_lifetime(claims)

    # ----- GET /msi/token (App Service / Container Apps, api-version 2019-08-01) -----
    def _managed_identity_endpoint(self, method: str, query: dict, headers: dict):
        try:
            return self._managed_identity_token(method, query, headers)
        except ManagedIdentityError as err:
            return _json_response(err.status, {"statusCode": err.status, "message": err.message, "correlationId": str(uuid.uuid4())})

    def _managed_identity_token(self, method: str, query: dict, headers: dict):
        # The status codes and messages of these refusals are unverified, except "Unable to load the proper Managed Identity."
        if method != "GET":
            raise ManagedIdentityError(405, f"The requested resource does not support http method '{method}'.")
        if not hmac.compare_digest(str(headers.get("x-identity-header", "")).encode(), self.identity_header.encode()):
            raise ManagedIdentityError(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.")
        if query.get("api-version") != MSI_API_VERSION:
            raise ManagedIdentityError(400, f"The api-version '{query.get('api-version')}' is not supported; use {MSI_API_VERSION}.")
        if not query.get("resource"):
            raise ManagedIdentityError(400, "The query parameter 'resource' is required.")
        principal = self._managed_identity_for(query)
        try:
            resource = self._known_resource(canonical_resource(query["resource"]))
        except EntraError as err:
            raise ManagedIdentityError(400, f"AADSTS{err.code}: {err.message}") from err
        token = self._issue(principal, resource, self.token_lifetime, "2")
        # App Service sends expires_on as a string of epoch seconds; msal does int(payload["expires_on"]).
        return _json_response(200, {"access_token": token, "expires_on": str(int(time.time()) + self.token_lifetime),
                                    "resource": query["resource"], "token_type": "Bearer", "client_id": principal.client_id})

    def _managed_identity_for(self, query: dict) -> Principal:
        selectors = {name: query[name] for name in ("client_id", "mi_res_id", "object_id", "principal_id") if query.get(name)}
        if len(selectors) > 1:
            raise ManagedIdentityError(400, "Only one of client_id, mi_res_id, object_id and principal_id may be given.")
        if not selectors:
            return self.system_identity
        (name, value), = selectors.items()
        user = self.user_identity
        known = {"client_id": user.client_id, "mi_res_id": user.resource_id, "object_id": user.object_id, "principal_id": user.object_id}
        if value.lower() != known[name].lower():
            raise ManagedIdentityError(400, "Unable to load the proper Managed Identity.")
        return user
