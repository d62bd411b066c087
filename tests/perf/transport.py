"""What one Batch request costs in CPU with the modules' client, and with the layers below it.

`python tests/perf/transport.py` takes under a minute; `make bench` does not run it. Against the emulator
without added latency, one thread sends the same signed GET of a job N times through the modules'
BatchClient (its own request preparation and LeanAdapter, over requests' urllib3 pool), requests'
PreparedRequest.prepare plus HTTPAdapter.send (how BatchClient sent before LeanAdapter), a urllib3 connection
pool, and a bare http.client connection. The table shows where the CPU of a bulk terminate goes and what a
lower layer would save; the collection is built on requests. `make bench` measures what importing requests
adds to a module run.
"""

from __future__ import annotations

import argparse
import email.utils
import http.client
import os
import ssl
import sys
import time
import uuid
from urllib.parse import urlsplit

import requests
import urllib3

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from tests.emulator.admin_client import AdminClient  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.process import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position
from tests.perf import harness  # noqa: E402  pylint: disable=wrong-import-position

API_VERSION = '2024-07-01.20.0'
JOB = 'transport-job'


def cpu_per_call(call, count):
    """Milliseconds of CPU (user + system of this process) per call, after one warm-up call."""
    call()
    started = time.process_time()
    for _number in range(count):
        call()
    return (time.process_time() - started) * 1000.0 / count


def signed_headers(auth, url):
    headers = {'client-request-id': str(uuid.uuid4()), 'return-client-request-id': 'true', 'Accept': 'application/json',
               'ocp-date': email.utils.formatdate(usegmt=True)}
    headers['Authorization'] = 'SharedKey %s:%s' % (auth.account_name, auth.signature('GET', url, requests.structures.CaseInsensitiveDict(headers)))
    return headers


def main(arguments):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--requests', type=int, default=500, help='requests per way')
    options = parser.parse_args(arguments)
    workdir = harness.make_workdir()
    with EmulatorProcess(state_dir=workdir) as emulator:
        env = emulator.env()
        AdminClient(env['BATCH_EMULATOR_URL'], env['BATCH_EMULATOR_CA']).add_job(JOB)
        client = harness.module_client(harness.collections_root(workdir), env)
        auth, ca_path = client.auth, env['BATCH_EMULATOR_CA']
        path = '/jobs/%s?api-version=%s' % (JOB, API_VERSION)
        url = env['BATCH_EMULATOR_URL'] + path
        host, port = urlsplit(url).hostname, urlsplit(url).port
        context = ssl.create_default_context(cafile=ca_path)

        adapter = requests.adapters.HTTPAdapter(max_retries=0)
        pool = urllib3.HTTPSConnectionPool(host, port, ssl_context=context, maxsize=1)
        connection = http.client.HTTPSConnection(host, port, context=context)

        def through_adapter():
            prepared = requests.PreparedRequest()
            prepared.prepare(method='GET', url=url, headers=signed_headers(auth, url))
            return adapter.send(prepared, timeout=(10, 60), verify=ca_path).content

        def through_urllib3():
            return pool.urlopen('GET', path, headers=signed_headers(auth, url), retries=False, redirect=False).data

        def through_http_client():
            connection.request('GET', path, headers=signed_headers(auth, url))
            return connection.getresponse().read()

        ways = [('the modules\' BatchClient.get_job (LeanAdapter)', lambda: client.get_job(JOB)),
                ('requests PreparedRequest.prepare + HTTPAdapter.send (the transport before LeanAdapter)', through_adapter),
                ('urllib3 HTTPSConnectionPool.urlopen', through_urllib3),
                ('http.client.HTTPSConnection', through_http_client)]
        rows = [(label, cpu_per_call(call, options.requests)) for label, call in ways]
    print('| way | CPU ms per request |')
    print('| --- | ---: |')
    for label, cpu in rows:
        print('| %s | %.2f |' % (label, cpu))
    print('\n%d signed GETs of one job per way, one thread, emulator without added latency.' % options.requests)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
