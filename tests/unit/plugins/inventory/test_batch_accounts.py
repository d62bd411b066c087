# -*- coding: utf-8 -*-
"""The batch_accounts inventory plugin through ansible-inventory, against the emulated fleet's ARM routes."""

import json

import requests

from ansible_collections.azure_batch.ops.tests.unit.plugins.inventory.conftest import ACCOUNTS, ansible_cli

QUOTA_VARS = ('active_job_and_job_schedule_quota', 'dedicated_core_quota', 'low_priority_core_quota', 'pool_quota')


def inventory_list(path, env, *extra):
    done = ansible_cli('inventory', ['-i', str(path), '--list'] + list(extra), dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED='true'))
    return done, (json.loads(done.stdout, object_hook=_plain) if done.returncode == 0 else None)


def flat(text):
    """Output with line breaks and runs of spaces made single spaces (ansible-core 2.16 wraps warnings)."""
    return ' '.join(text.split())


def _plain(value):
    """ansible-core 2.19 lists values a plugin set as {"__ansible_unsafe": value} (not trusted as templates)."""
    return value['__ansible_unsafe'] if set(value) == {'__ansible_unsafe'} else value


def hosts_of(listing):
    return sorted(listing['_meta']['hostvars'])


def assert_no_secret(fleet, text):
    assert fleet.identity.client_secret not in text
    assert 'eyJ' not in text  # no token
    for account in fleet.accounts:
        assert account.account_key not in text


def test_every_account_of_every_visible_subscription_is_a_host(fleet, fleet_env, write_inventory):
    done, listing = inventory_list(write_inventory(), fleet_env)
    assert done.returncode == 0, done.stderr
    assert hosts_of(listing) == ['acct%02d' % n for n in range(1, ACCOUNTS + 1)]  # two ARM pages per subscription
    hostvars = listing['_meta']['hostvars']
    for account in fleet.accounts:
        variables = hostvars[account.account_name]
        assert variables['batch_url'] == account.url
        assert variables['ansible_connection'] == 'local'
        if account.account_name == 'acct05':  # UserSubscription: ARM leaves the core quotas out
            assert variables['pool_allocation_mode'] == 'UserSubscription'
            assert (variables['dedicated_core_quota'], variables['low_priority_core_quota']) == (None, None)
            assert isinstance(variables['active_job_and_job_schedule_quota'], int) and isinstance(variables['pool_quota'], int)
        else:
            assert variables['pool_allocation_mode'] == 'BatchService'
            assert all(isinstance(variables[name], int) for name in QUOTA_VARS)
        assert variables['batch_account_tags']['team'] == 'render'
    assert hostvars['acct02']['subscription_id'] == fleet.subscription_ids[1]
    assert hostvars['acct03']['subscription_id'] == fleet.subscription_ids[0]
    assert hostvars['acct03']['resource_group'] == 'batch-japaneast' and hostvars['acct03']['location'] == 'japaneast'
    assert 'tags' not in hostvars['acct01']  # a play keyword; ansible-core warns about such a variable
    assert_no_secret(fleet, done.stdout + done.stderr)


def test_graph_shows_keyed_and_composed_groups(fleet_env, write_inventory):
    path = write_inventory(keyed_groups=[{'key': 'location', 'prefix': 'location'}, {'key': 'batch_account_tags.env', 'prefix': 'env'}],
                           groups={'big_job_quota': 'active_job_and_job_schedule_quota >= 100'},
                           compose={'region': 'location | upper'})
    done = ansible_cli('inventory', ['-i', str(path), '--graph'], dict(fleet_env, ANSIBLE_INVENTORY_UNPARSED_FAILED='true'))
    assert done.returncode == 0, done.stderr
    graph = done.stdout
    for group, members in {'location_westeurope': ('acct01', 'acct04'), 'location_eastus': ('acct02', 'acct05'),
                           'location_japaneast': ('acct03',), 'env_prod': ('acct01', 'acct03', 'acct05'),
                           'env_dev': ('acct02', 'acct04')}.items():
        section = graph.split('@%s:' % group, 1)[1].split('@', 1)[0]
        assert sorted(line.strip(' |-') for line in section.splitlines() if line.strip(' |-')) == list(members), graph
    assert '@big_job_quota:' in graph
    assert 'Found variable using reserved name' not in done.stderr
    _done, listing = inventory_list(path, fleet_env)
    assert listing['_meta']['hostvars']['acct02']['region'] == 'EASTUS'


