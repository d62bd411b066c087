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
        info["requeueCount"] = 0
        if self.result:
            info["result"] = self.result
        return info

    def _node_info(self, base_url, job_id):
        node_id = "tvmps_" + hashlib.sha256(f"{job_id}/{self.id}".encode()).hexdigest()[:40] + "_d"
        node_url = f"{base_url}/pools/{self.pool_id}/nodes/{node_id}"
        root = f"workitems/{job_id}/job-1/{self.id}"
        return {"affinityId": f"TVM:{node_id}", "nodeUrl": node_url, "poolId": self.pool_id, "nodeId": node_id,
                "taskRootDirectory": root, "taskRootDirectoryUrl": f"{node_url}/files/{root}"}


class Job(_Resource):  # pylint: disable=too-many-instance-attributes
    def __init__(self, rid, state, created, extra):
        super().__init__(rid, state, created, extra)
        self.pool_id = extra.pop("poolId", DEFAULT_POOL_ID)
        self.end_time = None
        self.terminate_reason = None
        self.pending_reason = None
        self.complete_at = None
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
