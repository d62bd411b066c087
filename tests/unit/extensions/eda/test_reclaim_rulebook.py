# -*- coding: utf-8 -*-
"""The terminate_when_tasks_complete rulebook: a completed task runs batch_job_terminate for its job, with
if_tasks_complete, so the job ends only when none of its tasks is active or running."""

import yaml
from jinja2 import Environment

from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT

RULEBOOK = COLLECTION_ROOT / 'extensions' / 'eda' / 'rulebooks' / 'terminate_when_tasks_complete.yml'


def test_a_completed_task_terminates_its_job_only_when_all_tasks_are_complete():
    (ruleset,) = yaml.safe_load(RULEBOOK.read_text())
    (source,) = ruleset['sources']
    assert source['azure_batch.ops.batch_events']['tasks'] is True
    (rule,) = ruleset['rules']
    condition = rule['condition']
    assert 'event.batch.kind == "task"' in condition and 'event.batch.state == "completed"' in condition
    action = rule['action']['run_module']
    assert action['name'] == 'azure_batch.ops.batch_job_terminate'
    args = action['module_args']
    assert args['if_tasks_complete'] is True and args['ignore_missing'] is True
    event = {'batch': {'event': 'state_changed', 'kind': 'task', 'job_id': 'render-7', 'task_id': 't1', 'state': 'completed'}}
    rendered = {name: Environment().from_string(value).render(event=event) if isinstance(value, str) else value
                for name, value in args.items()}
    assert rendered['job_id'] == 'render-7' and rendered['empty_job_grace'] == '3600'
    filter_ = Environment().from_string(source['azure_batch.ops.batch_events']['job_filter']).render()
    assert filter_ == "state eq 'active'"
