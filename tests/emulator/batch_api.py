"""The Batch data-plane routes: get/list jobs, tasks and job schedules, terminate them, list subtasks; task counts,
patch, disable and enable of jobs, patch of job schedules."""

import base64
from urllib.parse import quote, urlencode

from .errors import BEARER_FAILED_MESSAGE, BatchApiError, detail, error_document, query_value_error
from .odata import (JOB_PROPERTIES, JOB_SCHEDULE_PROPERTIES, SUBTASK_PROPERTIES, TASK_PROPERTIES, ODataError,
                    apply_select, parse_filter, parse_select)
from .store import DISABLE_TASKS, JOB_PATCH_PROPERTIES, JOB_SCHEDULE_PATCH_PROPERTIES
from .wire import Response, http_date, iso7, json_response, parse_http_date

# 2025-06-01 is what azure-batch 15.x sends; that the service takes it without ".21.0" is unverified.
API_VERSIONS = ("2024-02-01.19.0", "2024-07-01.20.0", "2025-06-01.21.0", "2025-06-01")
FORCE_SINCE = "2024-07-01"  # Job_Terminate and JobSchedule_Terminate gained force in 2024-07-01.20.0
ODATA_JSON = "application/json;odata=minimalmetadata"
MAX_RESULTS = 1000
EXPANDABLE = ("stats",)

CONDITION_HEADERS = ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since")
# Documented pairs that may come together; the first named wins.
CONDITION_PAIRS = {frozenset(("if-none-match", "if-modified-since")): "if-none-match",
                   frozenset(("if-match", "if-unmodified-since")): "if-match"}
READ_NOT_MODIFIED = ("if-none-match", "if-modified-since")  # unmet on a read gives 304, the others 412


