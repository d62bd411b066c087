"""Jobs, tasks and job schedules with the Batch state machines, ETags and Last-Modified times (thread-safe).

State changes that the real service makes in the background (a terminating job completing after a
while) are applied lazily, whenever the job is next looked at, at the time they were due. No thread
runs in the background, so tests see the same result however they are scheduled.
"""

import re
import threading
import time

from .errors import BatchApiError, detail
from .resources import Job, JobSchedule, Snapshot, Subtask, Task
from .wire import etag_for_ticks, parse_duration, parse_iso, ticks

JOB_STATES = ("active", "disabling", "disabled", "enabling", "terminating", "completed", "deleting")
TASK_STATES = ("active", "preparing", "running", "completed")
JOB_SCHEDULE_STATES = ("active", "disabled", "terminating", "completed", "deleting")
# A subtask's state for its primary's state (a primary still active has no subtasks yet).
_SUBTASK_STATE_FOR = {"preparing": "preparing", "running": "running", "completed": "completed"}

# Terminate Job: the 409 answer in states that cannot be terminated (active, disabling, disabled and enabling can).
JOB_TERMINATE_CONFLICTS = {"terminating": "JobBeingTerminated", "completed": "JobCompleted", "deleting": "JobBeingDeleted"}
# Terminate Task on a task that can still end, inside a job in these states (unverified: no
# recording exists; by analogy with Task_Reactivate). A terminating job's tasks may still be ended.
TASK_TERMINATE_JOB_CONFLICTS = {"completed": "JobCompleted", "deleting": "JobBeingDeleted"}
# Terminate Job Schedule: codes from the "Batch Status and Error Codes" table, which maps no code to an operation;
# which state answers which code is inferred from their names (reference section 8).
JOB_SCHEDULE_TERMINATE_CONFLICTS = {"terminating": "JobScheduleBeingTerminated", "completed": "JobScheduleCompleted",
                                    "deleting": "JobScheduleBeingDeleted"}
# JobExecutionInformation.terminateReason of a job ended because its schedule terminated.
SCHEDULE_TERMINATE_REASON = "TerminateJobSchedule"
ENDABLE_JOB_STATES = ("active", "disabling", "disabled", "enabling")
STARTED_TASK_STATES = ("preparing", "running")

DEFAULT_TERMINATE_REASON = "UserTerminate"
# terminateReason values the service sets itself (JobExecutionInformation.terminateReason).
WALL_CLOCK_REASON = "MaxWallClockTimeExpiry"
ALL_TASKS_COMPLETE_REASON = "AllTasksComplete"
# Job - Patch and Job - Disable on a job that is ending: the codes Job - Terminate answers. Which code the service
# gives for these operations is not documented (inferred from the code names).
JOB_CHANGE_CONFLICTS = dict(JOB_TERMINATE_CONFLICTS)
# "If you try to disable a Job that is in any state other than active, disabling, or disabled, the request fails
# with status code 409" (Job_Disable); the code for an enabling job is unverified (JobNotActive from the codes table).
JOB_DISABLE_CONFLICTS = dict(JOB_TERMINATE_CONFLICTS, enabling="JobNotActive")
# Job - Enable of a job that is not disabled: codes unverified; an active or enabling job is taken as already enabled.
JOB_ENABLE_CONFLICTS = dict(JOB_TERMINATE_CONFLICTS, disabling="OperationInvalidForCurrentState")
DISABLE_TASKS = ("requeue", "terminate", "wait")
# Job - Patch properties the emulator keeps (JobPatchParameter); poolInfo only while the job is disabled.
JOB_PATCH_PROPERTIES = ("priority", "maxParallelTasks", "allowTaskPreemption", "onAllTasksComplete", "constraints",
                        "poolInfo", "metadata")
