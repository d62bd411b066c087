"""A small Azure Resource Manager surface: the subscriptions a principal sees and their Batch accounts.

Served on the first account's port of a fleet (tests/emulator/fleet.py); the field names, paging and
error bodies follow reference/arm/batch-accounts.md (Microsoft.Batch 2024-07-01, BatchManagement.json):

  GET /subscriptions?api-version=2022-12-01
  GET /subscriptions/{sub}/providers/Microsoft.Batch/batchAccounts?api-version=2024-07-01
  GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Batch/batchAccounts?api-version=2024-07-01

Lists answer {"value": [...], "nextLink": "..."} (ARM paging; the emulator's link carries $skiptoken).
Calls need a Bearer token for the management audience. Role assignments are a table of which principals
(by appid) read which subscription: by default every principal of the tenant reads every subscription.

Admin (no authentication): GET /_fleet/accounts, PUT /_fleet/readers {"<subscription id>": ["<appid>", ...]}
(only those read it; absent subscriptions keep everyone), DELETE /_fleet/readers (everyone reads everything).
"""

import threading
import uuid

from .wire import json_response

MANAGEMENT_AUDIENCES = frozenset(("https://management.azure.com/", "https://management.core.windows.net/"))
# The api-versions the emulator takes; the service takes many more (unverified which exactly per route).
SUBSCRIPTION_API_VERSIONS = ("2016-06-01", "2020-01-01", "2021-01-01", "2022-12-01")
BATCH_API_VERSIONS = ("2023-05-01", "2023-11-01", "2024-02-01", "2024-07-01", "2025-06-01")  # 2025-06-01: azure-mgmt-batch 19
FLEET_ADMIN = "/_fleet"
_ARM_JSON = "application/json; charset=utf-8"


