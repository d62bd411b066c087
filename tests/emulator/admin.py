"""The admin API (no authentication, prefix /_admin): seed and inspect state, configure, inject faults."""

import collections
import dataclasses
import threading
import time

from .store import SeedError
from .wire import iso7, json_response

REQUEST_LOG_LIMIT = 100_000


@dataclasses.dataclass
class Config:
    """Settings the admin API can change while the emulator runs."""

    terminate_delay: float = 1.0  # seconds a terminated job stays "terminating"
    latency_ms: int = 0  # added before every Batch API answer
    page_size: int = 1000  # most items in one list page (maxresults may ask for fewer)
    subtask_delay: float = 1.0  # seconds a multi-instance task's subtasks run on after their primary ended

    def update(self, changes):
        checks = {"terminate_delay": (float, 0.0, None), "latency_ms": (int, 0, None), "page_size": (int, 1, 1000),
                  "subtask_delay": (float, 0.0, None)}
        parsed = {}
        for name, value in changes.items():
            if name not in checks:
                raise SeedError(f"unknown setting {name!r}; known: {', '.join(checks)}")
            kind, low, high = checks[name]
            try:
                number = kind(value)
            except (TypeError, ValueError) as exc:
                raise SeedError(f"{name} must be a number") from exc
            if number < low or (high is not None and number > high):
                raise SeedError(f"{name} must be at least {low}" + (f" and at most {high}" if high is not None else ""))
            parsed[name] = number
        for name, value in parsed.items():
            setattr(self, name, value)


class RequestLog:
    """Every Batch and identity request the emulator received, oldest first."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=REQUEST_LOG_LIMIT)
        self._seq = 0

    def add(self, **entry):
        with self._lock:
            self._seq += 1
            self._entries.append({"seq": self._seq, "time": iso7(time.time()), **entry})

    def entries(self):
        with self._lock:
            return list(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()


class AdminApi:  # pylint: disable=too-many-instance-attributes
    """Routes under /_admin. Answers are JSON; errors are {"error": "..."} with 400/404/405/409/501."""

    def __init__(self, store, config, faults, request_log, identity_getter):
        self.store = store
        self.config = config
        self.default_config = dataclasses.replace(config)
        self.faults = faults
        self.request_log = request_log
        self.identity_getter = identity_getter
        self.routes = {
            ("reset",): {"POST": self.reset},
            ("seed",): {"POST": self.seed},
            ("jobs",): {"GET": self.list_jobs, "POST": self.add_job},
            ("jobs", "*"): {"PATCH": self.patch_job, "DELETE": self.delete_job},
            ("jobs", "*", "tasks"): {"POST": self.add_tasks},
            ("jobs", "*", "tasks", "*"): {"PATCH": self.patch_task, "DELETE": self.delete_task},
            ("jobschedules",): {"GET": self.list_job_schedules, "POST": self.add_job_schedule},
            ("jobschedules", "*"): {"PATCH": self.patch_job_schedule},
            ("requests",): {"GET": self.requests, "DELETE": self.clear_requests},
            ("config",): {"GET": self.get_config, "PUT": self.put_config},
            ("faults",): {"GET": self.get_faults, "PUT": self.put_faults, "DELETE": self.clear_faults},
            ("token",): {"POST": self.token},
        }

    def handle(self, request):
        segments = request.segments[1:]  # drop "_admin"
        for shape, methods in self.routes.items():
            if len(shape) == len(segments) and all(s in ("*", seg) for s, seg in zip(shape, segments)):
                if request.method not in methods:
                    return json_response(405, {"error": f"{request.method} is not allowed here"})
                args = [seg for s, seg in zip(shape, segments) if s == "*"]
                try:
                    body = request.json() or {}
                    if not isinstance(body, dict):
                        raise SeedError("the body must be a JSON object")
                    return methods[request.method](body, *args)
                except SeedError as exc:
                    return json_response(exc.status, {"error": str(exc)})
                except (ValueError, TypeError, KeyError) as exc:
                    return json_response(400, {"error": f"bad request: {exc}"})
        return json_response(404, {"error": f"no admin route {request.raw_path}"})

    def reset(self, _body):
        self.store.reset()
        self.request_log.clear()
        self.faults.clear()
        self.config.update(dataclasses.asdict(self.default_config))
        return json_response(200, {"reset": True})

    def seed(self, body):
        schedules = _list_of(body, "jobSchedules") if "jobSchedules" in body else []
        jobs, tasks = self.store.seed(_list_of(body, "jobs") if "jobs" in body or not schedules else [], schedules)
        return json_response(200, {"jobs": jobs, "tasks": tasks})

    def list_jobs(self, _body):
        return json_response(200, {"jobs": self.store.summary()})

    def add_job(self, body):
        tasks = self.store.add_job(body)
        return json_response(201, {"id": body.get("id"), "tasks": tasks})

    def add_tasks(self, body, job_id):
        specs = _list_of(body, "tasks") if "tasks" in body else [body]
        return json_response(201, {"tasks": self.store.add_tasks(job_id, specs)})

    def patch_job(self, body, job_id):
        self.store.set_job_state(job_id, _state(body), body.get("complete_after"), body.get("terminateReason"))
        return json_response(200, {"id": job_id, "state": body["state"]})

    def patch_task(self, body, job_id, task_id):
        self.store.set_task_state(job_id, task_id, _state(body), body.get("result"), body.get("exitCode"))
        return json_response(200, {"id": task_id, "state": body["state"]})

    def delete_job(self, _body, job_id):
        self.store.delete_job(job_id)
        return json_response(200, {"deleted": job_id})

    def delete_task(self, _body, job_id, task_id):
        self.store.delete_task(job_id, task_id)
        return json_response(200, {"deleted": task_id})

    def list_job_schedules(self, _body):
        return json_response(200, {"jobSchedules": self.store.schedule_summary()})

    def add_job_schedule(self, body):
        return json_response(201, {"id": body.get("id"), "jobs": self.store.add_job_schedule(body)})

    def patch_job_schedule(self, body, schedule_id):
        self.store.set_job_schedule_state(schedule_id, _state(body), body.get("complete_after"))
        return json_response(200, {"id": schedule_id, "state": body["state"]})

    def requests(self, _body):
        return json_response(200, {"requests": self.request_log.entries()})

    def clear_requests(self, _body):
        self.request_log.clear()
        return json_response(200, {"cleared": True})

    def get_config(self, _body):
        return json_response(200, dataclasses.asdict(self.config))

    def put_config(self, body):
        self.config.update(body)
        return json_response(200, dataclasses.asdict(self.config))

    def get_faults(self, _body):
        return json_response(200, self.faults.describe())

    def put_faults(self, body):
        self.faults.configure(body)
        return json_response(200, self.faults.describe())

    def clear_faults(self, _body):
        self.faults.clear()
        return json_response(200, self.faults.describe())

    def token(self, body):
        identity = self.identity_getter()
        if identity is None:
            return json_response(501, {"error": "the identity provider is not available"})
        expires_in = int(body.get("expires_in", 3600))
        token = identity.mint_token(audience=body.get("audience") or "https://batch.core.windows.net/", expires_in=expires_in)
        return json_response(200, {"access_token": token, "token_type": "Bearer", "expires_in": expires_in})


def _list_of(body, key):
    value = body.get(key)
    if not isinstance(value, list):
        raise SeedError(f"{key!r} must be a list")
    return value


def _state(body):
    if "state" not in body:
        raise SeedError("'state' is required")
    return body["state"]
