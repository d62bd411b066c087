# Sphinx configuration of the azure_batch.ops documentation site; `make docs` builds it into build/docs/html.
# The module and role pages come from antsibull-docs (sphinx_antsibull_ext), the landing page is README.md and the
# guides are docs/*.md (MyST), so the site says what the repository says.

project = 'azure_batch.ops'
copyright = 'azure_batch.ops contributors'  # pylint: disable=redefined-builtin
title = 'azure_batch.ops: stop Azure Batch work from Ansible'
html_short_title = 'azure_batch.ops'

extensions = ['sphinx_antsibull_ext', 'myst_parser']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build']
templates_path = ['_templates']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'
myst_heading_anchors = 3

html_theme = 'sphinx_ansible_theme'
html_title = title
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {'collapse_navigation': False}

# Every reference must resolve: a broken link between pages is an error (sphinx-build -W).
nitpicky = True
default_role = 'any'