class BatchApi:
    """Answers Batch API requests from the store; ``base_url()`` is the account endpoint."""

    def __init__(self, store, config, shared_key, identity_getter, base_url):
        self.store = store
        self.config = config
        self.shared_key = shared_key
        self.identity_getter = identity_getter
        self.base_url = base_url
        self.routes = {
            ("jobs",): {"GET": self.list_jobs},
            ("jobs", "*"): {"GET": self.get_job, "PATCH": self.patch_job},
            ("jobs", "*", "terminate"): {"POST": self.terminate_job},
            ("jobs", "*", "disable"): {"POST": self.disable_job},
            ("jobs", "*", "enable"): {"POST": self.enable_job},
            ("jobs", "*", "taskcounts"): {"GET": self.get_task_counts},
            ("jobs", "*", "tasks"): {"GET": self.list_tasks},
            ("jobs", "*", "tasks", "*"): {"GET": self.get_task},
            ("jobs", "*", "tasks", "*", "terminate"): {"POST": self.terminate_task},
            ("jobs", "*", "tasks", "*", "subtasksinfo"): {"GET": self.list_subtasks},
            ("jobschedules",): {"GET": self.list_job_schedules},
            ("jobschedules", "*"): {"GET": self.get_job_schedule, "PATCH": self.patch_job_schedule},
            ("jobschedules", "*", "terminate"): {"POST": self.terminate_job_schedule},
            ("jobschedules", "*", "jobs"): {"GET": self.list_jobs_of_schedule},
        }

    def handle(self, request, request_id):
        scheme = None
        try:
            operation, args = self._route(request)
            self._check_api_version(request)
            scheme = self._authenticate(request)
            self._check_timeout(request)
            response = operation(request, *args)
        except BatchApiError as error:
            response = self.error_response(error, request_id)
        response.auth_scheme = scheme
        response.headers.extend(self.common_headers(request, request_id))
        return response

    # -- plumbing ----------------------------------------------------------------------------------
    def common_headers(self, request, request_id):
        headers = [("request-id", request_id), ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
                   ("X-Content-Type-Options", "nosniff"), ("DataServiceVersion", "3.0")]
        if (request.header("return-client-request-id") or "").lower() == "true" and request.header("client-request-id"):
            headers.append(("client-request-id", request.header("client-request-id")))
        return headers

    def error_response(self, error, request_id):
        """The answer for a BatchApiError (a 304 carries no body). Common headers are not added."""
        if error.status == 304:
            return Response(status=304, headers=list(error.headers), error_code=error.code)
        response = json_response(error.status, error_document(self.base_url(), error, request_id, self.store.clock()),
                                 error.headers, ODATA_JSON)
        response.reason, response.error_code = error.message, error.code
        return response

    def _route(self, request):
        segments = request.segments
        for shape, methods in self.routes.items():
            if len(shape) == len(segments) and all(s in ("*", seg) for s, seg in zip(shape, segments)):
                if request.method not in methods:
                    raise BatchApiError("UnsupportedHttpVerb")
                args = [seg for s, seg in zip(shape, segments) if s == "*"]
                return methods[request.method], args
        raise BatchApiError("InvalidUri")

    @staticmethod
    def _check_api_version(request):
        version = request.query("api-version")
        if version is None:
            raise query_value_error("MissingRequiredQueryParameter", "api-version", None)
        if version not in API_VERSIONS:
            # Seen live for an unknown version (azure-sdk-for-python issue 19224); the Reason text is unverified.
            raise query_value_error("InvalidQueryParameterValue", "api-version", version, "The specified api-version is not supported.")

    def _authenticate(self, request):
        value = request.header("authorization")
        if not value:
            # Unverified: the service's answer to a request without credentials.
            raise BatchApiError("AuthenticationFailed", [detail("AuthenticationErrorDetail", "The Authorization header is missing.")],
                                status=401)
        scheme, _space, credentials = value.strip().partition(" ")
        if scheme == "SharedKey":
            self.shared_key.verify(request.method, request.raw_path, request.raw_query, request.headers, credentials.strip())
            return scheme
        if scheme.lower() == "bearer":
            identity = self.identity_getter()
            ok, reason = identity.verify_bearer(credentials.strip()) if identity else (False, "Bearer tokens are not available.")
            if not ok:
                raise BatchApiError("AuthenticationFailed", [detail("AuthenticationErrorDetail", reason)],
                                    message=BEARER_FAILED_MESSAGE, status=401)
            return "Bearer"
        raise BatchApiError("InvalidAuthenticationInfo")

    @staticmethod
    def _check_timeout(request):
        # 2025-06-01.21.0 names it timeOut, older versions timeout; names are matched case-insensitively.
        # Over 30 is allowed: the spec says the service then uses its default of 30.
        value = request.query("timeout")
        if value is not None and (not value.isdigit() or int(value) < 1):
            raise query_value_error("InvalidQueryParameterValue", "timeout", value)

    @staticmethod
    def _conditions(request):
        present = [name for name in CONDITION_HEADERS if request.header(name) is not None]
        if len(present) > 1:
            if frozenset(present) not in CONDITION_PAIRS:
                raise BatchApiError("MultipleConditionHeadersNotSupported")
            present = [CONDITION_PAIRS[frozenset(present)]]
        if not present:
            return None
        name = present[0]
        value = request.header(name)
        if name.endswith("since"):
            when = parse_http_date(value)
            if when is None:
                raise BatchApiError("InvalidHeaderValue", [detail("HeaderName", name.title()), detail("HeaderValue", value)])
            return name, when
        return name, {tag.strip().removeprefix("W/").strip('"') for tag in value.split(",")}

    def _checker(self, request, write):
        condition = self._conditions(request)

        def check(etag, modified):
            if condition is None or _condition_met(condition, etag, modified):
                return
            status = 304 if not write and condition[0] in READ_NOT_MODIFIED else 412
            headers = [("ETag", etag), ("Last-Modified", http_date(modified))] if status == 304 else []
            raise BatchApiError("ConditionNotMet", status=status, headers=headers)
        return check

    # -- operations --------------------------------------------------------------------------------
    def get_job(self, request, job_id):
        return self._get(request, self.store.get_job(job_id), "jobs", JOB_PROPERTIES)

    def get_task(self, request, job_id, task_id):
        return self._get(request, self.store.get_task(job_id, task_id), "tasks", TASK_PROPERTIES)

    def list_jobs(self, request):
        return self._list(request, self.store.list_jobs(), "jobs", JOB_PROPERTIES)

    def list_tasks(self, request, job_id):
        return self._list(request, self.store.list_tasks(job_id), "tasks", TASK_PROPERTIES)

    def terminate_job(self, request, job_id):
        force = self._force(request)
        reason = _terminate_reason(request)
        snapshot = self.store.terminate_job(job_id, reason, force, self._checker(request, write=True))
        return _accepted(202, snapshot)

    def terminate_task(self, request, job_id, task_id):
        return _accepted(204, self.store.terminate_task(job_id, task_id, self._checker(request, write=True)))

    def get_task_counts(self, request, job_id):
        """Job - Get Task Counts: TaskCountsResult."""
        counts, slots = self.store.get_task_counts(job_id)
        doc = {"odata.metadata": f"{self.base_url()}/$metadata#taskcountsresult/@Element",
               "taskCounts": counts, "taskSlotCounts": slots}
        return json_response(200, doc, content_type=ODATA_JSON)

    def patch_job(self, request, job_id):
        changes = _patch_body(request, JOB_PATCH_PROPERTIES)
        return _updated(self.store.patch_job(job_id, changes, self._checker(request, write=True)))

    def disable_job(self, request, job_id):
        body = _object_body(request)
        disable_tasks = body.get("disableTasks")
        if disable_tasks is None:
            raise BatchApiError("MissingRequiredProperty", [detail("PropertyName", "disableTasks")])
        if disable_tasks not in DISABLE_TASKS:
            raise BatchApiError("InvalidPropertyValue", [detail("PropertyName", "disableTasks"),
                                                         detail("PropertyValue", str(disable_tasks))])
        snapshot = self.store.disable_job(job_id, disable_tasks, self._checker(request, write=True))
        return _accepted(202, snapshot, "/disable")

    def enable_job(self, request, job_id):
        return _accepted(202, self.store.enable_job(job_id, self._checker(request, write=True)), "/enable")

    def patch_job_schedule(self, request, schedule_id):
        changes = _patch_body(request, JOB_SCHEDULE_PATCH_PROPERTIES)
        return _updated(self.store.patch_job_schedule(schedule_id, changes, self._checker(request, write=True)))

    def get_job_schedule(self, request, schedule_id):
        return self._get(request, self.store.get_job_schedule(schedule_id), "jobschedules", JOB_SCHEDULE_PROPERTIES)

    def list_job_schedules(self, request):
        return self._list(request, self.store.list_job_schedules(), "jobschedules", JOB_SCHEDULE_PROPERTIES)

    def list_jobs_of_schedule(self, request, schedule_id):
        return self._list(request, self.store.list_jobs_of_schedule(schedule_id), "jobs", JOB_PROPERTIES)

    def terminate_job_schedule(self, request, schedule_id):
        force = self._force(request)
        return _accepted(202, self.store.terminate_job_schedule(schedule_id, force, self._checker(request, write=True)))

    def list_subtasks(self, request, job_id, task_id):
        """Task - List Subtasks: one page, $select only (no $filter, no paging in the spec)."""
        shape = self._shaper(request, SUBTASK_PROPERTIES, None)
        doc = {"odata.metadata": f"{self.base_url()}/$metadata#subtaskinfos",
               "value": [shape(snapshot) for snapshot in self.store.list_subtasks(job_id, task_id)]}
        return json_response(200, doc, content_type=ODATA_JSON)

    def _get(self, request, snapshot, collection, properties):
        shape = self._shaper(request, properties, f"{collection}/@Element")
        self._checker(request, write=False)(snapshot.etag, snapshot.modified)
        return json_response(200, shape(snapshot), [("ETag", snapshot.etag), ("Last-Modified", http_date(snapshot.modified))], ODATA_JSON)

    def _list(self, request, snapshots, collection, properties):
        shape = self._shaper(request, properties, None)
        predicate = _parse(request, "$filter", parse_filter) if request.query("$filter") else None
        page_size = min(self._max_results(request), int(self.config.page_size))
        after = _read_skiptoken(request.query("$skiptoken"))
        matched = [s for s in snapshots if (predicate is None or predicate(s.fields)) and s.fields["id"].lower() > after]
        page = matched[:page_size]
        doc = {"odata.metadata": f"{self.base_url()}/$metadata#{collection}", "value": [shape(s) for s in page]}
        if len(matched) > page_size:
            doc["odata.nextLink"] = self._next_link(request, page[-1].fields["id"].lower())
        return json_response(200, doc, content_type=ODATA_JSON)

    def _shaper(self, request, properties, element):
        """A function rendering one snapshot as $select and $expand ask (both checked up front)."""
        selected = _parse(request, "$select", lambda text: parse_select(text, properties)) if request.query("$select") else None
        expand = bool(_parse(request, "$expand", _expand)) if request.query("$expand") else False
        now = iso7(self.store.clock())

        def shape(snapshot):
            doc = dict(snapshot.doc)
            if expand:
                doc["stats"] = _zero_stats(doc["url"], doc["creationTime"], now, properties is JOB_PROPERTIES)
            if element:
                doc = {"odata.metadata": f"{self.base_url()}/$metadata#{element}", **doc}
            return apply_select(doc, selected) if selected else doc
        return shape

    @staticmethod
    def _max_results(request):
        value = request.query("maxresults")
        if value is None:
            return MAX_RESULTS
        if not value.isdigit():
            raise query_value_error("InvalidQueryParameterValue", "maxresults", value)
        if not 1 <= int(value) <= MAX_RESULTS:
            # Unverified: whether the service rejects or clamps a value over 1000.
            raise query_value_error("OutOfRangeQueryParameterValue", "maxresults", value)
        return int(value)

    def _next_link(self, request, last_id):
        pairs = [(name, value) for name, value in request.query_pairs if name.lower() != "$skiptoken"]
        token = base64.urlsafe_b64encode(last_id.encode("utf-8")).decode("ascii").rstrip("=")
        pairs.append(("$skiptoken", token))
        return f"{self.base_url()}{request.raw_path}?{urlencode(pairs, quote_via=quote, safe='$')}"

    @staticmethod
    def _force(request):
        value = request.query("force")
        if value is None:
            return False
        if request.query("api-version")[:10] < FORCE_SINCE:
            raise query_value_error("UnsupportedQueryParameter", "force", value)
        if value.lower() not in ("true", "false"):
            raise query_value_error("InvalidQueryParameterValue", "force", value)
        return value.lower() == "true"


