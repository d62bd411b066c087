"""Build the collection's HTML documentation site and check its internal links.

    python tests/utils/docsite.py REPO COLLECTIONS_ROOT OUTPUT

Sources, gathered in OUTPUT/src: README.md as the landing page, docs/*.md and CHANGELOG.md as they are in
the repository (MyST), and one page per module, role and plugin written by `antsibull-docs collection`
from the collection installed under COLLECTIONS_ROOT. sphinx-build turns warnings into errors; then every
link in the HTML that points inside the site must name a file that exists, and an anchor in it.
"""

from __future__ import annotations

import ast
import glob
import html.parser
import os
import re
import shutil
import subprocess
import sys
from urllib.parse import unquote, urlsplit

import yaml
from antsibull_docs_parser.parser import Context, parse as parse_markup
from antsibull_docs_parser.rst import to_rst_plain

COLLECTION = 'azure_batch.ops'
EVENT_SOURCES = os.path.join('extensions', 'eda', 'plugins', 'event_source')
CREDENTIALS = os.path.join('plugins', 'module_utils', 'batch_credentials.py')
AUTH_FRAGMENT = os.path.join('plugins', 'doc_fragments', 'auth.py')
# Read by the modules and the event source besides the option defaults of batch_credentials.ENV_NAMES.
OTHER_ENV = (
    ('IDENTITY_ENDPOINT', 'With O(auth_source=auto), set (as App Service and Container Apps do) it selects V(msi); '
                          'azure-identity reads it with E(IDENTITY_HEADER) for the managed identity token.'),
    ('MSI_ENDPOINT', 'The older name of E(IDENTITY_ENDPOINT); it selects V(msi) the same way.'),
    ('AZURE_CONFIG_DIR', 'Where V(credential_file) finds C(credentials) (default C(~/.azure)).'),
    ('REQUESTS_CA_BUNDLE', 'A CA bundle to trust instead of the default one when O(ca_path) is not set (read by requests). '
                           'It applies to every requests-based HTTPS client in that environment.'),
    ('HTTPS_PROXY', 'A proxy for the Batch endpoint and Entra ID, with E(NO_PROXY) for hosts to reach directly (read by requests).'),
)
GUIDES = ('CHANGELOG.md',)
# antsibull's default logging writes ~/antsibull.log; this one logs beside the site instead (perky format).
ANTSIBULL_CONFIG = '''logging_cfg = {
    version = 1.0
    outputs = {
        logfile = {
            output = twiggy.outputs.FileOutput
            args = [
                %s
            ]
        }
        stderr = {
            output = twiggy.outputs.StreamOutput
            format = twiggy.formats.shell_format
        }
    }
    emitters = {
        all = {
            level = INFO
            output_name = logfile
            filters = []
        }
        problems = {
            level = WARNING
            output_name = stderr
            filters = []
        }
    }
}
'''
LANDING_TOC = '''

```{toctree}
:hidden:
:caption: Reference

collection/index
collection/playbooks
%s
collection/environment_variables
```

```{toctree}
:hidden:
:caption: Guides

%s
```
'''


