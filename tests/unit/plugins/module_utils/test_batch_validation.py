# -*- coding: utf-8 -*-
import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import (
    InputError, check_api_version, check_batch_url, check_id, check_ids, check_job_id, check_range, check_uuid,
)


@pytest.mark.parametrize('value', ['a', 'job-1', 'Job_1', 'x' * 64, '0', '-_-'])
def test_valid_ids(value):
    assert check_id('job_id', value) == value


@pytest.mark.parametrize('value', ['', 'x' * 65, 'a/b', '..', 'a?b', 'a%2Fb', 'a b', 'jób', 'a.b', None, 7])
def test_invalid_ids_name_the_option(value):
    with pytest.raises(InputError, match=r'^job_id must be 1 to 64 letters, digits, hyphens or underscores; got '):
        check_id('job_id', value)


@pytest.mark.parametrize('value, valid', [
    ('nightly:job-1', True), ('x' * 64 + ':job-12', True), ('job-1', True), ('a:b', False), (':job-1', False),
    ('a:job-', False), ('a:job-1:job-2', False), ('../x:job-1', False)])
def test_job_ids_may_be_a_schedules_job(value, valid):
    if valid:
        assert check_job_id('job_id', value) == value
        assert check_ids('job_ids', [value, value.upper()], check=check_job_id) == [value]
    else:
        with pytest.raises(InputError, match=r"^job_id must be 1 to 64 letters.*\(such as nightly:job-1\); got "):
            check_job_id('job_id', value)
    with pytest.raises(InputError):
        check_id('job_schedule_id', value if ':' in value else value + ':')


def test_ids_are_deduplicated_case_insensitively_and_empty_is_allowed():
    assert check_ids('job_ids', ['a', 'A', 'b']) == ['a', 'b']
    assert check_ids('job_ids', []) == []


@pytest.mark.parametrize('value, expected', [
    ('https://acct.westeurope.batch.azure.com', 'https://acct.westeurope.batch.azure.com'),
    ('https://acct.westeurope.batch.azure.com/', 'https://acct.westeurope.batch.azure.com'),
    ('https://127.0.0.1:8443', 'https://127.0.0.1:8443'),
])
def test_valid_urls(value, expected):
    assert check_batch_url(value) == expected


@pytest.mark.parametrize('value, reason', [
    ('http://acct.batch.azure.com', 'must use https'),
    ('https://', 'has no host'),
    ('https://user:pw@acct.batch.azure.com', 'user name or password'),
    ('https://acct.batch.azure.com/jobs', 'must not have a path'),
    ('https://acct.batch.azure.com?x=1', 'query or fragment'),
    ('https://acct.batch.azure.com#x', 'query or fragment'),
    ('acct.batch.azure.com', 'must use https'),
    ('https://acct:99999', 'not a valid URL'),
])
def test_invalid_urls(value, reason):
    with pytest.raises(InputError, match='^batch_url must be') as err:
        check_batch_url(value)
    assert reason in str(err.value)
    assert 'pw' not in str(err.value)


def test_missing_url_names_the_environment_variable():
    with pytest.raises(InputError, match='AZURE_BATCH_ENDPOINT'):
        check_batch_url(None)


@pytest.mark.parametrize('value', ['2024-07-01.20.0', '2025-06-01', '2024-02-01.19.0'])
def test_api_versions(value):
    assert check_api_version(value) == value


@pytest.mark.parametrize('value', ['2024-07-01.20', 'latest', '', '2024-7-1.20.0', '2024-07-01.20.0; x'])
def test_bad_api_versions(value):
    with pytest.raises(InputError, match='^api_version must look like'):
        check_api_version(value)


def test_uuid_and_ranges():
    assert check_uuid('client_request_id', '9F3C1C9E-4E2B-4C8E-9A53-5B1F0F6F2F6E') == '9f3c1c9e-4e2b-4c8e-9a53-5b1f0f6f2f6e'
    with pytest.raises(InputError, match='^client_request_id must be a UUID'):
        check_uuid('client_request_id', 'abc')
    assert check_range('server_timeout', 30, 1, 30) == 30
    with pytest.raises(InputError, match='^server_timeout must be from 1 to 30; got 31.$'):
        check_range('server_timeout', 31, 1, 30)
    with pytest.raises(InputError, match='^wait_timeout must be at least 1; got -5.$'):
        check_range('wait_timeout', -5, 1)


@pytest.mark.parametrize('value', [float('nan'), float('inf'), float('-inf')])
@pytest.mark.parametrize('low, high', [(1, None), (1, 600), (0, 10)])
def test_ranges_refuse_numbers_that_are_not_finite(value, low, high):
    # NaN passes every comparison and infinity every lower bound: both went through before.
    with pytest.raises(InputError, match=r'^interval must be a finite number; got -?(nan|inf)\.$'):
        check_range('interval', value, low, high)


def test_every_number_option_of_a_spec_must_be_finite():
    from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_numbers

    spec = {'request_timeout': {'type': 'float'}, 'wait_timeout': {'type': 'int'}, 'name': {'type': 'str'}}
    check_numbers(spec, {'request_timeout': 60.0, 'wait_timeout': 300, 'name': 'nan'})
    check_numbers(spec, {'request_timeout': None, 'wait_timeout': None, 'name': None})
    with pytest.raises(InputError, match='^request_timeout must be a finite number'):
        check_numbers(spec, {'request_timeout': float('nan'), 'wait_timeout': 300})