def _accepted(status, snapshot, action="/terminate"):
    """The empty answer of a terminate (disable, enable): the resource's new ETag and Last-Modified, and DataServiceId."""
    return Response(status=status, headers=[("ETag", snapshot.etag), ("Last-Modified", http_date(snapshot.modified)),
                                            ("DataServiceId", snapshot.doc["url"] + action)])


def _updated(snapshot):
    """The answer of a patch: 200, no body (the spec defines none), the new ETag and Last-Modified."""
    return Response(status=200, headers=[("ETag", snapshot.etag), ("Last-Modified", http_date(snapshot.modified)),
                                         ("DataServiceId", snapshot.doc["url"])])


def _object_body(request):
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise BatchApiError("InvalidRequestBody") from exc
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BatchApiError("InvalidRequestBody")
    return body


def _patch_body(request, properties):
    """The properties of a patch body the emulator keeps; others are ignored (the service may refuse unknown ones)."""
    return {key: value for key, value in _object_body(request).items() if key in properties}


def _condition_met(condition, etag, modified):
    name, wanted = condition
    if name == "if-match":
        return "*" in wanted or etag in wanted
    if name == "if-none-match":
        return "*" not in wanted and etag not in wanted
    if name == "if-modified-since":
        return int(modified) > wanted
    return int(modified) <= wanted


