# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of user input that run before any request is sent; each failure is one sentence."""

import math
import os
import re
import uuid
from urllib.parse import urlsplit

# Batch ids: "any combination of alphanumeric characters including hyphens and underscores,
# and cannot contain more than 64 characters" (Job - Add / Task - Add, id property).
_ID = re.compile(r'\A[A-Za-z0-9_-]{1,64}\Z')
# The jobs a job schedule creates are named by the service "<schedule id>:job-<n>" (seen in use, for example
# azure-sdk-for-net issue 4374; the format is not documented), so job ids may have that form too.
_JOB_ID = re.compile(r'\A[A-Za-z0-9_-]{1,64}(:job-[0-9]{1,10})?\Z', re.IGNORECASE)
_API_VERSION = re.compile(r'\A\d{4}-\d{2}-\d{2}(\.\d+\.\d+)?\Z')


class InputError(ValueError):
    """Bad input; the message names the option and what is allowed."""


def check_id(option, value):
    if not isinstance(value, str) or not _ID.match(value):
        raise InputError('%s must be 1 to 64 letters, digits, hyphens or underscores; got %s.' % (option, _show(value)))
    return value


def check_job_id(option, value):
    if not isinstance(value, str) or not _JOB_ID.match(value):
        raise InputError("%s must be 1 to 64 letters, digits, hyphens or underscores, or the id of a job a job schedule "
                         "made (such as nightly:job-1); got %s." % (option, _show(value)))
    return value


def check_ids(option, values, check=check_id):
    """Check every id and drop case-insensitive duplicates; an empty list is valid and means nothing to do."""
    seen = {}
    for value in values:
        check(option, value)
        # Batch ids are case-insensitive: "job-A" and "job-a" are one job.
        seen.setdefault(value.lower(), value)
    return list(seen.values())


def check_batch_url(value):
    if not value:
        raise InputError('batch_url is required: set batch_url or the AZURE_BATCH_ENDPOINT environment variable '
                         '(for example https://myaccount.westeurope.batch.azure.com).')
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise InputError('batch_url must be https://<account>.<region>.batch.azure.com; %s is not a valid URL.' % _show(value)) from None
    problem = None
    if parts.scheme != 'https':
        problem = 'it must use https'
    elif not parts.hostname:
        problem = 'it has no host'
    elif parts.username is not None or parts.password is not None:
        problem = 'it must not contain a user name or password'
    elif parts.path not in ('', '/'):
        problem = 'it must not have a path'
    elif parts.query or parts.fragment or value.rstrip().endswith(('?', '#')):
        problem = 'it must not have a query or fragment'
    elif port == 0:
        problem = 'its port is not valid'
    if problem:
        raise InputError('batch_url must be https://<account>.<region>.batch.azure.com; %s (got %s).' % (problem, _show(_safe_url(value))))
    return value.rstrip('/')


def check_api_version(value):
    if not _API_VERSION.match(value or ''):
        raise InputError('api_version must look like 2024-07-01.20.0; got %s.' % _show(value))
    return value


def check_uuid(option, value):
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise InputError('%s must be a UUID such as 9f3c1c9e-4e2b-4c8e-9a53-5b1f0f6f2f6e; got %s.' % (option, _show(value))) from None


def check_finite(option, value):
    """A number option must be a finite number: NaN passes every comparison and infinity every lower bound."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError('%s must be a finite number; got %s.' % (option, value))
    return value


def check_numbers(argument_spec, params):
    """Every int and float option of an argument spec is finite, whether or not it has a range check of its own."""
    for option, spec in argument_spec.items():
        if spec.get('type') in ('int', 'float'):
            check_finite(option, params.get(option))


def check_range(option, value, low, high=None):
    """A number from low to high (or at least low); never NaN or infinite. None means the option is not set."""
    if value is None:
        return value
    check_finite(option, value)
    if value < low or (high is not None and value > high):
        allowed = 'from %s to %s' % (low, high) if high is not None else 'at least %s' % low
        raise InputError('%s must be %s; got %s.' % (option, allowed, value))
    return value


def check_files(paths):
    """Each option that names a file must name a readable one (None means the option is not used)."""
    for option, path in paths.items():
        if path is not None and not (os.path.isfile(path) and os.access(path, os.R_OK)):
            raise InputError('%s must name a readable file; %s is not one.' % (option, _show(path)))


def check_header_value(option, value):
    """A value sent as an HTTP header must be one line of printable text that HTTP can carry (Latin-1)."""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise InputError('%s must be a single line without control characters; got %s.' % (option, _show(value)))
    if any(ord(char) > 255 for char in value):
        raise InputError('%s must be Latin-1 text (an HTTP header cannot carry other characters); got %s.'
                         % (option, _show(value)))
    return value


def _safe_url(value):
    """A URL for an error message, without any user:password part."""
    return re.sub(r'//[^/@]*@', '//<userinfo>@', str(value))


def _show(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + '...'
