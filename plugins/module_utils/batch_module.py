# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""BatchModule: AnsibleModule plus the shared options, input checks, client and the one failure mapper."""

import importlib.util
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import requests  # noqa: F401  pylint: disable=unused-import
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_connection import (
    build_client, check_connection, shared_argument_spec,
)
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_credentials import CredentialError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import describe
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import build_result
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import InputError, check_numbers, check_uuid


class BatchModule:
    """Wraps an AnsibleModule (composition): checks input before any request and maps errors to failures."""

    def __init__(self, argument_spec, **kwargs):
        spec = shared_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.retry_events = []
        self._client = None
        if REQUESTS_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        try:
            check_numbers(spec, self.params)
            self.batch_url, self.credentials = check_connection(self.params)
            if self.params['client_request_id']:
                self.params['client_request_id'] = check_uuid('client_request_id', self.params['client_request_id'])
        except (InputError, CredentialError) as exc:
            self.module.fail_json(msg=str(exc))
        if self.credentials.source != 'shared_key' and importlib.util.find_spec('azure.identity') is None:
            self.module.fail_json(msg=missing_required_lib('azure-identity', reason='auth_source %s' % self.credentials.source))
        if self.params['validate_certs'] is False:
            self.module.warn('validate_certs is false: the TLS certificate of %s is not verified.' % self.batch_url)

    @property
    def diff(self):
        return self.module._diff  # pylint: disable=protected-access

    def validate(self, check, *args):
        """Run one input check; fail the module with its sentence if it does not pass."""
        try:
            return check(*args)
        except InputError as exc:
            return self.module.fail_json(msg=str(exc))

    @property
    def client(self):
        if self._client is None:
            self._client = build_client(self.batch_url, self.credentials, self.params,
                                        pool_size=self.params.get('parallel') or 1, on_event=self.retry_events.append)
        return self._client

    def common_result(self):
        result = {'auth_source_used': self.credentials.used}
        if self.module._verbosity >= 3:  # pylint: disable=protected-access
            result['retry_log'] = list(self.retry_events)
        return result

    def exit(self, **result):
        self.module.exit_json(**dict(self.common_result(), **result))

    def exit_with_results(self, kind, results, single, diff_of=None):
        """Finish a terminate (or patch) run: warnings, the result (and diff), failed if any resource failed."""
        for item in results:
            if item.get('warning'):
                self.module.warn(item['warning'])
        result, failure = build_result(kind, results, single=single, diff=self.diff, diff_of=diff_of)
        if failure:
            self.fail(failure, **result)
        self.exit(**result)

    def fail(self, msg, **result):
        self.module.fail_json(msg=msg, **dict(self.common_result(), **result))

    def fail_from_error(self, err, action, **result):
        """The one mapper from a BatchError to a failed task: a sentence plus the structured fields."""
        self.fail(describe(err, action), **dict(err.detail(), **result))
