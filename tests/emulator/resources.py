"""How jobs and tasks look on the wire (CloudJob, CloudTask), rendered from their records."""

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from .wire import iso7

MAX_WALL_CLOCK_TIME = "P10675199DT2H48M5.4775807S"
DEFAULT_POOL_ID = "emulator-pool"


@dataclass
class Snapshot:
    """A rendered resource plus what the routes need beside the body."""

    doc: dict
    etag: str
    modified: float
    fields: dict  # filterable values: id, state, creationTime, stateTransitionTime (epoch seconds)


class _Resource:  # pylint: disable=too-many-instance-attributes
    def __init__(self, rid, state, created, extra):
        self.id = rid
        self.state = state
        self.creation_time = created
        self.state_time = created
        self.previous_state = None
        self.previous_state_time = None
        self.modified = created
        self.etag = ""
        self.extra = extra

    def move_to(self, state, when):
        self.previous_state, self.previous_state_time = self.state, self.state_time
        self.state, self.state_time = state, when

    def head(self, url):
        doc = {"id": self.id, "url": url, "eTag": self.etag, "lastModified": iso7(self.modified),
               "creationTime": iso7(self.creation_time), "state": self.state, "stateTransitionTime": iso7(self.state_time)}
        if self.previous_state:
            doc["previousState"] = self.previous_state
            doc["previousStateTransitionTime"] = iso7(self.previous_state_time)
        return doc

    def fields(self):
        return {"id": self.id, "state": self.state, "creationTime": self.creation_time, "stateTransitionTime": self.state_time}

    def with_extras(self, doc, defaults):
        for key, value in defaults.items():
            doc[key] = self.extra.get(key, value)
        for key, value in self.extra.items():
            doc.setdefault(key, value)
        return doc


class Subtask:  # pylint: disable=too-many-instance-attributes
    """One subtask of a multi-instance task (SubtaskInformation). Its states are preparing, running, completed."""

    def __init__(self, number, state, when):
        self.id = number
        self.state = state
        self.state_time = when
        self.previous_state = None
        self.previous_state_time = None
        self.start_time = when if state != "preparing" else None
        self.end_time = None
        self.exit_code = None
        self.failure_info = None
        self.result = None
        self.complete_at = None  # set when its primary ends: the service ends subtasks in the background

    def render(self, base_url, pool_id, job_id, task_id):
        doc = {"id": self.id, "nodeInfo": _node_info(base_url, pool_id, job_id, f"{task_id}/{self.id}")}
        if self.start_time is not None:
            doc["startTime"] = iso7(self.start_time)
        if self.end_time is not None:
            doc["endTime"] = iso7(self.end_time)
        if self.exit_code is not None:
            doc["exitCode"] = self.exit_code
        if self.failure_info:
            doc["failureInfo"] = dict(self.failure_info)
        doc["state"] = self.state
        doc["stateTransitionTime"] = iso7(self.state_time)
        if self.previous_state:
            doc["previousState"] = self.previous_state
            doc["previousStateTransitionTime"] = iso7(self.previous_state_time)
        if self.result:
            doc["result"] = self.result
        return doc


class Task(_Resource):  # pylint: disable=too-many-instance-attributes
    def __init__(self, rid, state, created, extra):
        super().__init__(rid, state, created, extra)
        self.command_line = extra.pop("commandLine", "/bin/sh -c 'sleep 3600'")
        self.start_time = None
        self.end_time = None
        self.exit_code = None
        self.result = None
        self.failure_info = None
        self.pool_id = DEFAULT_POOL_ID
        self.subtasks = []  # multi-instance tasks only
        self.requeue_count = 0  # how often Job - Disable (requeue) put it back to active

    def render(self, base_url, job_id):
        url = f"{base_url}/jobs/{quote(job_id, safe='')}/tasks/{quote(self.id, safe='')}"
        doc = self.head(url)
        doc = self.with_extras(doc, {
            "commandLine": self.command_line,
            "userIdentity": {"autoUser": {"scope": "pool", "elevationLevel": "nonadmin"}},
            "constraints": {"maxWallClockTime": MAX_WALL_CLOCK_TIME, "retentionTime": "P7D", "maxTaskRetryCount": 0},
            "requiredSlots": 1,
        })
        doc["executionInfo"] = self._execution_info()
        if self.start_time is not None:
            doc["nodeInfo"] = self._node_info(base_url, job_id)
        return doc

    def _execution_info(self):
        info = {}
        if self.start_time is not None:
            info["startTime"] = iso7(self.start_time)
        if self.end_time is not None:
            info["endTime"] = iso7(self.end_time)
        if self.exit_code is not None:
            info["exitCode"] = self.exit_code
        if self.failure_info:
            info["failureInfo"] = dict(self.failure_info)
        info["retryCount"] = 0
        info["requeueCount"] = self.requeue_count
        if self.result:
            info["result"] = self.result
        return info

    def _node_info(self, base_url, job_id):
        return _node_info(base_url, self.pool_id, job_id, self.id)


