"""Run galaxy-importer on the built tarball as Galaxy and Automation Hub do, and fail on any warning or error.

    GALAXY_IMPORTER_CONFIG=tests/galaxy/galaxy-importer.cfg python tests/galaxy/check_import.py TARBALL WORKDIR

Run with the importer's venv Python (its bin first on PATH, so the importer finds ansible-lint and flake8). Prints the
importer's whole output, then fails when a line is a WARNING or an ERROR, when the importer failed, or when the
import's contents miss a module, a role or the event source, or the event source's documentation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBLEM = ('WARNING:', 'ERROR:', 'CRITICAL:', 'Traceback')
EXPECTED = {
    ('module', 'batch_job_terminate'), ('module', 'batch_task_terminate'), ('module', 'batch_job_schedule_terminate'),
    ('role', 'terminate'), ('eda/plugins/event_source', 'batch_events'),
}


def main(tarball, workdir):
    os.makedirs(workdir, exist_ok=True)
    result_path = os.path.join(workdir, 'importer_result.json')
    if os.path.exists(result_path):
        os.remove(result_path)
    done = subprocess.run([sys.executable, '-m', 'galaxy_importer.main', os.path.abspath(tarball)], cwd=workdir,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    print(done.stdout, end='')
    problems = [line for line in done.stdout.splitlines() if line.startswith(PROBLEM)]
    if done.returncode != 0 or not os.path.exists(result_path):
        problems.append('galaxy-importer failed (exit status %d, no importer_result.json)' % done.returncode)
    else:
        with open(result_path, encoding='utf-8') as handle:
            result = json.load(handle)
        found = {(entry['content_type'], entry['name']): entry for entry in result['contents']}
        problems += ['the import lists no %s %s' % key for key in sorted(EXPECTED - set(found))]
        docs = {(entry['content_type'], entry['content_name']): entry.get('doc_strings') or {}
                for entry in result['docs_blob']['contents']}
        source = docs.get(('eda/plugins/event_source', 'batch_events'), {})
        options = {option['name'] for option in (source.get('doc') or {}).get('options') or []}
        if not {'interval', 'batch_url'} <= options or not source.get('examples'):
            problems.append("the import has no documentation of batch_events (its options, the auth fragment's, examples)")
        print('Contents: %s' % ', '.join('%s %s' % key for key in sorted(found)))
    if problems:
        print('\ngalaxy-importer check FAILED: %d problem(s):\n  %s' % (len(problems), '\n  '.join(problems)))
        return 1
    print('\ngalaxy-importer check passed: no warnings, no errors.')
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:3]))
