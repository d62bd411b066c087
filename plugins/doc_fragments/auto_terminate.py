# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Options and behaviour of the modules that make jobs end by themselves."""

    DOCUMENTATION = r'''
options:
  on_all_tasks_complete:
    description:
      - What the service does when all tasks of the job are complete (C(onAllTasksComplete)). V(terminate_job) ends the
        job, with C(executionInfo.terminateReason) C(AllTasksComplete), and so gives back its active-job quota.
      - A job without tasks counts as having all its tasks complete, so a job still being filled with tasks ends at once.
      - At least one of O(on_all_tasks_complete) and O(max_wall_clock_time) is required.
    type: str
    choices: [terminate_job, no_action]
  max_wall_clock_time:
    description:
      - The longest a job may run, counted from its creation (C(constraints.maxWallClockTime)); after it the service
        terminates the job and its running tasks, with C(terminateReason) C(MaxWallClockTimeExpiry).
      - An ISO 8601 duration such as V(PT2H) or V(P1DT30M), or a number of seconds. The other constraints are kept.
    type: raw
  ignore_missing:
    description:
      - Report a resource that does not exist as unchanged (with C(missing=true)) instead of failing.
    type: bool
    default: false
  parallel:
    description:
      - How many resources to handle at once, 1 to 64.
    type: int
    default: 16
notes:
  - Reads each resource first and sends a PATCH only when a value differs, with C(If-Match) set to the ETag read, so a
    change someone made meanwhile is never overwritten. When the service answers 412 the resource is read again and
    decided again, at most three times.
  - A resource that is terminating, completed or being deleted is left alone and reported unchanged (with a warning
    when being deleted).
  - The result has one entry per resource with C(before) and C(after) (the two values), C(reason), C(state) and
    C(changed); with one id they are also returned at the top level.
attributes:
  check_mode:
    description: Reads and predicts the result; sends no PATCH.
    support: full
  diff_mode:
    description: Shows O(on_all_tasks_complete) and O(max_wall_clock_time) before and after, per resource.
    support: full
  idempotent:
    description: A second run finds the values set and changes nothing.
    support: full
'''