JOB_SCHEDULE_PATCH_PROPERTIES = ("schedule", "jobSpecification", "metadata")
# How a task ended by terminate (its own, or its job's) looks. Unverified: no public recording of a
# user-terminated task exists. category/code/message follow third-party dumps of real tasks; the exit
# code is what a killed Linux process reports. A task that never started gets no exitCode.
TERMINATED_TASK_EXIT_CODE = 137
TERMINATED_TASK_FAILURE = {"category": "usererror", "code": "TaskEnded", "message": "Task Was Ended by User Request"}
FAILED_TASK_FAILURE = {"category": "usererror", "code": "FailureExitCode",
                       "message": "The task exited with an exit code representing a failure"}

# The state a seeded resource is taken to have left, when the seed does not say.
_JOB_PREVIOUS = {"disabling": "active", "disabled": "disabling", "enabling": "disabled",
                 "terminating": "active", "completed": "active", "deleting": "active"}
_TASK_PREVIOUS = {"preparing": "active", "running": "active", "completed": "running"}
_SCHEDULE_PREVIOUS = {"disabled": "active", "terminating": "active", "completed": "active", "deleting": "active"}
_SCHEDULED_JOB = re.compile(r"\A[A-Za-z0-9_-]{1,64}:job-[0-9]{1,10}\Z", re.IGNORECASE)
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class SeedError(ValueError):
    """A seed or admin change the emulator cannot apply; ``status`` is the admin API's answer."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class Store:
    """All jobs and tasks of the emulated account. Every public method is atomic."""

    def __init__(self, config, clock=time.time):
        self.config = config  # reads config.terminate_delay and config.subtask_delay
        self.clock = clock
        self.base_url = "https://127.0.0.1"
        self._lock = threading.Lock()
        self._jobs = {}
        self._schedules = {}
        self._last_ticks = 0

    # -- Batch API operations -------------------------------------------------------------------
    def get_job(self, job_id):
        with self._lock:
            return self._job_snapshot(self._job(job_id))

    def list_jobs(self):
        with self._lock:
            jobs = [self._job(job.id) for job in self._jobs.values()]
            return [self._job_snapshot(job) for job in sorted(jobs, key=lambda j: j.id.lower())]

    def get_task(self, job_id, task_id):
        with self._lock:
            job = self._job(job_id)
            return self._task_snapshot(job, self._task(job, task_id))

    def list_tasks(self, job_id):
        with self._lock:
            job = self._job(job_id)
            return [self._task_snapshot(job, job.tasks[key]) for key in sorted(job.tasks)]

    def get_job_schedule(self, schedule_id):
        with self._lock:
            return self._schedule_snapshot(self._schedule(schedule_id))

    def list_job_schedules(self):
        with self._lock:
            schedules = [self._schedule(schedule.id) for schedule in self._schedules.values()]
            return [self._schedule_snapshot(schedule) for schedule in sorted(schedules, key=lambda s: s.id.lower())]

    def list_jobs_of_schedule(self, schedule_id):
        with self._lock:
            schedule = self._schedule(schedule_id)
            jobs = [self._job(job.id) for job in self._jobs.values() if job.schedule_id == schedule.id]
            return [self._job_snapshot(job) for job in sorted(jobs, key=lambda j: j.id.lower())]

    def list_subtasks(self, job_id, task_id):
        """The subtasks of a task as (doc, fields) snapshots; none for a task that is not multi-instance."""
        with self._lock:
            job = self._job(job_id)
            task = self._task(job, task_id)
            now = self.clock()
            for subtask in task.subtasks:
                if subtask.complete_at is not None and now >= subtask.complete_at:
                    _end_subtask(subtask, subtask.complete_at)
            return [Snapshot(subtask.render(self.base_url, task.pool_id, job.id, task.id), task.etag, task.modified,
                             {"id": str(subtask.id), "state": subtask.state}) for subtask in task.subtasks]

    def terminate_job_schedule(self, schedule_id, force=False, check=None):
        """Terminate Job Schedule: the schedule becomes terminating, its active job is terminated, and the schedule
        completes once that job has."""
        with self._lock:
            schedule = self._changeable_schedule(schedule_id, check)
            now = self.clock()
            schedule.move_to("terminating", now)
            job = self._jobs.get((schedule.recent_job_id or "").lower())
            if job is not None and job.state in ENDABLE_JOB_STATES:
                self._start_terminating(job, SCHEDULE_TERMINATE_REASON, force, now)
            schedule.complete_at = now if force else now + float(self.config.terminate_delay)
            self._touch(schedule, now)
            return self._schedule_snapshot(schedule)

    def terminate_job(self, job_id, reason=None, force=False, check=None):
        """Terminate Job; ``check(etag, modified)`` raises when a conditional header is not met."""
        with self._lock:
            job = self._changeable_job(job_id, check, JOB_TERMINATE_CONFLICTS)
            self._start_terminating(job, reason, force, self.clock())
            return self._job_snapshot(job)

    def terminate_task(self, job_id, task_id, check=None):
        with self._lock:
            job = self._job(job_id)
            task = self._task(job, task_id)
            if check:
                check(task.etag, task.modified)
            if task.state == "completed":
                raise BatchApiError("TaskCompleted")
            if job.state in TASK_TERMINATE_JOB_CONFLICTS:
                raise BatchApiError(TASK_TERMINATE_JOB_CONFLICTS[job.state])
            self._end_task(task, self.clock())
            return self._task_snapshot(job, task)

    def get_task_counts(self, job_id):
        """Get Task Counts: (taskCounts, taskSlotCounts); preparing tasks count as running (Job_GetTaskCounts)."""
        with self._lock:
            job = self._job(job_id)
            counts = dict.fromkeys(("active", "running", "completed", "succeeded", "failed"), 0)
            slots = dict(counts)
            for task in job.tasks.values():
                names = ["running" if task.state in STARTED_TASK_STATES else task.state]
                if task.state == "completed":
                    names.append("succeeded" if task.result == "success" else "failed")
                for name in names:
                    counts[name] += 1
                    slots[name] += int(task.extra.get("requiredSlots", 1))
            return counts, slots

    def patch_job(self, job_id, changes, check=None):
        """Job - Patch: replace only the properties given (a given constraints object replaces the old one)."""
        with self._lock:
            job = self._changeable_job(job_id, check, JOB_CHANGE_CONFLICTS)
            _check_job_patch(job, changes)
            now = self.clock()
            for key, value in changes.items():
                job.extra[key] = value
            if changes.get("onAllTasksComplete") == "terminatejob":
                job.armed_at = job.armed_at or now
            self._touch(job, now)
            self._advance(job)
            return self._job_snapshot(job)

    def disable_job(self, job_id, disable_tasks, check=None):
        """Job - Disable: disabling at once; disabled once its running tasks were dealt with as disable_tasks says."""
        with self._lock:
            job = self._changeable_job(job_id, check, JOB_DISABLE_CONFLICTS)
            if job.state in ("disabling", "disabled"):
                return self._job_snapshot(job)  # unverified: the service may answer 409 here
            now = self.clock()
            job.move_to("disabling", now)
            job.disable_tasks = disable_tasks
            job.settle_at = now + float(self.config.terminate_delay)
            for task in job.tasks.values():
                if task.state not in STARTED_TASK_STATES:
                    continue
                if disable_tasks == "terminate":
                    self._end_task(task, now)
                elif disable_tasks == "requeue":
                    task.move_to("active", now)
                    task.requeue_count += 1
                    _settle_task(task, now)
                    self._touch(task, now)
            self._touch(job, now)
            return self._job_snapshot(job)

    def enable_job(self, job_id, check=None):
        """Job - Enable: a disabled job becomes enabling, then active."""
        with self._lock:
            job = self._changeable_job(job_id, check, JOB_ENABLE_CONFLICTS)
            if job.state == "disabled":
                now = self.clock()
                job.move_to("enabling", now)
                job.settle_at = now + float(self.config.terminate_delay)
                self._touch(job, now)
            return self._job_snapshot(job)

    def patch_job_schedule(self, schedule_id, changes, check=None):
        """Job Schedule - Patch: the properties given replace the old ones (a jobSpecification as a whole)."""
        with self._lock:
            schedule = self._changeable_schedule(schedule_id, check)
            spec = changes.get("jobSpecification")
            if spec is not None and not (isinstance(spec, dict) and isinstance(spec.get("poolInfo"), dict)):
                # JobSpecification.poolInfo is required; the service's code for its absence is unverified.
                raise BatchApiError("MissingRequiredProperty", [detail("PropertyName", "poolInfo")])
            if spec is not None:
                _check_job_properties(spec)
            schedule.extra.update(changes)
            self._touch(schedule, self.clock())
            return self._schedule_snapshot(schedule)

    # -- admin operations -------------------------------------------------------------------------
    def reset(self):
        with self._lock:
            self._jobs.clear()
            self._schedules.clear()

    def seed(self, job_specs, schedule_specs=()):
        """Replace every job, task and job schedule with the given ones; returns (jobs, tasks) counts.
        A schedule spec lists its jobs under "jobs" (the last is its recentJob)."""
        with self._lock:
            now = self.clock()
            jobs, schedules = {}, {}
            for spec in job_specs:
                _add_unique(jobs, self._new_job(spec, now), "job")
            for spec in schedule_specs:
                schedule = self._new_schedule(spec, now)
                _add_unique(schedules, schedule, "job schedule")
                for job_spec in spec.get("jobs") or []:
                    _add_unique(jobs, self._new_job(job_spec, now, schedule), "job")
            self._jobs, self._schedules = jobs, schedules
            return len(jobs), sum(len(job.tasks) for job in jobs.values())

    def add_job_schedule(self, spec):
        """Add a schedule and its jobs; returns how many jobs it has."""
        with self._lock:
            now = self.clock()
            schedule = self._new_schedule(spec, now)
            if schedule.id.lower() in self._schedules:
                raise SeedError(f"job schedule {schedule.id!r} exists", 409)
            jobs = {}
            for job_spec in spec.get("jobs") or []:
                job = self._new_job(job_spec, now, schedule)
                if job.id.lower() in self._jobs:
                    raise SeedError(f"job {job.id!r} exists", 409)
                _add_unique(jobs, job, "job")
            self._schedules[schedule.id.lower()] = schedule
            self._jobs.update(jobs)
            return len(jobs)

    def set_job_schedule_state(self, schedule_id, state, complete_after=None):
        """Put a schedule into a state as is (its jobs are left alone). A terminating schedule completes once its
        recent job has, or after complete_after seconds when it has none."""
        _check_state(state, JOB_SCHEDULE_STATES, "job schedule")
        with self._lock:
            schedule = self._schedules.get(schedule_id.lower())
            if schedule is None:
                raise SeedError(f"no job schedule {schedule_id!r}", 404)
            now = self.clock()
            if state != schedule.state:
                schedule.move_to(state, now)
            schedule.complete_at = now + float(complete_after) if complete_after is not None else None
            schedule.end_time = now if state == "completed" else None
            self._touch(schedule, now)

    def add_job(self, spec):
        with self._lock:
            job = self._new_job(spec, self.clock())
            if job.id.lower() in self._jobs:
                raise SeedError(f"job {job.id!r} exists", 409)
            self._jobs[job.id.lower()] = job
            return len(job.tasks)

    def add_tasks(self, job_id, task_specs):
        with self._lock:
            job = self._admin_job(job_id)
            now = self.clock()
            tasks = {}
            for spec in task_specs:
                task = self._new_task(spec, now, job.pool_id)
                if task.id.lower() in job.tasks or task.id.lower() in tasks:
                    raise SeedError(f"task {task.id!r} exists in job {job.id!r}", 409)
                tasks[task.id.lower()] = task
            job.tasks.update(tasks)
            return len(tasks)

    def set_job_state(self, job_id, state, complete_after=None, terminate_reason=None):
        """Put a job into a state as is (no cascade to tasks). A terminating job stays so unless
        complete_after (seconds) is given."""
        _check_state(state, JOB_STATES, "job")
        with self._lock:
            job = self._admin_job(job_id)
            now = self.clock()
            if state != job.state:
                job.move_to(state, now)
            job.complete_at = None
            if state != "completed":
                job.end_time = job.terminate_reason = None
            if state == "terminating":
                job.pending_reason = terminate_reason or DEFAULT_TERMINATE_REASON
                if complete_after is not None:
                    job.complete_at = now + float(complete_after)
            if state == "completed":
                job.end_time = now
                job.terminate_reason = terminate_reason or job.pending_reason or DEFAULT_TERMINATE_REASON
            self._touch(job, now)

    def set_task_state(self, job_id, task_id, state, result=None, exit_code=None):
        _check_state(state, TASK_STATES, "task")
        with self._lock:
            job = self._admin_job(job_id)
            task = job.tasks.get(task_id.lower())
            if task is None:
                raise SeedError(f"no task {task_id!r} in job {job.id!r}", 404)
            now = self.clock()
            if state != task.state:
                task.move_to(state, now)
            _settle_task(task, now, result, exit_code)
            self._touch(task, now)

    def delete_job(self, job_id):
        """Remove a job and its tasks at once, as the service does when a delete ends."""
        with self._lock:
            if self._jobs.pop(job_id.lower(), None) is None:
                raise SeedError(f"no job {job_id!r}", 404)

    def delete_task(self, job_id, task_id):
        with self._lock:
            job = self._admin_job(job_id)
            if job.tasks.pop(task_id.lower(), None) is None:
                raise SeedError(f"no task {task_id!r} in job {job.id!r}", 404)

    def summary(self):
        with self._lock:
            jobs = [self._job(job.id) for job in self._jobs.values()]
            return [{"id": job.id, "state": job.state,
                     "tasks": [{"id": task.id, "state": task.state} for task in job.tasks.values()]} for job in jobs]

    def schedule_summary(self):
        with self._lock:
            schedules = [self._schedule(schedule.id) for schedule in self._schedules.values()]
            return [{"id": schedule.id, "state": schedule.state, "recentJob": schedule.recent_job_id,
                     "jobs": sorted(job.id for job in self._jobs.values() if job.schedule_id == schedule.id)}
                    for schedule in schedules]

    # -- internals (lock held) --------------------------------------------------------------------
    def _job(self, job_id):
        job = self._jobs.get(job_id.lower())
        if job is None:
            raise BatchApiError("JobNotFound")
        self._advance(job)
        return job

    def _admin_job(self, job_id):
        job = self._jobs.get(job_id.lower())
        if job is None:
            raise SeedError(f"no job {job_id!r}", 404)
        self._advance(job)
        return job

    def _schedule(self, schedule_id):
        schedule = self._schedules.get(schedule_id.lower())
        if schedule is None:
            raise BatchApiError("JobScheduleNotFound")
        self._advance_schedule(schedule)
        return schedule

    def _advance_schedule(self, schedule):
        """A terminating schedule completes when its recent job has completed (or was deleted), at the later of
        that job's end and its own complete_at; with no job, at complete_after."""
        if schedule.state != "terminating":
            return
        job = self._jobs.get((schedule.recent_job_id or "").lower())
        if job is not None:
            self._advance(job)
            if job.state != "completed":
                return
            when = max(job.state_time, schedule.complete_at or schedule.state_time)
        elif schedule.complete_at is not None:
            when = schedule.complete_at
        else:
            return
        if self.clock() < when:
            return
        schedule.move_to("completed", when)
        schedule.end_time = when
        schedule.complete_at = None
        self._touch(schedule, when)

    def _start_terminating(self, job, reason, force, now):
        job.move_to("terminating", now)
        job.pending_reason = reason or DEFAULT_TERMINATE_REASON
        # force: the emulator completes at once (the service skips waiting for the nodes).
        job.complete_at = now if force else now + float(self.config.terminate_delay)
        self._touch(job, now)

    def _changeable_schedule(self, schedule_id, check):
        schedule = self._schedule(schedule_id)
        if check:
            check(schedule.etag, schedule.modified)
        if schedule.state in JOB_SCHEDULE_TERMINATE_CONFLICTS:
            raise BatchApiError(JOB_SCHEDULE_TERMINATE_CONFLICTS[schedule.state])
        return schedule

    def _changeable_job(self, job_id, check, conflicts):
        """The job a write names, after its conditional headers and its state's conflict code (code by state)."""
        job = self._job(job_id)
        if check:
            check(job.etag, job.modified)
        if job.state in conflicts:
            raise BatchApiError(conflicts[job.state])
        return job

    @staticmethod
    def _task(job, task_id):
        task = job.tasks.get(task_id.lower())
        if task is None:
            raise BatchApiError("TaskNotFound")
        return task

    def _advance(self, job):
        self._settle_disable(job)
        self._end_by_itself(job)
        if job.state != "terminating" or job.complete_at is None or self.clock() < job.complete_at:
            return
        when = job.complete_at
        job.move_to("completed", when)
        job.end_time = when
        job.terminate_reason = job.pending_reason or DEFAULT_TERMINATE_REASON
        job.complete_at = None
        self._touch(job, when)
        for task in job.tasks.values():
            if task.state in STARTED_TASK_STATES:
                self._end_task(task, when)

    def _settle_disable(self, job):
        """disabling -> disabled once due (with disableTasks wait: once no task runs); enabling -> active once due."""
        now = self.clock()
        if job.state not in ("disabling", "enabling") or job.settle_at is None or now < job.settle_at:
            return
        when = job.settle_at
        if job.state == "disabling" and job.disable_tasks == "wait":
            running = [task for task in job.tasks.values() if task.state in STARTED_TASK_STATES]
            if running:
                return
            when = max([when] + [task.state_time for task in job.tasks.values() if task.state == "completed"])
        job.move_to("disabled" if job.state == "disabling" else "active", when)
        job.settle_at = None
        self._touch(job, when)

    def _end_by_itself(self, job):
        """A job past its constraints.maxWallClockTime, or (onAllTasksComplete terminatejob) an active job whose tasks
        are all completed, starts terminating at the time that became true. A job with no task has all its tasks
        complete ("if a Job contains no Tasks, then all Tasks are considered complete", JobAddParameter)."""
        if job.state not in ENDABLE_JOB_STATES:
            return
        now = self.clock()
        limit = parse_duration((job.extra.get("constraints") or {}).get("maxWallClockTime") or "")
        if limit is not None and job.creation_time + limit <= now:
            self._start_terminating(job, WALL_CLOCK_REASON, False, job.creation_time + limit)
            return
        if job.state != "active" or job.extra.get("onAllTasksComplete") != "terminatejob":
            return
        if any(task.state != "completed" for task in job.tasks.values()):
            return
        ends = [task.state_time for task in job.tasks.values()]
        self._start_terminating(job, ALL_TASKS_COMPLETE_REASON, False, max(ends + [job.armed_at or job.creation_time]))

    def _end_task(self, task, when):
        started = task.state in STARTED_TASK_STATES
        task.move_to("completed", when)
        task.end_time = when
        task.result = "failure"
        task.failure_info = dict(TERMINATED_TASK_FAILURE)
        task.exit_code = TERMINATED_TASK_EXIT_CODE if started else None
        self._touch(task, when)
        # "subtasks are then terminated asynchronously in the background" (Task_Terminate).
        for subtask in task.subtasks:
            if subtask.state != "completed" and subtask.complete_at is None:
                subtask.complete_at = when + float(self.config.subtask_delay)

    def _touch(self, resource, when):
        self._last_ticks = max(ticks(when), self._last_ticks + 1)
        resource.modified = when
        resource.etag = etag_for_ticks(self._last_ticks)

    def _schedule_snapshot(self, schedule):
        return Snapshot(schedule.render(self.base_url), schedule.etag, schedule.modified, schedule.fields())

    def _new_schedule(self, spec, now):
        extra = _spec_extra(spec, ("id", "state", "jobs", "creationTime", "stateTransitionTime", "previousState",
                                   "complete_after"))
        schedule = JobSchedule(_spec_id(spec, "job schedule"), _spec_state(spec, JOB_SCHEDULE_STATES, "job schedule"),
                               _spec_time(spec, "creationTime", now), extra)
        _place_in_state(schedule, spec, now, _SCHEDULE_PREVIOUS)
        if schedule.state == "terminating" and spec.get("complete_after") is not None:
            schedule.complete_at = now + float(spec["complete_after"])
        if schedule.state == "completed":
            schedule.end_time = schedule.state_time
        self._touch(schedule, schedule.state_time)
        return schedule

    def _job_snapshot(self, job):
        return Snapshot(job.render(self.base_url), job.etag, job.modified, job.fields())

    def _task_snapshot(self, job, task):
        return Snapshot(task.render(self.base_url, job.id), task.etag, task.modified, task.fields())

    def _new_job(self, spec, now, schedule=None):
        extra = _spec_extra(spec, ("id", "state", "tasks", "creationTime", "stateTransitionTime", "previousState",
                                   "terminateReason", "complete_after"))
        job = Job(_spec_id(spec, "job"), _spec_state(spec, JOB_STATES, "job"), _spec_time(spec, "creationTime", now), extra)
        if job.extra.get("onAllTasksComplete") == "terminatejob":
            job.armed_at = job.creation_time
        if schedule is not None:
            job.schedule_id = schedule.id
            schedule.recent_job_id = job.id
        _place_in_state(job, spec, now, _JOB_PREVIOUS)
        if job.state == "terminating":
            job.pending_reason = spec.get("terminateReason") or DEFAULT_TERMINATE_REASON
            if spec.get("complete_after") is not None:
                job.complete_at = now + float(spec["complete_after"])
        if job.state == "completed":
            job.end_time = job.state_time
            job.terminate_reason = spec.get("terminateReason") or DEFAULT_TERMINATE_REASON
        self._touch(job, job.state_time)
        for task_spec in spec.get("tasks") or []:
            task = self._new_task(task_spec, now, job.pool_id)
            if task.id.lower() in job.tasks:
                raise SeedError(f"task id {task.id!r} appears twice in job {job.id!r}")
            job.tasks[task.id.lower()] = task
        return job

    def _new_task(self, spec, now, pool_id):
        extra = _spec_extra(spec, ("id", "state", "creationTime", "stateTransitionTime", "previousState", "result", "exitCode"))
        task = Task(_spec_id(spec, "task"), _spec_state(spec, TASK_STATES, "task"), _spec_time(spec, "creationTime", now), extra)
        task.pool_id = pool_id
        _place_in_state(task, spec, now, _TASK_PREVIOUS)
        _settle_task(task, task.state_time, spec.get("result"), spec.get("exitCode"))
        instances = (task.extra.get("multiInstanceSettings") or {}).get("numberOfInstances", 1)
        if task.extra.get("multiInstanceSettings") is not None and task.state in _SUBTASK_STATE_FOR:
            # Numbered 1 to numberOfInstances - 1 beside the primary (a four-instance task has three subtasks);
            # whether the service lists the primary among them too is unverified.
            task.subtasks = [Subtask(number, _SUBTASK_STATE_FOR[task.state], task.state_time)
                             for number in range(1, int(instances))]
            for subtask in task.subtasks:
                if subtask.state == "completed":
                    _end_subtask(subtask, task.state_time, terminated=False)
        self._touch(task, task.state_time)
        return task


