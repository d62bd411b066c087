# -*- coding: utf-8 -*-
"""A Shared Key run never imports azure-identity (nor msal); an Entra ID run does, which shows the check works.

The module runs in a fresh Python process, as Ansible runs it, so nothing imported by the tests counts.
"""

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.azure_batch.ops.tests.unit.auth_support import WITHOUT_SHARED_KEY, entra_options, identity

RUN_AND_LIST_IMPORTS = '''
import json, runpy, sys
report = sys.argv.pop()
try:
    runpy.run_module("ansible_collections.azure_batch.ops.plugins.modules.batch_job_info", run_name="__main__")
except SystemExit:
    pass
with open(report, "w") as handle:
    json.dump(sorted(name for name in sys.modules if name.split(".")[0] in ("azure", "msal")), handle)
'''


def _run_module_in_new_process(tmp_path, collections_path, args):
    args_file, report = tmp_path / 'args.json', tmp_path / 'imports.json'
    args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(collections_path)] + sys.path))
    completed = subprocess.run([sys.executable, '-c', RUN_AND_LIST_IMPORTS, str(args_file), str(report)],
                               env=env, capture_output=True, text=True, timeout=120, check=False)
    result = json.loads(completed.stdout)
    return result, json.loads(report.read_text())


@pytest.mark.parametrize('shared_key', [True, False], ids=['shared_key', 'client_secret'])
def test_only_entra_id_imports_azure_identity(shared_key, emulator, auth_env, tmp_path, collections_path):
    args = {'batch_url': emulator.url, 'ca_path': emulator.ca_path, 'max_results': 1}
    if shared_key:
        args.update(auth_source='shared_key', batch_account_name=emulator.account_name, batch_account_key=emulator.account_key)
    else:
        ids = identity(emulator)
        options = entra_options(emulator, auth_source='client_secret', client_id=ids['client_id'], secret=ids['client_secret'],
                                tenant=ids['tenant_id'])
        args.update({name: value for name, value in options.items() if name not in WITHOUT_SHARED_KEY})
    result, imported = _run_module_in_new_process(tmp_path, collections_path, args)
    assert result.get('failed') is not True, result.get('msg')
    assert result['auth_source_used'] == args['auth_source']
    if shared_key:
        assert imported == []
    else:
        assert 'azure.identity' in imported and 'msal' in imported
