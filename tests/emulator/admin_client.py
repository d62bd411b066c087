"""AdminClient: the emulator's admin API from Python (requests-based)."""

import requests


class AdminError(Exception):
    """The admin API refused a call; ``status`` is its HTTP status."""

    def __init__(self, status, message):
        super().__init__(f"{status}: {message}")
        self.status = status


class AdminClient:
    """Seed, inspect and configure a running emulator. Every method returns the parsed JSON answer."""

    def __init__(self, base_url, ca_path, timeout=30):
        self.base_url = base_url.rstrip("/") + "/_admin"
        self.timeout = timeout
        self.ca_path = ca_path
        self.session = requests.Session()

    def close(self):
        self.session.close()

    def call(self, method, path, body=None):
        response = self.session.request(method, self.base_url + path, json=body, timeout=self.timeout,
                                        verify=self.ca_path)  # per call: REQUESTS_CA_BUNDLE would beat Session.verify
        try:
            document = response.json()
        except ValueError:
            document = {"error": response.text}
        if response.status_code >= 400:
            raise AdminError(response.status_code, document.get("error", response.text))
        return document

    # state
    def reset(self):
        return self.call("POST", "/reset")

    def seed(self, jobs, job_schedules=()):
        """Replace all jobs, tasks and job schedules: ``[{"id", "state", "poolId"?, "creationTime"?, "tasks": [{"id",
        "state"}]}]``; a schedule is ``{"id", "state", "jobs": [job, ...]}``, its last job being its recentJob."""
        return self.call("POST", "/seed", {"jobs": list(jobs), "jobSchedules": list(job_schedules)})

    def add_job_schedule(self, schedule_id, state="active", jobs=None, **fields):
        return self.call("POST", "/jobschedules", {"id": schedule_id, "state": state, "jobs": list(jobs or []), **fields})

    def set_job_schedule_state(self, schedule_id, state, **fields):
        """Put a schedule in a state (``complete_after`` seconds lets a terminating schedule with no job complete)."""
        return self.call("PATCH", f"/jobschedules/{schedule_id}", {"state": state, **fields})

    def job_schedules(self):
        """Every job schedule with its state, recent job and jobs."""
        return self.call("GET", "/jobschedules")["jobSchedules"]

    def add_job(self, job_id, state="active", tasks=None, **fields):
        return self.call("POST", "/jobs", {"id": job_id, "state": state, "tasks": list(tasks or []), **fields})

    def add_tasks(self, job_id, tasks):
        return self.call("POST", f"/jobs/{job_id}/tasks", {"tasks": list(tasks)})

    def set_job_state(self, job_id, state, **fields):
        """Put a job in a state (``complete_after`` seconds lets a terminating job complete)."""
        return self.call("PATCH", f"/jobs/{job_id}", {"state": state, **fields})

    def set_task_state(self, job_id, task_id, state, **fields):
        return self.call("PATCH", f"/jobs/{job_id}/tasks/{task_id}", {"state": state, **fields})

    def delete_job(self, job_id):
        """Remove a job and its tasks, as if a delete had just finished."""
        return self.call("DELETE", f"/jobs/{job_id}")

    def delete_task(self, job_id, task_id):
        return self.call("DELETE", f"/jobs/{job_id}/tasks/{task_id}")

    def jobs(self):
        """Every job with its state and its tasks' states."""
        return self.call("GET", "/jobs")["jobs"]

    # request log
    def requests(self):
        return self.call("GET", "/requests")["requests"]

    def clear_requests(self):
        return self.call("DELETE", "/requests")

    # settings and faults
    def config(self, **settings):
        """Change terminate_delay, latency_ms, page_size or subtask_delay; with no arguments, read them."""
        return self.call("PUT", "/config", settings) if settings else self.call("GET", "/config")

    def set_faults(self, rules=None, random=None):
        return self.call("PUT", "/faults", {"rules": list(rules or []), "random": random})

    def faults(self):
        return self.call("GET", "/faults")

    def clear_faults(self):
        return self.call("DELETE", "/faults")

    def token(self, audience=None, expires_in=3600):
        """A Bearer token the Batch API accepts."""
        body = {"expires_in": expires_in}
        if audience:
            body["audience"] = audience
        return self.call("POST", "/token", body)["access_token"]