def _check_job_patch(job, changes):
    """What Job - Patch refuses before it changes anything."""
    if job.extra.get("onAllTasksComplete", "noaction") == "terminatejob" and changes.get("onAllTasksComplete") == "noaction":
        # "You may not change the value from terminatejob to noaction ... the HTTP status code is 400" (JobPatchParameter).
        raise BatchApiError("InvalidPropertyValue", [detail("PropertyName", "onAllTasksComplete"),
                                                     detail("PropertyValue", "noaction")])
    if "poolInfo" in changes and job.state != "disabled":
        # "The Patch Job call will fail if you include the poolInfo element and the Job is not disabled"; the code is
        # unverified.
        raise BatchApiError("JobNotDisabled")
    _check_job_properties(changes)


def _check_job_properties(doc):
    """onAllTasksComplete and constraints.maxWallClockTime of a job or a jobSpecification."""
    if doc.get("onAllTasksComplete", "noaction") not in ("noaction", "terminatejob"):
        raise BatchApiError("InvalidPropertyValue", [detail("PropertyName", "onAllTasksComplete"),
                                                     detail("PropertyValue", str(doc.get("onAllTasksComplete")))])
    constraints = doc.get("constraints")
    if constraints is None:
        return
    limit = constraints.get("maxWallClockTime") if isinstance(constraints, dict) else None
    if not isinstance(constraints, dict) or (limit is not None and parse_duration(str(limit)) is None):
        raise BatchApiError("InvalidPropertyValue", [detail("PropertyName", "maxWallClockTime"),
                                                     detail("PropertyValue", str(limit))])


