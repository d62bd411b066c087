# -*- coding: utf-8 -*-
"""The bundled playbooks across several accounts: one ansible-playbook run, the batch_accounts inventory, forks."""

import uuid

import pytest

from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT
from ansible_collections.azure_batch.ops.tests.unit.plugins.inventory.conftest import ansible_cli

PROD = ('acct01', 'acct03', 'acct05')  # tagged env=prod by the fleet emulator; acct02 and acct04 are env=dev


@pytest.fixture
def fleet_inventory(write_inventory, tmp_path):
    """A directory inventory: the plugin's file (keyed by the env tag) and group_vars running modules in this Python."""
    path = write_inventory(keyed_groups=[{'key': 'batch_account_tags.env', 'prefix': 'env'}])
    (tmp_path / 'group_vars').mkdir()
    (tmp_path / 'group_vars' / 'all.yml').write_text('ansible_python_interpreter: "{{ ansible_playbook_python }}"\n')
    return path


def playbook(name, inventory, env, *extra):
    return ansible_cli('playbook', ['-i', str(inventory), '--forks', '10', str(COLLECTION_ROOT / 'playbooks' / name)] + list(extra),
                       env)


def states(account, prefix):
    return {job['id']: job['state'] for job in account.admin.jobs() if job['id'].startswith(prefix)}


def test_fleet_stop_terminates_work_on_three_accounts_in_one_run(fleet, fleet_env, fleet_inventory):
    prefix = 'ingest-%s' % uuid.uuid4().hex[:8]
    for account in fleet.accounts:
        for number in (1, 2):
            account.admin.add_job('%s-%d' % (prefix, number), tasks=[{'id': 't%d' % n, 'state': 'running'} for n in range(3)])
    done = playbook('fleet_stop.yml', fleet_inventory, fleet_env, '-e', 'batch_hosts=env_prod',
                    '-e', "job_filter=startswith(id,'%s')" % prefix, '-e', 'batch_ca_path=%s' % fleet.ca_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '3 account(s): 0 job schedule(s), 6 job(s) and 0 task(s) terminated' in done.stdout
    for account in fleet.accounts:
        expected = 'active' if account.account_name not in PROD else ('terminating', 'completed')
        for state in states(account, prefix).values():
            assert state in expected if isinstance(expected, tuple) else state == expected, account.account_name
    recap = done.stdout.split('PLAY RECAP', 1)[1]
    assert all(name in recap for name in PROD) and 'acct02' not in recap
    assert fleet.identity.client_secret not in done.stdout + done.stderr
    assert 'Found variable using reserved name' not in done.stderr

    again = playbook('fleet_stop.yml', fleet_inventory, fleet_env, '-e', 'batch_hosts=env_prod',
                     '-e', "job_filter=startswith(id,'%s')" % prefix, '-e', 'batch_ca_path=%s' % fleet.ca_path)
    assert again.returncode == 0, again.stdout
    assert '0 job(s) and 0 task(s) terminated' in again.stdout and 'changed=1' not in again.stdout


def test_terminate_job_playbook_summarises_across_accounts(fleet, fleet_env, fleet_inventory):
    job_id = 'render-%s' % uuid.uuid4().hex[:8]
    for account in fleet.accounts[:3]:
        account.admin.add_job(job_id)
    done = playbook('terminate_job.yml', fleet_inventory, fleet_env, '-e', 'batch_hosts=all', '-e', 'job_id=%s' % job_id,
                    '-e', 'ignore_missing=true', '-e', 'batch_ca_path=%s' % fleet.ca_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 job(s) terminated on 5 account(s)" in done.stdout
    assert "'acct04': 0" in done.stdout and "'acct01': 1" in done.stdout


def test_check_mode_changes_nothing_anywhere(fleet, fleet_env, fleet_inventory):
    job_id = 'render-%s' % uuid.uuid4().hex[:8]
    for account in fleet.accounts:
        account.admin.add_job(job_id)
    done = playbook('fleet_stop.yml', fleet_inventory, fleet_env, '--check', '-e', 'batch_hosts=env_dev',
                    '-e', 'job_ids=%s' % job_id, '-e', 'batch_ca_path=%s' % fleet.ca_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '2 account(s) (check mode: predicted): 0 job schedule(s), 2 job(s)' in done.stdout
    assert all(states(account, job_id) == {job_id: 'active'} for account in fleet.accounts)


def test_batch_throttle_works_on_one_account_at_a_time(fleet, fleet_env, fleet_inventory):
    prefix = 'throttled-%s' % uuid.uuid4().hex[:8]
    for account in fleet.accounts:
        account.admin.clear_requests()
        for number in range(4):
            account.admin.add_job('%s-%d' % (prefix, number))
    done = playbook('fleet_stop.yml', fleet_inventory, fleet_env, '-e', 'batch_hosts=all', '-e', 'batch_throttle=1',
                    '-e', "job_filter=startswith(id,'%s')" % prefix, '-e', 'batch_ca_path=%s' % fleet.ca_path)
    assert done.returncode == 0, done.stdout + done.stderr
    windows = []
    for account in fleet.accounts:
        posts = sorted(entry['time'] for entry in account.admin.requests()
                       if entry['method'] == 'POST' and entry['path'].startswith('/jobs/' + prefix))
        assert len(posts) == 4, account.account_name
        windows.append((posts[0], posts[-1]))
    windows.sort()
    assert all(earlier[1] < later[0] for earlier, later in zip(windows, windows[1:])), windows
