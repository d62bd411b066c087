"""Bootstrap pip in an ansible-test virtual environment without downloading get-pip.py.

ansible-test puts pip into each virtual environment it makes by running a cached get-pip.py,
~/.ansible/test/cache/get_pip_<X_Y>.py (X.Y is the pip version that ansible-test release pins: 24.2 for
ansible-core 2.19, 25.2 for 2.21), and downloads that script from its own host when the cache is empty.
Where that host is out of reach (a machine that reaches only a package index, or an air-gapped one with
a mirror), `make` copies this file to that cache name first. ansible-test runs it as

    <venv python> get_pip_X_Y.py --disable-pip-version-check pip==X.Y [setuptools==...] [--no-setuptools] [--no-wheel]

and it does what get-pip.py does with what the interpreter already has: the pip bundled with Python
(ensurepip), then the requested versions from whatever index pip's configuration files name.
ansible-test removes PIP_* variables from the environment, so an air-gapped mirror must be named in a
pip configuration file (pip.conf: index-url, or find-links to a folder of wheels).
"""

import subprocess
import sys

OWN_FLAGS = ('--no-setuptools', '--no-wheel')


def main(arguments):
    requested = [arg for arg in arguments if arg not in OWN_FLAGS]
    # ensurepip runs its bundled pip isolated from configuration; a separate process keeps this one clean.
    bundled = subprocess.call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
    if bundled != 0:
        sys.stderr.write('get_pip_offline: ensurepip failed in %s; this Python cannot bootstrap pip on its own '
                         '(on Debian or Ubuntu install python3-venv).\n' % sys.executable)
        return bundled
    if not any(not arg.startswith('-') for arg in requested):
        return 0
    upgraded = subprocess.call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + requested)
    if upgraded != 0:
        sys.stderr.write('get_pip_offline: could not install %s from the package index pip is configured with; '
                         'name a reachable index or wheel folder in a pip configuration file (index-url or '
                         'find-links).\n' % ' '.join(arg for arg in requested if not arg.startswith('-')))
    return upgraded


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