def gather_sources(repo, collections_root, src):
    if os.path.isdir(src):
        shutil.rmtree(src)
    os.makedirs(os.path.join(src, 'collection'), mode=0o700)  # antsibull-docs wants its directory private
    # Nothing goes to $HOME: ansible's temporary files and galaxy cache (ANSIBLE_HOME), antsibull's log (its config).
    work = os.path.dirname(os.path.abspath(src))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_HOME=os.path.join(work, 'ansible-home'))
    config = os.path.join(work, 'antsibull.cfg')
    with open(config, 'w', encoding='utf-8') as handle:
        handle.write(ANTSIBULL_CONFIG % os.path.join(work, 'antsibull.log'))
    subprocess.run(['antsibull-docs', '--config-file', config, 'collection', '--use-current', '--squash-hierarchy', '--fail-on-error',
                    '--dest-dir', os.path.join(src, 'collection'), COLLECTION], check=True, env=env)
    guides = sorted(os.path.relpath(path, repo) for path in glob.glob(os.path.join(repo, 'docs', '*.md')))
    # Files the guides link to (credential type, execution environment) are served beside them.
    attachments = ['LICENSE'] + [os.path.relpath(path, repo) for path in glob.glob(os.path.join(repo, 'docs', '*'))
                                 if os.path.isfile(path) and not path.endswith('.md')]
    shutil.copyfile(os.path.join(repo, 'docs', 'site', 'ansible_links.rst'), os.path.join(src, 'ansible_links.rst'))
    for relative in guides + attachments + list(GUIDES):
        os.makedirs(os.path.dirname(os.path.join(src, relative)) or src, exist_ok=True)
        shutil.copyfile(os.path.join(repo, relative), os.path.join(src, relative))
    with open(os.path.join(repo, 'README.md'), encoding='utf-8') as readme:
        landing = readme.read()
    sources = []
    for path in sorted(glob.glob(os.path.join(repo, EVENT_SOURCES, '*.py'))):
        name = os.path.splitext(os.path.basename(path))[0]
        sources.append('collection/%s_event_source' % name)
        with open(os.path.join(src, sources[-1] + '.rst'), 'w', encoding='utf-8') as page:
            page.write(event_source_page(repo, path, name))
    env_page = os.path.join(src, 'collection', 'environment_variables.rst')
    with open(env_page, encoding='utf-8') as page:
        plugin_entries = envvar_blocks(page.read())
    # Plugin pages link ansible-core's own variables that antsibull-docs does not always index (which ones depends
    # on the ansible-core release); each gets an entry pointing to Ansible's configuration settings.
    with open(os.path.join(src, 'ansible_links.rst'), encoding='utf-8') as page:
        defined = set(envvar_blocks(page.read())) | set(plugin_entries)
    for path in glob.glob(os.path.join(src, 'collection', '*.rst')):
        with open(path, encoding='utf-8') as page:
            for name in re.findall(r':envvar:`([A-Za-z0-9_\\]+)`', page.read()):
                name = name.replace('\\', '')
                if name not in defined:
                    defined.add(name)
                    plugin_entries[name] = ['    A setting of ansible-core itself; see :ref:`ansible_configuration_settings`.']
    with open(env_page, 'w', encoding='utf-8') as page:
        page.write(environment_variables_page(repo, plugin_entries))
    with open(os.path.join(src, 'collection', 'playbooks.rst'), 'w', encoding='utf-8') as page:
        page.write(playbooks_page(repo))
    toc = '\n'.join(os.path.splitext(path)[0] for path in guides + list(GUIDES))
    with open(os.path.join(src, 'index.md'), 'w', encoding='utf-8') as index:
        index.write(landing + LANDING_TOC % ('\n'.join(sources), toc))


def assigned_constants(path):
    """The constants a Python file assigns (DOCUMENTATION, EXAMPLES, tuples of names), read without running it."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            found.update((target.id, value) for target in node.targets if isinstance(target, ast.Name))
    return found


def rst(text):
    # Plain reStructuredText of Ansible markup; environment variables are shown, not cross-referenced.
    return to_rst_plain(parse_markup(text, Context())).replace(':envvar:', ':literal:')


def cell(lines, indent='       '):
    return ('\n\n' + indent).join(lines)


def event_source_page(repo, path, name):
    """An event source's page from its DOCUMENTATION and EXAMPLES: antsibull-docs documents Ansible plugins only."""
    strings = assigned_constants(path)
    doc = yaml.safe_load(strings['DOCUMENTATION'])
    options = {}
    for fragment in doc.get('extends_documentation_fragment', []):
        fragment_path = os.path.join(repo, 'plugins', 'doc_fragments', fragment.split('.')[-1] + '.py')
        options.update(yaml.safe_load(assigned_constants(fragment_path)['DOCUMENTATION'])['options'])
    options.update(doc.get('options', {}))
    for dropped in strings.get('NOT_SOURCE_OPTIONS', ()):  # fragment options the source does not take
        options.pop(dropped, None)
    fqcn = '%s.%s' % (COLLECTION, name)
    title = '%s event source -- %s' % (fqcn, doc['short_description'])
    out = ['.. _ansible_collections.%s_event_source:' % fqcn, '', title, '=' * len(title), '',
           '.. note::', '   This event source is part of the %s collection. ansible-rulebook runs it as ``%s`` in a '
           'rulebook\'s ``sources``; see :doc:`../docs/eda`.' % (COLLECTION, fqcn), '',
           'Synopsis', '--------', '']
    out += ['- ' + rst(line) for line in doc['description']]
    out += ['', 'Parameters', '----------', '', '.. list-table::', '   :header-rows: 1', '   :widths: 25 75', '',
            '   * - Parameter', '     - Comments']
    for option, spec in sorted(options.items()):
        details = [rst(line) for line in spec.get('description', [])]
        if 'choices' in spec:
            details.append('Choices: ' + ', '.join('``%s``' % choice for choice in spec['choices']))
        if 'default' in spec:
            default = spec['default']
            details.append('Default: ``%s``' % (str(default).lower() if isinstance(default, bool) else default))
        out += ['   * - **%s**' % option.replace('_', '\\_'), '', '       %s' % spec.get('type', 'str'),
                '     - ' + cell(details)]
    if doc.get('notes'):
        out += ['', 'Notes', '-----', ''] + ['- ' + rst(line) for line in doc['notes']]
    out += ['', 'Examples', '--------', '', '.. code-block:: yaml+jinja', '']
    out += ['   ' + line if line else '' for line in strings['EXAMPLES'].strip('\n').splitlines()]
    return '\n'.join(out) + '\n'


