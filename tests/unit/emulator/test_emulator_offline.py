"""The emulator for users' own playbooks: serve --state-dir prints what to export, a playbook that only reads the
environment runs against it, and the CA, key and port stay the same across restarts; seeds come from YAML."""

import os
import signal
import stat
import subprocess
import sys

import pytest
import requests

try:
    from ansible_collections.azure_batch.ops.tests.emulator.seed_file import SeedFileError, load_seed
    from ansible_collections.azure_batch.ops.tests.unit.emulator.test_emulator_admin_cli import _cli
    from ansible_collections.azure_batch.ops.tests.unit.auth_support import AZURE_ENV, make_collections_path
except ImportError:
    from tests.emulator.seed_file import SeedFileError, load_seed
    from tests.unit.emulator.test_emulator_admin_cli import _cli
    from tests.unit.auth_support import AZURE_ENV, make_collections_path

SEED = """
jobs:
  - id: my-render
    creationTime: 2026-11-01T08:00:00Z
    tasks: [{id: frame-1, state: running}, {id: frame-2, state: active}]
jobSchedules:
  - id: my-nightly
    jobs: [{id: "my-nightly:job-1", tasks: [{id: t1, state: running}]}]
"""

# What a user writes: no module_defaults, no connection option; everything comes from the environment.
PLAYBOOK = """
- name: Stop my render job
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Terminate the job and wait
      azure_batch.ops.batch_job_terminate:
        job_id: my-render
        wait: true
    - name: Read the schedule
      azure_batch.ops.batch_job_schedule_info:
        job_schedule_id: my-nightly
      register: schedule
    - name: Show its current job
      ansible.builtin.debug:
        msg: "current job {{ schedule.job_schedules[0].execution_info.recent_job.id }}"
"""


def _serve(state_dir, *extra):
    """Start serve --state-dir and return (process, the export lines it printed)."""
    command, options = _cli("serve", "--state-dir", str(state_dir), *extra)
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)  # pylint: disable=consider-using-with
    lines = [server.stdout.readline()]  # env.sh is written before the lines are printed
    if not lines[0]:
        server.kill()
        pytest.fail("serve printed no exports: %s" % server.communicate()[1])
    lines += [server.stdout.readline() for _line in (state_dir / "env.sh").read_text().splitlines()[2:]]
    return server, [line.rstrip("\n") for line in lines]


def _stop(server):
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    return server.stderr.read()


def _ansible_playbook(tmp_path):
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "ansible-playbook"
    script.write_text("#!%s\nfrom ansible.cli.playbook import main\nmain()\n" % sys.executable)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.slow  # two emulator starts and one ansible-playbook run, about 10 s
def test_a_users_playbook_runs_with_the_printed_environment_only(tmp_path):
    state_dir, seed, playbook = tmp_path / "state", tmp_path / "seed.yml", tmp_path / "stop.yml"
    seed.write_text(SEED)
    playbook.write_text(PLAYBOOK)
    collections = make_collections_path(tmp_path)
    bin_dir = _ansible_playbook(tmp_path).parent
    server, exports = _serve(state_dir, "--seed-file", str(seed), "--export", "ANSIBLE_COLLECTIONS_PATH=%s" % collections,
                             "--path-prepend", str(bin_dir))
    try:
        names = [line.split("=", 1)[0] for line in exports]
        assert names == ["export AZURE_BATCH_ENDPOINT", "export AZURE_BATCH_ACCOUNT", "export AZURE_BATCH_ACCESS_KEY",
                         "export REQUESTS_CA_BUNDLE", "export ANSIBLE_COLLECTIONS_PATH", "export PATH"]
        assert (state_dir / "env.sh").read_text().splitlines()[1:] == exports
        key = (state_dir / "account-key").read_text().strip()
        assert key not in "\n".join(exports)
        # The user's shell: no Azure variable, the machine's own CA bundle, only what serve printed added.
        env = {name: value for name, value in os.environ.items() if name not in AZURE_ENV and not name.startswith("ANSIBLE_")}
        env.update(EXPORTS="\n".join(exports), ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_NOCOLOR="true",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="false", HOME=str(tmp_path), ANSIBLE_PYTHON_INTERPRETER=sys.executable)
        # The user's third command, as typed: ansible-playbook comes from the PATH the exports set.
        run = subprocess.run(["bash", "-c", 'eval "$EXPORTS" && exec ansible-playbook stop.yml'],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "current job my-nightly:job-1" in run.stdout
        assert "ok=3    changed=1" in run.stdout
        url, bundle = exports[0].split("=", 1)[1], exports[3].split("=", 1)[1]
        jobs = {job["id"]: job for job in requests.get(url + "/_admin/jobs", verify=bundle, timeout=10).json()["jobs"]}
        assert jobs["my-render"]["state"] == "completed"
        ca_before = (state_dir / "ca.pem").read_bytes()
    finally:
        stderr = _stop(server)
    assert key not in stderr and "ca_path: %s" % (state_dir / "ca.pem") in stderr
    # Started again with the same state directory: the same CA, key and port, so the exports stay valid.
    server, again = _serve(state_dir)
    try:
        assert (state_dir / "ca.pem").read_bytes() == ca_before
        assert (state_dir / "account-key").read_text().strip() == key
        assert again[:4] == exports[:4]
        url = again[0].split("=", 1)[1]
        assert requests.get(url + "/_admin/jobs", verify=str(state_dir / "ca.pem"), timeout=10).json() == {"jobs": []}
    finally:
        _stop(server)


def test_run_exports_the_names_the_modules_read(tmp_path):
    probe = ("import os, requests\n"
             "url = os.environ['AZURE_BATCH_ENDPOINT']\n"
             "assert os.environ['AZURE_BATCH_ACCOUNT'] == 'myacct' and os.environ['AZURE_BATCH_ACCESS_KEY']\n"
             "print(requests.get(url + '/_admin/config', timeout=10).status_code)\n")  # trusted through REQUESTS_CA_BUNDLE
    command, options = _cli("run", "--account-name", "myacct", "--", sys.executable, "-c", probe)
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, **options)
    assert (finished.returncode, finished.stdout.strip()) == (0, "200"), finished.stderr


def test_seed_files_in_yaml_and_json(tmp_path):
    seed = tmp_path / "seed.yml"
    seed.write_text(SEED)
    jobs, schedules = load_seed(str(seed))
    assert jobs[0]["creationTime"] == "2026-11-01T08:00:00.000000Z"
    assert schedules[0]["jobs"][0]["id"] == "my-nightly:job-1"
    (tmp_path / "seed.json").write_text('{"jobs": [{"id": "j"}]}')
    assert load_seed(str(tmp_path / "seed.json")) == ([{"id": "j"}], [])
    for text, message in (("jobs: 3", "jobs must be a list of mappings"), ("pools: []", "must be a mapping with the keys"),
                          ("jobs: [", "is not valid YAML")):
        seed.write_text(text)
        with pytest.raises(SeedFileError, match=message):
            load_seed(str(seed))


def test_a_bad_seed_is_one_sentence_and_no_traceback(tmp_path):
    seed = tmp_path / "seed.yml"
    seed.write_text('jobs: [{id: "no spaces allowed"}]')
    command, options = _cli("serve", "--seed-file", str(seed))
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, **options)
    assert finished.returncode == 2 and "Traceback" not in finished.stderr
    assert finished.stderr.startswith("python -m tests.emulator serve: --seed-file %s: job id must be" % seed)