class ArmApi:
    """Answers ARM list calls from a registry of accounts; ``base_url()`` is the management endpoint."""

    def __init__(self, identity_getter, base_url_getter, tenant_id_getter, page_size=2):
        self.identity_getter = identity_getter
        self.base_url = base_url_getter
        self.tenant_id = tenant_id_getter
        self.page_size = page_size
        self._lock = threading.Lock()
        self._subscriptions = {}  # id -> display name, in order of registration
        self._accounts = []
        self._readers = {}  # subscription id -> set of appids; a subscription not here is read by everyone

    # -- registry ---------------------------------------------------------------------------------
    def add_subscription(self, subscription_id, display_name):
        with self._lock:
            self._subscriptions.setdefault(subscription_id, display_name)

    def add_account(self, account):
        """account: name, subscription_id, resource_group, location, endpoint (callable: host[:port]), tags,
        pool_allocation_mode, quotas {dedicatedCoreQuota, lowPriorityCoreQuota, poolQuota, activeJobAndJobScheduleQuota}."""
        with self._lock:
            self._accounts.append(dict(account))

    def set_readers(self, readers):
        with self._lock:
            self._readers = {sub: set(appids) for sub, appids in readers.items()}

    def _can_read(self, subscription_id, appid):
        readers = self._readers.get(subscription_id)
        return readers is None or appid in readers

    # -- HTTP -------------------------------------------------------------------------------------
    @staticmethod
    def handles(path):
        return path == "/subscriptions" or path.startswith(("/subscriptions/", FLEET_ADMIN + "/"))

    def handle(self, request, request_id):
        headers = [("x-ms-request-id", request_id), ("x-ms-correlation-request-id", request_id),
                   ("Cache-Control", "no-cache")]
        if request.raw_path.startswith(FLEET_ADMIN + "/"):
            response = self._admin(request)
        else:
            response = self._arm(request)
        response.headers.extend(headers)
        return response

    def _admin(self, request):
        if request.raw_path == FLEET_ADMIN + "/accounts" and request.method == "GET":
            return json_response(200, {"accounts": [self._render(account) for account in self._accounts]})
        if request.raw_path == FLEET_ADMIN + "/readers" and request.method == "PUT":
            body = request.json() or {}
            if not isinstance(body, dict) or not all(isinstance(v, list) for v in body.values()):
                return json_response(400, {"error": "readers: {\"<subscription id>\": [\"<appid>\", ...]}"})
            self.set_readers(body)
            return json_response(200, {"readers": {k: sorted(v) for k, v in self._readers.items()}})
        if request.raw_path == FLEET_ADMIN + "/readers" and request.method == "DELETE":
            self.set_readers({})
            return json_response(200, {"readers": {}})
        return json_response(404, {"error": f"no fleet admin route {request.method} {request.raw_path}"})

    def _arm(self, request):
        segments = request.segments
        if request.method != "GET":
            # ARM's answer to an unsupported method on a collection is unverified; the code is its usual one.
            return _error(405, "MethodNotAllowed", f"The requested resource does not support http method '{request.method}'.")
        if len(segments) == 1:
            return self._with_auth(request, SUBSCRIPTION_API_VERSIONS, self._list_subscriptions)
        lowered = [segment.lower() for segment in segments]
        tail = ["providers", "microsoft.batch", "batchaccounts"]
        if len(segments) == 5 and lowered[2:] == tail:
            return self._with_auth(request, BATCH_API_VERSIONS, lambda r, appid: self._list_accounts(r, appid, segments[1], None))
        if len(segments) == 7 and lowered[2] == "resourcegroups" and lowered[4:] == tail:
            return self._with_auth(request, BATCH_API_VERSIONS,
                                   lambda r, appid: self._list_accounts(r, appid, segments[1], segments[3]))
        return _error(404, "InvalidResourceType" if len(segments) > 2 else "NotFound",
                      f"The resource type could not be found for {request.raw_path} (only listing is emulated).")

    def _with_auth(self, request, versions, operation):
        version = request.query("api-version")
        if not version:
            return _error(400, "MissingApiVersionParameter",
                          "The api-version query parameter (?api-version=) is required for all requests.")
        if version not in versions:
            # The real message lists every supported version; this one lists the emulator's.
            return _error(400, "InvalidApiVersionParameter",
                          f"The api-version '{version}' is invalid. The supported versions are '{','.join(versions)}'.")
        value = (request.header("authorization") or "").strip()
        scheme, _space, token = value.partition(" ")
        if not value:
            return _error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        if scheme.lower() != "bearer":
            return _error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.")
        identity = self.identity_getter()
        ok, detail = identity.verify_bearer(token.strip(), audiences=MANAGEMENT_AUDIENCES)
        if not ok:
            # ARM answers InvalidAuthenticationToken / InvalidAuthenticationTokenAudience; which one for which case is unverified.
            code = "InvalidAuthenticationTokenAudience" if "audience" in detail else "InvalidAuthenticationToken"
            return _error(401, code, "The access token is invalid. " + detail)
        return operation(request, detail)

    def _list_subscriptions(self, request, appid):
        # ARM lists only the subscriptions the principal holds a role on.
        with self._lock:
            visible = [self._render_subscription(sub, name) for sub, name in self._subscriptions.items() if self._can_read(sub, appid)]
        return self._page(request, visible)

    def _list_accounts(self, request, appid, subscription_id, resource_group):
        with self._lock:
            known = subscription_id.lower() in (sub.lower() for sub in self._subscriptions)
            allowed = known and self._can_read(subscription_id.lower(), appid)
            accounts = [a for a in self._accounts if a["subscription_id"].lower() == subscription_id.lower()
                        and (resource_group is None or a["resource_group"].lower() == resource_group.lower())]
        if not known:
            return _error(404, "SubscriptionNotFound", f"The subscription '{subscription_id}' could not be found.")
        scope = f"/subscriptions/{subscription_id}" + (f"/resourceGroups/{resource_group}" if resource_group else "")
        if not allowed:
            # The message text of the live service; the object id is the principal's, shown here as its appid.
            return _error(403, "AuthorizationFailed",
                          f"The client '{appid}' with object id '{appid}' does not have authorization to perform action "
                          f"'Microsoft.Batch/batchAccounts/read' over scope '{scope}' or the scope is invalid. If access was "
                          "recently granted, please refresh your credentials.")
        return self._page(request, [self._render(account) for account in accounts])

    def _page(self, request, items):
        try:
            start = max(0, int(request.query("$skiptoken") or 0))
        except ValueError:
            return _error(400, "InvalidSkipToken", "The skip token is invalid.")
        document = {"value": items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            document["nextLink"] = (f"{self.base_url()}{request.raw_path}?api-version={request.query('api-version')}"
                                    f"&%24skiptoken={start + self.page_size}")
        return json_response(200, document, content_type=_ARM_JSON)

    def _render_subscription(self, subscription_id, display_name):
        return {"id": f"/subscriptions/{subscription_id}", "authorizationSource": "RoleBased", "managedByTenants": [],
                "subscriptionId": subscription_id, "tenantId": self.tenant_id(), "displayName": display_name,
                "state": "Enabled",
                "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01",
                                         "spendingLimit": "Off"}}

    @staticmethod
    def _render(account):
        properties = {"accountEndpoint": account["endpoint"](), "provisioningState": "Succeeded",
                      "poolAllocationMode": account.get("pool_allocation_mode", "BatchService"),
                      "publicNetworkAccess": "Enabled", "dedicatedCoreQuotaPerVMFamilyEnforced": False}
        quotas = dict(account.get("quotas") or {})
        if properties["poolAllocationMode"] == "UserSubscription":
            # BatchManagement.json: with UserSubscription the core quotas live on the subscription and are not returned.
            quotas.pop("dedicatedCoreQuota", None)
            quotas.pop("lowPriorityCoreQuota", None)
        properties.update(quotas)
        rid = (f"/subscriptions/{account['subscription_id']}/resourceGroups/{account['resource_group']}"
               f"/providers/Microsoft.Batch/batchAccounts/{account['name']}")
        document = {"id": rid, "name": account["name"], "type": "Microsoft.Batch/batchAccounts",
                    "location": account["location"], "identity": {"type": "None"}, "properties": properties}
        if account.get("tags"):
            document["tags"] = dict(account["tags"])
        return document


def _error(status, code, message):
    return json_response(status, {"error": {"code": code, "message": message}}, content_type=_ARM_JSON)


def new_subscription_id():
    return str(uuid.uuid4())
