# -*- coding: utf-8 -*-
"""Bad and hostile input to both terminate modules and the auth options, one table.

Each row must fail with one sentence that names the option, before any request reaches the
service (the emulator's request log stays empty, identity endpoints included), never with a
traceback, and never echo a secret given in the input.
"""

import pytest
from ansible.module_utils.ansible_release import __version__ as ansible_core_version

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_terminate, batch_task_terminate

HOST = 'https://acct.westeurope.batch.azure.com'
SECRET_WORD = 'hunter2-secret'
# Arguments that leave out the emulator's Shared Key, for rows about other credentials.
NO_SHARED_KEY = {'batch_account_name': None, 'batch_account_key': None}

JOB = 'job'
TASK = 'task'
TASK_ARGS = {'job_id': 'job-1', 'task_id': 'task-1'}

# (row id, module, arguments, environment, text the message must contain)
ROWS = [
    # Job ids: Batch allows letters, digits, hyphens and underscores, 1 to 64 of them.
    ('job_id too long', JOB, {'job_id': 'j' * 65}, {}, 'job_id must be 1 to 64'),
    ('job_id with slash', JOB, {'job_id': 'a/b'}, {}, 'job_id must be'),
    ('job_id dot dot', JOB, {'job_id': '..'}, {}, 'job_id must be'),
    ('job_id single dot', JOB, {'job_id': '.'}, {}, 'job_id must be'),
    ('job_id with question mark', JOB, {'job_id': 'a?api-version=1'}, {}, 'job_id must be'),
    ('job_id percent-encoded slash', JOB, {'job_id': 'a%2Fb'}, {}, 'job_id must be'),
    ('job_id with space', JOB, {'job_id': 'nightly job'}, {}, 'job_id must be'),
    ('job_id leading space', JOB, {'job_id': ' job'}, {}, 'job_id must be'),
    ('job_id unicode letter', JOB, {'job_id': 'jób'}, {}, 'job_id must be'),
    ('job_id emoji', JOB, {'job_id': 'job-\U0001f4a5'}, {}, 'job_id must be'),
    ('job_id newline', JOB, {'job_id': 'a\nb'}, {}, 'job_id must be'),
    ('job_id hash', JOB, {'job_id': 'a#b'}, {}, 'job_id must be'),
    ('job_id backslash', JOB, {'job_id': 'a\\b'}, {}, 'job_id must be'),
    ('job_id empty', JOB, {'job_id': ''}, {}, 'job_id must be'),
    ('job_ids with traversal', JOB, {'job_ids': ['ok-1', '../etc']}, {}, 'job_ids must be'),
    ('job_ids with a long one', JOB, {'job_ids': ['ok-1', 'x' * 200]}, {}, 'job_ids must be'),
    ('job_id and job_ids', JOB, {'job_id': 'a', 'job_ids': ['b']}, {}, 'job_id|job_ids|job_filter'),
    ('no job selected', JOB, {}, {}, 'job_id, job_ids, job_filter'),
    # Task ids.
    ('task_id too long', TASK, {'job_id': 'job-1', 'task_id': 't' * 65}, {}, 'task_id must be 1 to 64'),
    ('task_id with slash', TASK, {'job_id': 'job-1', 'task_id': 'a/b'}, {}, 'task_id must be'),
    ('task_id dot dot', TASK, {'job_id': 'job-1', 'task_id': '..'}, {}, 'task_id must be'),
    ('task_id query', TASK, {'job_id': 'job-1', 'task_id': 't?x=1'}, {}, 'task_id must be'),
    ('task_id encoded dots', TASK, {'job_id': 'job-1', 'task_id': '%2e%2e'}, {}, 'task_id must be'),
    ('task_id space', TASK, {'job_id': 'job-1', 'task_id': 'task 1'}, {}, 'task_id must be'),
    ('task_id unicode', TASK, {'job_id': 'job-1', 'task_id': 'tâche'}, {}, 'task_id must be'),
    ('task module job_id traversal', TASK, {'job_id': '../jobs', 'task_id': 'task-1'}, {}, 'job_id must be'),
    ('task_ids with a slash', TASK, {'job_id': 'job-1', 'task_ids': ['t1', 't/2']}, {}, 'task_ids must be'),
    ('task module without job_id', TASK, {'task_id': 'task-1'}, {}, 'job_id'),
    ('task_id and task_filter', TASK, {'job_id': 'job-1', 'task_id': 't', 'task_filter': "state eq 'running'"}, {},
     'task_id|task_ids|task_filter'),
    # batch_url: https://<account>.<region>.batch.azure.com and nothing more.
    ('batch_url http', JOB, {'job_id': 'j', 'batch_url': 'http://acct.westeurope.batch.azure.com'}, {}, 'batch_url must'),
    ('batch_url userinfo', JOB, {'job_id': 'j', 'batch_url': 'https://admin:%s@acct.westeurope.batch.azure.com' % SECRET_WORD},
     {}, 'batch_url must'),
    ('batch_url path', JOB, {'job_id': 'j', 'batch_url': HOST + '/jobs'}, {}, 'batch_url must'),
    ('batch_url query', JOB, {'job_id': 'j', 'batch_url': HOST + '?api-version=1'}, {}, 'batch_url must'),
    ('batch_url fragment', JOB, {'job_id': 'j', 'batch_url': HOST + '#x'}, {}, 'batch_url must'),
    ('batch_url no host', JOB, {'job_id': 'j', 'batch_url': 'https://'}, {}, 'batch_url must'),
    ('batch_url no scheme', JOB, {'job_id': 'j', 'batch_url': 'acct.westeurope.batch.azure.com'}, {}, 'batch_url must'),
    ('batch_url ftp', JOB, {'job_id': 'j', 'batch_url': 'ftp://acct.westeurope.batch.azure.com'}, {}, 'batch_url must'),
    ('batch_url bad port', JOB, {'job_id': 'j', 'batch_url': HOST + ':99999'}, {}, 'batch_url must'),
    ('batch_url broken IPv6', JOB, {'job_id': 'j', 'batch_url': 'https://[::1'}, {}, 'batch_url must'),
    ('batch_url missing', JOB, {'job_id': 'j', 'batch_url': None}, {}, 'batch_url is required'),
    ('batch_url from env with path', JOB, {'job_id': 'j', 'batch_url': None}, {'AZURE_BATCH_ENDPOINT': HOST + '/x'},
     'batch_url must'),
    # api_version.
    ('api_version word', JOB, {'job_id': 'j', 'api_version': 'latest'}, {}, 'api_version must look like'),
    ('api_version short', JOB, {'job_id': 'j', 'api_version': '2024-07-01.20'}, {}, 'api_version must look like'),
    ('api_version injection', TASK, dict(TASK_ARGS, api_version='2024-07-01.20.0&timeout=1'), {}, 'api_version must look like'),
    ('api_version empty', TASK, dict(TASK_ARGS, api_version=''), {}, 'api_version must look like'),
    # The account key.
    ('key not base64', JOB, {'job_id': 'j', 'batch_account_key': 'not base64!%s' % SECRET_WORD}, {}, 'batch_account_key'),
    ('key only padding', JOB, {'job_id': 'j', 'batch_account_key': '===='}, {}, 'batch_account_key'),
    ('key bad padding', TASK, dict(TASK_ARGS, batch_account_key='abc'), {}, 'batch_account_key'),
    ('key empty', JOB, {'job_id': 'j', 'batch_account_key': ''}, {}, 'batch_account_key'),
    # Numbers out of range.
    ('wait_timeout negative', JOB, {'job_id': 'j', 'wait': True, 'wait_timeout': -5}, {}, 'wait_timeout must be'),
    ('wait_timeout zero', TASK, dict(TASK_ARGS, wait=True, wait_timeout=0), {}, 'wait_timeout must be'),
    ('wait_timeout text', JOB, {'job_id': 'j', 'wait_timeout': 'soon'}, {}, 'wait_timeout'),
    ('parallel zero', JOB, {'job_ids': ['a', 'b'], 'parallel': 0}, {}, 'parallel must be'),
    ('parallel too many', TASK, {'job_id': 'job-1', 'task_ids': ['a'], 'parallel': 65}, {}, 'parallel must be'),
    ('server_timeout zero', JOB, {'job_id': 'j', 'server_timeout': 0}, {}, 'server_timeout must be'),
    ('server_timeout over 30', JOB, {'job_id': 'j', 'server_timeout': 31}, {}, 'server_timeout must be'),
    ('retries negative', JOB, {'job_id': 'j', 'retries': -1}, {}, 'retries must be'),
    ('retries too many', TASK, dict(TASK_ARGS, retries=11), {}, 'retries must be'),
    ('request_timeout zero', JOB, {'job_id': 'j', 'request_timeout': 0}, {}, 'request_timeout must be'),
    ('force not a boolean', JOB, {'job_id': 'j', 'force': 'maybe'}, {}, 'force'),
    # Other header and query values.
    ('client_request_id not a uuid', JOB, {'job_id': 'j', 'client_request_id': 'abc\r\nX-Injected: 1'}, {}, 'client_request_id must be'),
    ('if_modified_since words', JOB, {'job_id': 'j', 'if_modified_since': 'yesterday'}, {}, 'if_modified_since must be'),
    ('if_unmodified_since impossible date', TASK, dict(TASK_ARGS, if_unmodified_since='2024-13-45T00:00:00Z'), {},
     'if_unmodified_since must be'),
    ('unknown option', JOB, {'job_id': 'j', 'batch_key': 'x'}, {}, 'batch_key'),
    # Clouds and authorities.
    ('unknown cloud', JOB, {'job_id': 'j', 'cloud_environment': 'AzureMoonCloud'}, {}, 'cloud_environment'),
    ('unknown cloud from env', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='client_secret', client_id='app', tenant='t',
                                         secret=SECRET_WORD), {'AZURE_CLOUD_ENVIRONMENT': 'AzureGermanCloud'}, 'cloud_environment must be'),
    ('authority_host http', JOB, {'job_id': 'j', 'authority_host': 'http://login.example.com'}, {}, 'authority_host must be'),
    # Partial or missing credentials.
    ('shared_key without key', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='shared_key', batch_account_name='acct'), {},
     'batch_account_key'),
    ('shared_key without name', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='shared_key', batch_account_key='a2V5'), {},
     'batch_account_name'),
    ('auto with a key only', TASK, dict(TASK_ARGS, batch_account_name=None), {}, 'batch_account_name'),
    ('client_secret without secret', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='client_secret', client_id='app',
                                               tenant='tenant'), {}, 'secret'),
    ('client_secret without tenant', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='client_secret', client_id='app',
                                               secret=SECRET_WORD), {}, 'tenant'),
    ('auto with a secret but no client_id', JOB, dict(NO_SHARED_KEY, job_id='j', secret=SECRET_WORD, tenant='t'), {}, 'client_id'),
    ('certificate without a path', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='certificate', client_id='app', tenant='t'), {},
     'client_certificate_path'),
    ('workload_identity without a token file', TASK, dict(TASK_ARGS, auth_source='workload_identity', client_id='app', tenant='t',
                                                          **NO_SHARED_KEY), {}, 'federated_token_file'),
    ('env source with nothing set', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='env'), {}, 'AZURE_BATCH_ACCOUNT'),
    ('env source with a partial pair', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='env'), {'AZURE_BATCH_ACCOUNT': 'acct'},
     'AZURE_BATCH_ACCESS_KEY'),
    ('credential_file missing', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='credential_file'), {}, 'profile'),
    ('unknown auth_source', JOB, {'job_id': 'j', 'auth_source': 'password'}, {}, 'auth_source'),
    ('no credential at all', JOB, dict(NO_SHARED_KEY, job_id='j'), {'PATH': '/nonexistent'}, 'batch_account_name'),
    # Files that do not exist.
    ('ca_path missing', JOB, {'job_id': 'j', 'ca_path': '/nonexistent/ca.pem'}, {}, 'ca_path'),
    ('client certificate missing', JOB, dict(NO_SHARED_KEY, job_id='j', auth_source='certificate', client_id='app', tenant='t',
                                             client_certificate_path='/nonexistent/cert.pem'), {}, 'client_certificate_path'),
    ('federated token file missing', TASK, dict(TASK_ARGS, auth_source='workload_identity', client_id='app', tenant='t',
                                                federated_token_file='/nonexistent/token', **NO_SHARED_KEY), {},
     'federated_token_file'),
    # Numbers that are not finite: NaN passes every comparison, infinity every lower bound.
    ('request_timeout nan', JOB, {'job_id': 'j', 'request_timeout': float('nan')}, {}, 'request_timeout must be a finite number'),
    ('request_timeout nan text', TASK, dict(TASK_ARGS, request_timeout='nan'), {}, 'request_timeout must be a finite number'),
    ('request_timeout infinity', JOB, {'job_id': 'j', 'request_timeout': float('inf')}, {}, 'request_timeout must be a finite number'),
    ('request_timeout minus infinity', TASK, dict(TASK_ARGS, request_timeout='-inf'), {}, 'request_timeout must be a finite number'),
    # Times outside datetime's range once their offset is applied, and characters HTTP headers cannot carry.
    ('if_unmodified_since year 1 with an offset', JOB, {'job_id': 'j', 'if_unmodified_since': '0001-01-01T00:00:00+01:00'}, {},
     'if_unmodified_since must be'),
    ('if_modified_since year 9999 behind UTC', TASK, dict(TASK_ARGS, if_modified_since='9999-12-31T23:30:00-01:00'), {},
     'if_modified_since must be'),
    ('if_modified_since rfc1123 year 1 with an offset', JOB, {'job_id': 'j', 'if_modified_since': 'Mon, 01 Jan 0001 00:00:00 +0100'},
     {}, 'if_modified_since must be'),
    ('if_match not latin-1', JOB, {'job_id': 'j', 'if_match': '0x8D€1'}, {}, 'if_match must be Latin-1'),
    ('if_none_match not latin-1', TASK, dict(TASK_ARGS, if_none_match='💥'), {}, 'if_none_match must be Latin-1'),
    ('batch_account_name not latin-1', JOB, {'job_id': 'j', 'batch_account_name': 'acctł'}, {}, 'batch_account_name must be'),
    # Header injection.
    ('if_match with a line break', JOB, {'job_id': 'j', 'if_match': '"0x8D1"\r\nX-Injected: 1'}, {}, 'if_match'),
]