def _add_unique(registry, resource, kind):
    if resource.id.lower() in registry:
        raise SeedError(f"{kind} id {resource.id!r} appears twice")
    registry[resource.id.lower()] = resource


def _end_subtask(subtask, when, terminated=True):
    subtask.previous_state, subtask.previous_state_time = subtask.state, subtask.state_time
    subtask.state, subtask.state_time = "completed", when
    subtask.end_time = when
    subtask.complete_at = None
    if terminated:
        subtask.result = "failure"
        subtask.failure_info = dict(TERMINATED_TASK_FAILURE)
        subtask.exit_code = TERMINATED_TASK_EXIT_CODE if subtask.start_time is not None else None
    else:
        subtask.result, subtask.exit_code = "success", 0


def _check_state(state, allowed, kind):
    if state not in allowed:
        raise SeedError(f"{kind} state must be one of {', '.join(allowed)}; got {state!r}")


def _spec_id(spec, kind):
    if not isinstance(spec, dict):
        raise SeedError(f"a {kind} must be a JSON object")
    rid = spec.get("id")
    if kind == "job" and isinstance(rid, str) and _SCHEDULED_JOB.match(rid):
        return rid  # a job a schedule made: "<schedule id>:job-<n>"
    if not isinstance(rid, str) or not 1 <= len(rid) <= 64 or not set(rid) <= _ID_CHARS:
        raise SeedError(f"{kind} id must be 1-64 letters, digits, hyphens or underscores; got {rid!r}")
    return rid