def playbook_header(path):
    """The play's name and the comment lines above it (without '# '), as the playbooks document themselves."""
    lines = []
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            if line.startswith('- name:'):
                return line[len('- name:'):].strip().strip('"\''), lines
            if line.startswith('#'):
                lines.append(line[2:].rstrip() if line.startswith('# ') else '')
    return os.path.basename(path), lines


def _escape(text):
    # Escaped dashes keep Sphinx's smart quotes from turning --check into an en dash.
    for char in '\\*`|':
        text = text.replace(char, '\\' + char)
    return text.replace('--', '\\-\\-')


def playbook_section(path):
    """A playbook's section: what it does (prose), how to run it (indented comment lines, as a console block), and its
    variables (the "Variables (-e):" list, as a definition list)."""
    name = os.path.splitext(os.path.basename(path))[0]
    play, lines = playbook_header(path)
    title = '%s.%s -- %s' % (COLLECTION, name, play)
    out = ['.. _ansible_collections.%s.%s_playbook:' % (COLLECTION, name), '', title, '-' * len(title), '']
    in_variables = False
    block = None  # 'text', 'code' or 'vars'
    for line in lines + ['']:
        if line.startswith('Variables (-e):'):
            in_variables, block = True, None
            out += ['', '**Variables** (give them with ``-e``):', '']
            continue
        if not line.strip():
            in_variables = False
            if block:
                out.append('')
            block = None
            continue
        if in_variables:
            if not line.startswith('    '):  # "  name  what it does"
                name_part, text = (line.strip().split(' ', 1) + [''])[:2]
                out += ['``%s``' % name_part, '    ' + _escape(text.strip())]
            else:
                out[-1] += ' ' + _escape(line.strip())
            block = 'vars'
        elif line.startswith('  '):
            if block != 'code':
                out += ['', '.. code-block:: console', '']
            out.append('    ' + line[2:])
            block = 'code'
        else:
            if block == 'code':
                out.append('')
            out.append(_escape(line))
            block = 'text'
    return '\n'.join(out) + '\n'


def playbooks_page(repo):
    """One page for the playbooks of playbooks/, from the comments each starts with."""
    title = 'Playbooks'
    out = ['.. _ansible_collections.%s.playbooks:' % COLLECTION, '', title, '=' * len(title), '',
           'The collection ships these playbooks. Run them by name once the collection is installed '
           '(``ansible-playbook %s.<name>``), or by path from a clone. They run on ``localhost`` and take the '
           'connection from the environment (:ref:`list_of_collection_env_vars`); see '
           ':doc:`../docs/offline` to try them against the bundled emulator.' % COLLECTION, '']
    for path in sorted(glob.glob(os.path.join(repo, 'playbooks', '*.yml'))):
        out.append(playbook_section(path))
    return '\n'.join(out)