class Job(_Resource):  # pylint: disable=too-many-instance-attributes
    def __init__(self, rid, state, created, extra):
        super().__init__(rid, state, created, extra)
        self.pool_id = extra.pop("poolId", DEFAULT_POOL_ID)
        self.end_time = None
        self.terminate_reason = None
        self.pending_reason = None
        self.complete_at = None
        self.schedule_id = None  # the job schedule that made this job, if any
        self.disable_tasks = None  # disableTasks of the last Job - Disable
        self.settle_at = None  # when disabling becomes disabled, enabling active
        self.armed_at = None  # when onAllTasksComplete became terminatejob
        self.tasks = {}

    def render(self, base_url):
        doc = self.head(f"{base_url}/jobs/{quote(self.id, safe='')}")
        doc = self.with_extras(doc, {
            "priority": 0, "maxParallelTasks": -1, "allowTaskPreemption": False, "usesTaskDependencies": False,
            "constraints": {"maxWallClockTime": MAX_WALL_CLOCK_TIME, "maxTaskRetryCount": 0},
            "poolInfo": {"poolId": self.pool_id},
        })
        info = {"startTime": iso7(self.creation_time)}
        if self.end_time is not None:
            info["endTime"] = iso7(self.end_time)
        info["poolId"] = self.pool_id
        if self.terminate_reason is not None:
            info["terminateReason"] = self.terminate_reason
        doc["executionInfo"] = info
        doc.setdefault("onAllTasksComplete", "noaction")
        doc.setdefault("onTaskFailure", "noaction")
        return doc


class JobSchedule(_Resource):  # pylint: disable=too-many-instance-attributes
    """A job schedule (CloudJobSchedule); its jobs live with the other jobs and name it in ``schedule_id``."""

    def __init__(self, rid, state, created, extra):
        super().__init__(rid, state, created, extra)
        self.pool_id = extra.pop("poolId", DEFAULT_POOL_ID)
        self.recurrence = extra.pop("recurrenceInterval", "PT1H")
        self.recent_job_id = None
        self.end_time = None
        self.complete_at = None  # with no job to wait for, a terminated schedule completes at this time

    def render(self, base_url):
        doc = self.head(f"{base_url}/jobschedules/{quote(self.id, safe='')}")
        doc = self.with_extras(doc, {
            "schedule": {"recurrenceInterval": self.recurrence},
            "jobSpecification": {"priority": 0, "maxParallelTasks": -1, "allowTaskPreemption": False,
                                 "usesTaskDependencies": False, "onAllTasksComplete": "noaction",
                                 "onTaskFailure": "noaction",
                                 "constraints": {"maxWallClockTime": MAX_WALL_CLOCK_TIME, "maxTaskRetryCount": 0},
                                 "poolInfo": {"poolId": self.pool_id}},
        })
        info = {}
        if self.state == "active":
            info["nextRunTime"] = iso7(self.state_time + 3600)
        if self.recent_job_id is not None:
            info["recentJob"] = {"id": self.recent_job_id, "url": f"{base_url}/jobs/{quote(self.recent_job_id, safe='')}"}
        if self.end_time is not None:
            info["endTime"] = iso7(self.end_time)
        doc["executionInfo"] = info
        return doc


def _node_info(base_url, pool_id, job_id, task_path):
    node_id = "tvmps_" + hashlib.sha256(f"{job_id}/{task_path}".encode()).hexdigest()[:40] + "_d"
    node_url = f"{base_url}/pools/{pool_id}/nodes/{node_id}"
    root = f"workitems/{job_id}/job-1/{task_path}"
    return {"affinityId": f"TVM:{node_id}", "nodeUrl": node_url, "poolId": pool_id, "nodeId": node_id,
            "taskRootDirectory": root, "taskRootDirectoryUrl": f"{node_url}/files/{root}"}
