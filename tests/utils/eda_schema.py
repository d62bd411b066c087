"""Write the JSON schema of the event source's arguments, extensions/eda/schemas/batch_events.json.

The schema is made from what the source accepts (batch_events.argument_spec(): names, types, defaults, choices) and
from its documentation (the source's options and the azure_batch.ops.auth fragment: descriptions, without Ansible
markup), so editors and automation controllers can check a rulebook's source arguments. A unit test
(tests/unit/extensions/eda/test_eda_schema.py) fails when the file is not what this script writes.

    PYTHONPATH=build/collections python tests/utils/eda_schema.py [--check]
"""

from __future__ import annotations

import json
import os
import re
import sys

import yaml

from ansible_collections.azure_batch.ops.extensions.eda.plugins.event_source import batch_events
from ansible_collections.azure_batch.ops.plugins.doc_fragments.auth import ModuleDocFragment

SCHEMA_PATH = os.path.join('extensions', 'eda', 'schemas', 'batch_events.json')
JSON_TYPES = {'str': 'string', 'path': 'string', 'bool': 'boolean', 'int': 'integer', 'float': 'number'}
MARKUP = re.compile(r'\b[A-Z]+\(([^()]*)\)')


def plain(text):
    return MARKUP.sub(lambda match: match.group(1).split('=', 1)[0] if match.group(0)[0] == 'O' else match.group(1), text)


def documented_options():
    options = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    options.update(yaml.safe_load(batch_events.DOCUMENTATION)['options'])
    return options


def schema():
    docs = documented_options()
    properties = {}
    for name, spec in sorted(batch_events.argument_spec().items()):
        entry = {'type': JSON_TYPES[spec.get('type', 'str')]}
        if spec.get('choices'):
            entry['enum'] = list(spec['choices'])
        if spec.get('default') is not None:
            entry['default'] = spec['default']
        if spec.get('no_log'):
            entry['writeOnly'] = True
        entry['description'] = ' '.join(plain(line) for line in docs[name]['description'])
        properties[name] = entry
    return {
        '$schema': 'https://json-schema.org/draft/2020-12/schema',
        'title': 'azure_batch.ops.batch_events',
        'description': plain(yaml.safe_load(batch_events.DOCUMENTATION)['short_description']),
        'type': 'object',
        'properties': properties,
        'additionalProperties': False,
    }


def rendered():
    return json.dumps(schema(), indent=2, sort_keys=False) + '\n'


def main(arguments):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, SCHEMA_PATH)
    if arguments[:1] == ['--check']:
        with open(path, encoding='utf-8') as handle:
            if handle.read() != rendered():
                sys.exit('%s is out of date: run python tests/utils/eda_schema.py' % SCHEMA_PATH)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(rendered())
    print('Wrote %s' % SCHEMA_PATH)


if __name__ == '__main__':
    main(sys.argv[1:])