def _terminate_reason(request):
    reason = _object_body(request).get("terminateReason")
    if reason is not None and not isinstance(reason, str):
        raise BatchApiError("InvalidRequestBody")
    return reason


def _parse(request, name, parser):
    text = request.query(name)
    if text is None:
        return None
    try:
        return parser(text)
    except ODataError as exc:
        # Unverified: the exact code and detail values for an unsupported OData clause.
        raise query_value_error("InvalidQueryParameterValue", name, text, str(exc)) from exc


def _expand(text):
    names = [name.strip() for name in text.split(",")]
    for name in names:
        if name not in EXPANDABLE:
            raise ODataError(f"The property '{name}' cannot be expanded")
    return names


def _zero_stats(url, start, now, is_job):
    """Statistics of a resource that used no resources (the emulator runs nothing)."""
    stats = {"url": f"{url}/stats", "startTime": start, "lastUpdateTime": now, "userCPUTime": "PT0S",
             "kernelCPUTime": "PT0S", "wallClockTime": "PT0S", "readIOps": 0, "writeIOps": 0,
             "readIOGiB": 0.0, "writeIOGiB": 0.0}
    if is_job:
        stats.update(numSucceededTasks=0, numFailedTasks=0, numTaskRetries=0)
    stats["waitTime"] = "PT0S"
    return stats


def _read_skiptoken(token):
    if token is None:
        return ""
    try:
        return base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:  # binascii.Error is a ValueError
        raise query_value_error("InvalidQueryParameterValue", "$skiptoken", token) from exc
