"""The playbooks the benchmark times; each gets its values as extra variables (-e)."""

FLOOR = """\
- name: The Ansible floor of a playbook run
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
"""

TASKS_BULK = """\
- name: Terminate every running task of a job in one module call
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate the running tasks
      azure_batch.ops.batch_task_terminate:
        job_id: "{{ job_id }}"
        task_filter: "state eq 'running'"
        parallel: "{{ parallel }}"
        ca_path: "{{ ca_path }}"
"""

TASKS_LOOP = """\
- name: Terminate tasks with one module call per task
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate one task
      azure_batch.ops.batch_task_terminate:
        job_id: "{{ job_id }}"
        task_id: "{{ item }}"
        ca_path: "{{ ca_path }}"
      loop: "{{ ids }}"
"""

JOBS_BULK = """\
- name: Terminate every job matching a filter in one module call
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate the matching jobs
      azure_batch.ops.batch_job_terminate:
        job_filter: "{{ job_filter }}"
        parallel: "{{ parallel }}"
        ca_path: "{{ ca_path }}"
"""

SCHEDULES_BULK = """\
- name: Terminate every job schedule matching a filter in one module call
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate the matching job schedules
      azure_batch.ops.batch_job_schedule_terminate:
        job_schedule_filter: "{{ job_filter }}"
        parallel: "{{ parallel }}"
        ca_path: "{{ ca_path }}"
"""

SCHEDULES_LOOP = """\
- name: Terminate job schedules with one module call per schedule
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate one job schedule
      azure_batch.ops.batch_job_schedule_terminate:
        job_schedule_id: "{{ item }}"
        ca_path: "{{ ca_path }}"
      loop: "{{ ids }}"
"""

JOBS_LOOP = """\
- name: Terminate jobs with one module call per job
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate one job
      azure_batch.ops.batch_job_terminate:
        job_id: "{{ item }}"
        ca_path: "{{ ca_path }}"
      loop: "{{ ids }}"
"""

TASKS_BY_ID = """\
- name: Terminate tasks named by id in one module call
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate the tasks
      azure_batch.ops.batch_task_terminate:
        job_id: "{{ job_id }}"
        task_ids: "{{ ids }}"
        parallel: "{{ parallel }}"
        ca_path: "{{ ca_path }}"
      check_mode: "{{ check }}"
"""

JOBS_BY_ID = """\
- name: Terminate jobs named by id in one module call
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate the jobs
      azure_batch.ops.batch_job_terminate:
        job_ids: "{{ ids }}"
        parallel: "{{ parallel }}"
        ca_path: "{{ ca_path }}"
      check_mode: "{{ check }}"
"""

RECLAIM = """\
- name: Give back the active-job quota of the jobs whose tasks are complete
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate the matching jobs whose tasks are complete
      azure_batch.ops.batch_job_terminate:
        job_filter: "{{ job_filter }}"
        if_tasks_complete: true
        parallel: "{{ parallel }}"
        ca_path: "{{ ca_path }}"
"""