def test_filters_by_tag_location_name_and_subscription(fleet, fleet_env, write_inventory):
    _done, listing = inventory_list(write_inventory(tags={'env': 'prod'}), fleet_env)
    assert hosts_of(listing) == ['acct01', 'acct03', 'acct05']
    _done, listing = inventory_list(write_inventory(tags={'env': ['dev', 'test'], 'team': None}, locations=['WestEurope']), fleet_env)
    assert hosts_of(listing) == ['acct04']
    _done, listing = inventory_list(write_inventory(names=['acct0[12]']), fleet_env)
    assert hosts_of(listing) == ['acct01', 'acct02']
    _done, listing = inventory_list(write_inventory(subscriptions=[fleet.subscription_ids[1]]), fleet_env)
    assert hosts_of(listing) == ['acct02', 'acct04']
    _done, listing = inventory_list(write_inventory(tags={'owner': None}), fleet_env)
    assert hosts_of(listing) == []


def test_missing_reader_role_is_one_sentence_naming_the_role(fleet, fleet_env, write_inventory):
    denied = fleet.subscription_ids[1]
    requests.put(fleet.arm_url + '/_fleet/readers', json={denied: []}, verify=fleet.ca_path, timeout=30).raise_for_status()
    # The subscription list leaves out a subscription without a role; naming it gets the 403.
    _done, listing = inventory_list(write_inventory(), fleet_env)
    assert hosts_of(listing) == ['acct01', 'acct03', 'acct05']
    done, _listing = inventory_list(write_inventory(subscriptions=fleet.subscription_ids), fleet_env)
    assert done.returncode != 0
    assert ('The credential may not list the Batch accounts of subscription %s (HTTP 403 AuthorizationFailed): give its '
            'principal the Reader role on the subscription, or on the resource groups that hold the accounts.' % denied) in flat(done.stderr)
    assert 'Traceback' not in done.stderr
    assert_no_secret(fleet, done.stdout + done.stderr)


def test_no_visible_subscription(fleet, fleet_env, write_inventory):
    requests.put(fleet.arm_url + '/_fleet/readers', json={sub: [] for sub in fleet.subscription_ids},
                 verify=fleet.ca_path, timeout=30).raise_for_status()
    done, _listing = inventory_list(write_inventory(), fleet_env)
    assert done.returncode != 0
    assert 'The credential sees no Azure subscription: give its principal the Reader role' in flat(done.stderr)


def test_throttled_listing_is_retried(fleet, fleet_env, write_inventory):
    fleet.accounts[0].admin.set_faults([{'path': '^/subscriptions', 'kind': 'status', 'status': 429, 'retry_after': 0, 'times': 2}])
    done, listing = inventory_list(write_inventory(), fleet_env)
    assert done.returncode == 0, done.stderr
    assert len(hosts_of(listing)) == ACCOUNTS
    assert fleet.accounts[0].admin.faults()['rules'][0]['hits'] == 2


def test_cache_serves_the_second_run(fleet, fleet_env, write_inventory, tmp_path):
    path = write_inventory(cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'),
                           cache_timeout=600)
    _done, listing = inventory_list(path, fleet_env)
    assert len(hosts_of(listing)) == ACCOUNTS
    requests.put(fleet.arm_url + '/_fleet/readers', json={sub: [] for sub in fleet.subscription_ids},
                 verify=fleet.ca_path, timeout=30).raise_for_status()
    done, listing = inventory_list(path, fleet_env)
    assert done.returncode == 0, done.stderr
    assert len(hosts_of(listing)) == ACCOUNTS  # from the cache: ARM would now answer nothing
    cached = ''.join(p.read_text() for p in (tmp_path / 'cache').iterdir())
    assert_no_secret(fleet, cached)
    for cached_file in (tmp_path / 'cache').iterdir():  # (ansible-inventory of ansible-core 2.16 has no --flush-cache)
        cached_file.unlink()
    done, _listing = inventory_list(path, fleet_env)
    assert done.returncode != 0 and 'sees no Azure subscription' in flat(done.stderr)


def test_bad_input_fails_before_any_request(fleet, fleet_env, write_inventory):
    done, _listing = inventory_list(write_inventory(retries=99), fleet_env)
    assert 'retries must be from 0 to 10; got 99.' in flat(done.stderr)
    done, _listing = inventory_list(write_inventory(arm_endpoint='http://management.example'), fleet_env)
    assert 'arm_endpoint must be an https URL with a host only' in flat(done.stderr)
    env = {k: v for k, v in fleet_env.items() if k not in ('AZURE_SECRET', 'AZURE_CLIENT_ID', 'AZURE_TENANT')}
    env.update(AZURE_BATCH_ACCOUNT='acct01', AZURE_BATCH_ACCESS_KEY=fleet.accounts[0].account_key)
    done, _listing = inventory_list(write_inventory(auth_source='auto'), env)
    assert done.returncode != 0 and 'No Batch credential was found' in flat(done.stderr)
    assert_no_secret(fleet, done.stdout + done.stderr)