def _spec_state(spec, allowed, kind):
    state = spec.get("state", "active")
    _check_state(state, allowed, kind)
    return state


def _spec_time(spec, key, default):
    value = spec.get(key)
    if value is None:
        return default
    parsed = parse_iso(str(value))
    if parsed is None:
        raise SeedError(f"{key} must be an ISO 8601 date-time; got {value!r}")
    return parsed


def _spec_extra(spec, consumed):
    return {key: value for key, value in spec.items() if key not in consumed}


def _place_in_state(resource, spec, now, previous_for):
    """Give a seeded resource the transition fields of having reached its state."""
    if resource.state == "active" and "previousState" not in spec:
        resource.state_time = _spec_time(spec, "stateTransitionTime", resource.creation_time)
    else:
        resource.previous_state = spec.get("previousState") or previous_for.get(resource.state, "active")
        resource.previous_state_time = resource.creation_time
        resource.state_time = _spec_time(spec, "stateTransitionTime", max(now, resource.creation_time))
    resource.modified = resource.state_time


def _settle_task(task, when, result=None, exit_code=None):
    """Fill the execution fields a task in its state has."""
    if task.state == "active":
        task.start_time = task.end_time = task.exit_code = task.result = task.failure_info = None
        return
    if task.start_time is None:
        if task.state in STARTED_TASK_STATES:
            task.start_time = task.state_time
        elif task.previous_state in STARTED_TASK_STATES:
            task.start_time = task.previous_state_time
    if task.state != "completed":
        return
    task.end_time = when
    task.result = result or task.result or "success"
    if task.result == "success":
        task.exit_code, task.failure_info = (0 if exit_code is None else int(exit_code)), None
    else:
        task.exit_code = 1 if exit_code is None else int(exit_code)
        task.failure_info = task.failure_info or dict(FAILED_TASK_FAILURE)
