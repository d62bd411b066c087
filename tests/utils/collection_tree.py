"""Mirror the collection into an ansible_collections/<namespace>/<name> directory for ansible-test.

    python tests/utils/collection_tree.py SOURCE DESTINATION

Copies the files git would commit (tracked, or untracked and not ignored; without git: every
file outside EXCLUDED), replaces only files that changed, and removes files that are gone,
so a test already running in DESTINATION keeps a usable tree. DESTINATION/tests/output (test
results) is kept. DESTINATION gets its own empty git repository: ansible-test lists a
collection's files through the nearest enclosing repository, which would otherwise be the
source's, where the build directory is ignored.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

EXCLUDED = {'.git', '.venv', '.lanes', 'build', '.ansible', '__pycache__', '.pytest_cache', '.hypothesis'}
KEPT = ('.git', os.path.join('tests', 'output'))


def git_files(source):
    """Relative paths git would commit, or None when source is not in a git work tree."""
    try:
        listing = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                                 cwd=source, check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    paths = [path for path in listing.decode('utf-8', 'surrogateescape').split('\0') if path]
    return {path for path in paths if os.path.lexists(os.path.join(source, path))}


def walked_files(source):
    """Relative paths of every file under source outside EXCLUDED directories."""
    found = set()
    for root, directories, files in os.walk(source):
        directories[:] = [name for name in directories if name not in EXCLUDED]
        relative_root = os.path.relpath(root, source)
        if relative_root == os.path.join('tests', 'output'):
            directories[:] = []
            continue
        found.update(os.path.normpath(os.path.join(relative_root, name)) for name in files if not name.endswith('.pyc'))
    return found


def is_current(source_path, destination_path):
    """True when destination_path already holds source_path's content (same size and mtime, or same link)."""
    if os.path.islink(source_path) or os.path.islink(destination_path):
        return os.path.islink(destination_path) and os.path.islink(source_path) \
            and os.readlink(source_path) == os.readlink(destination_path)
    if not os.path.isfile(destination_path):
        return False
    source_stat, destination_stat = os.stat(source_path), os.stat(destination_path)
    return (source_stat.st_size, source_stat.st_mtime_ns, source_stat.st_mode) == \
        (destination_stat.st_size, destination_stat.st_mtime_ns, destination_stat.st_mode)


def copy_atomically(source_path, destination_path):
    """Replace destination_path with a copy of source_path in one rename."""
    directory = os.path.dirname(destination_path)
    os.makedirs(directory, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix='.sync-', dir=directory)
    os.close(descriptor)
    try:
        if os.path.islink(source_path):
            os.remove(temporary)
            os.symlink(os.readlink(source_path), temporary)
        else:
            shutil.copy2(source_path, temporary)
        os.replace(temporary, destination_path)
    except BaseException:
        if os.path.lexists(temporary):
            os.remove(temporary)
        raise


def remove_stale(destination, wanted):
    """Delete files under destination that are not wanted, and directories left empty, outside KEPT."""
    for root, directories, files in os.walk(destination, topdown=False):
        relative_root = os.path.relpath(root, destination)
        if any(relative_root == kept or relative_root.startswith(kept + os.sep) for kept in KEPT):
            continue
        for name in files + [name for name in directories if os.path.islink(os.path.join(root, name))]:
            relative = os.path.normpath(os.path.join(relative_root, name))
            if relative not in wanted:
                os.remove(os.path.join(root, name))
        if relative_root != '.' and not os.listdir(root):
            os.rmdir(root)


def main(arguments):
    """Mirror arguments[0] into arguments[1]; print a one-line summary."""
    if len(arguments) != 2:
        raise SystemExit('usage: collection_tree.py SOURCE DESTINATION')
    source, destination = (os.path.abspath(argument) for argument in arguments)
    wanted = git_files(source)
    if wanted is None:
        wanted = walked_files(source)
    copied = 0
    for relative in sorted(wanted):
        source_path, destination_path = os.path.join(source, relative), os.path.join(destination, relative)
        if not is_current(source_path, destination_path):
            copy_atomically(source_path, destination_path)
            copied += 1
    remove_stale(destination, wanted)
    if shutil.which('git') and not os.path.isdir(os.path.join(destination, '.git')):
        subprocess.run(['git', 'init', '--quiet', destination], check=True)
    print('Collection tree: %s (%d files, %d updated)' % (destination, len(wanted), copied))


if __name__ == '__main__':
    main(sys.argv[1:])