# Rows that do not pass yet (strict xfail, so a fix shows up as XPASS and the row moves to ROWS).
KNOWN_GAPS = []

# A NUL byte never reaches the module's own check on most releases: ansible-core logs each module invocation to syslog
# before the module runs, and syslog refuses the byte. 2.20 and newer fail there with a sentence of their own.
CORE = tuple(int(part) for part in ansible_core_version.split('.')[:2])
NUL_ROW = ('job_id nul byte', JOB, {'job_id': 'a\x00b'}, {}, 'job_id must be' if CORE < (2, 20) else 'embedded null character')
if CORE < (2, 19):
    KNOWN_GAPS.append(NUL_ROW + ('ansible-core before 2.19 raises ValueError "embedded null character" in AnsibleModule() '
                                 'while logging the invocation to syslog, before the module can check its options',))
else:
    ROWS.append(NUL_ROW)


CASES = [pytest.param(*row[1:], id=row[0]) for row in ROWS] + [
    pytest.param(*row[1:5], id=row[0], marks=pytest.mark.xfail(strict=True, reason=row[5])) for row in KNOWN_GAPS]


def test_the_table_is_big_enough():
    assert len(ROWS) >= 50 and len({row[0] for row in ROWS + KNOWN_GAPS}) == len(ROWS) + len(KNOWN_GAPS)


@pytest.mark.parametrize('module_kind, args, environment, expected', CASES)
def test_bad_input_fails_with_one_sentence_before_any_request(run_module, emulator, monkeypatch, module_kind, args, environment,
                                                              expected):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    module = batch_job_terminate if module_kind == JOB else batch_task_terminate
    emulator.admin.clear_requests()
    result = run_module(module, **args)
    message = result.get('msg', '')
    assert result.get('failed') is True, result
    assert expected in message, message
    assert 'exception' not in result and 'Traceback' not in message
    assert '\n' not in message.rstrip() and len(message) < 1000
    assert SECRET_WORD not in str(dict(result, invocation=None))
    assert emulator.admin.requests() == []