def envvar_blocks(text):
    """The `.. envvar::` entries of an RST page, name -> the block's indented lines (already RST)."""
    blocks, name = {}, None
    for line in text.splitlines():
        if line.startswith('.. envvar:: '):
            name = line[len('.. envvar:: '):].strip()
            blocks[name] = []
        elif name and (not line.strip() or line.startswith(' ')):
            blocks[name].append(line)
        else:
            name = None
    return blocks


def environment_variables_page(repo, plugin_entries=None):
    """The index of the environment variables the collection reads. antsibull-docs lists only C(env:) entries of
    plugin options (the inventory plugin's), which module documentation cannot have; the modules' and the event
    source's variables are added to those."""
    env_names = assigned_constants(os.path.join(repo, CREDENTIALS))['ENV_NAMES']
    options = yaml.safe_load(assigned_constants(os.path.join(repo, AUTH_FRAGMENT))['DOCUMENTATION'])['options']
    entries = {}
    for option, names in env_names.items():
        for rank, name in enumerate(names):
            unless = '' if rank == 0 else ' and E(%s) is unset' % names[0]
            entries[name] = ['Used for O(%s) when the task does not set it%s, in every module and in the event source.'
                             % (option, unless), options[option]['description'][0]]
    entries.update((name, [text]) for name, text in OTHER_ENV)
    title = 'Index of all Collection Environment Variables'
    out = ['.. _list_of_collection_env_vars:', '', title, '=' * len(title), '',
           'The modules of %s and its ``batch_events`` event source read these environment variables. '
           'An option given in the task wins; an empty variable counts as unset. '
           'Environment variables of ansible-core itself are documented in :ref:`ansible_configuration_settings`.' % COLLECTION, '']
    blocks = dict(plugin_entries or {})
    for name, lines in entries.items():  # a variable the inventory plugin reads too keeps its "Used by" lines
        plugin_lines = blocks.get(name, [])
        used_by = [index for index, line in enumerate(plugin_lines) if line.strip() == '*Used by:*']
        blocks[name] = ['    ' + rst(line) + '\n' for line in lines] + (plugin_lines[used_by[0]:] if used_by else [])
    for name in sorted(blocks):
        out += ['.. envvar:: %s' % name, ''] + '\n'.join(blocks[name]).strip('\n').split('\n') + ['']
    return '\n'.join(out) + '\n'


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get('id'):
            self.ids.add(attrs['id'])
        if tag == 'a' and attrs.get('href'):
            self.hrefs.append(attrs['href'])


def parse(path):
    links = Links()
    with open(path, encoding='utf-8') as page:
        links.feed(page.read())
    return links


def broken_links(site):
    """Links inside the site whose page or anchor does not exist, as 'page: href' lines."""
    pages = {path: parse(path) for path in glob.glob(os.path.join(site, '**', '*.html'), recursive=True)}
    broken = []
    for page, links in sorted(pages.items()):
        for href in links.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith('mailto:'):
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(page), unquote(parts.path))) if parts.path else page
            if os.path.isdir(target):
                target = os.path.join(target, 'index.html')
            if not os.path.exists(target):
                broken.append('%s: %s (no such file)' % (os.path.relpath(page, site), href))
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                broken.append('%s: %s (no such anchor)' % (os.path.relpath(page, site), href))
    return broken, len(pages)


def main(repo, collections_root, output):
    src, site = os.path.join(output, 'src'), os.path.join(output, 'html')
    gather_sources(repo, collections_root, src)
    if os.path.isdir(site):
        shutil.rmtree(site)
    built = subprocess.call(['sphinx-build', '-b', 'html', '-W', '--keep-going', '-q', '-n',
                             '-c', os.path.join(repo, 'docs', 'site'), src, site])
    if built != 0:
        print('ERROR: sphinx-build reported the warnings above; the site must build without any.', file=sys.stderr)
        return built
    broken, count = broken_links(site)
    for line in broken:
        print('broken link in %s' % line, file=sys.stderr)
    if broken:
        print('ERROR: %d broken internal link(s) in the site.' % len(broken), file=sys.stderr)
        return 1
    print('Built %d pages into %s; every internal link resolves.' % (count, site))
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:4]))
