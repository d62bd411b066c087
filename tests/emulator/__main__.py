"""Command line: ``python -m tests.emulator serve|run [options] [-- CMD ARGS...]``.

serve  runs in the foreground until SIGTERM or SIGINT and prints the shell lines that point the collection's
       modules at it; with --state-file it writes the BATCH_EMULATOR_* values as JSON there (atomically) once
       it is ready, and removes it on exit. With --state-dir the CA, the account key and the port stay the same
       across restarts (state_dir.py).
run    starts the emulator, runs CMD with the BATCH_EMULATOR_* variables and the ones the modules read
       (AZURE_BATCH_ENDPOINT, AZURE_BATCH_ACCOUNT, AZURE_BATCH_ACCESS_KEY, REQUESTS_CA_BUNDLE) added to its
       environment, stops the emulator and exits with CMD's exit code.
"""

import argparse
import errno
import os
import signal
import subprocess
import sys
import threading

from . import Emulator
from .seed_file import SeedFileError, load_seed
from .state_dir import export_lines, load_account, module_env, save_account, write_bundle, write_env_file
from .store import SeedError


def _parser():
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description="Local Azure Batch service emulator.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "serve until SIGTERM/SIGINT"), ("run", "run a command against a fresh emulator")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--port", type=int, default=0,
                         help="port on 127.0.0.1 (default: the last one of --state-dir if free, else any free port)")
        sub.add_argument("--state-dir", help="keep the CA, the account key and the port here across restarts "
                                             "(e.g. ~/.azure-batch-emulator; default: a temporary directory)")
        sub.add_argument("--state-file", help="write the BATCH_EMULATOR_* values here as JSON once ready "
                                              "(default with --state-dir: STATE_DIR/emulator.json)")
        sub.add_argument("--terminate-delay", type=float, default=1.0, help="seconds a terminated job stays terminating")
        sub.add_argument("--latency-ms", type=int, default=0, help="milliseconds added to every Batch API answer")
        sub.add_argument("--page-size", type=int, default=1000, help="most items in one list page")
        sub.add_argument("--seed-file", help="jobs, tasks and job schedules to start with: YAML or JSON like the body of "
                                             "POST /_admin/seed, {jobs: [...], jobSchedules: [...]}")
        sub.add_argument("--account-name", help="the Batch account name (default: the one kept in --state-dir, else devaccount)")
        sub.add_argument("--account-key", help="base64 Shared Key (default: the one kept in --state-dir, else a random key)")
        sub.add_argument("--export", action="append", default=[], metavar="NAME=VALUE",
                         help="one more variable to export with the others, e.g. ANSIBLE_COLLECTIONS_PATH=DIR (repeatable)")
        sub.add_argument("--path-prepend", metavar="DIR",
                         help="put DIR first on PATH too, e.g. the .venv/bin whose ansible-playbook has the modules' requirements")
        if name == "run":
            sub.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    return parser


class StartError(Exception):
    """The emulator cannot start as asked; the message is one sentence for the user."""


def _extra_env(args):
    extra = {}
    for item in args.export:
        name, equals, value = item.partition("=")
        if not name.isidentifier() or not equals:
            raise StartError(f"--export takes NAME=VALUE with a shell variable name, not {item!r}.")
        extra[name] = value
    return extra


def _start(args):
    args.extra_env = _extra_env(args)
    jobs, schedules = load_seed(args.seed_file) if args.seed_file else ([], [])
    state_dir = os.path.abspath(os.path.expanduser(args.state_dir)) if args.state_dir else None
    account = load_account(state_dir, args.account_name, args.account_key) if state_dir else {
        "name": args.account_name or "devaccount", "key": args.account_key, "port": 0}
    ports = [args.port] if args.port or not account["port"] else [account["port"], 0]
    for port in ports:
        try:
            emulator = Emulator(account_name=account["name"], account_key=account["key"], terminate_delay=args.terminate_delay,
                                latency_ms=args.latency_ms, state_dir=state_dir, port=port, page_size=args.page_size)
        except ValueError as exc:
            raise StartError(f"--account-key: {exc}.") from None
        try:
            emulator.start()
            break
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or port == ports[-1]:
                raise StartError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}.") from None
            print(f"port {port} is taken; the emulator takes another one: export the new AZURE_BATCH_ENDPOINT.", file=sys.stderr)
    try:
        emulator.store.seed(jobs, schedules)
    except (SeedError, ValueError, TypeError, KeyError) as exc:
        emulator.stop()
        raise StartError(f"--seed-file {args.seed_file}: {exc}.") from None
    directory = os.path.dirname(emulator.ca_path)
    emulator.bundle = write_bundle(directory, emulator.ca_path, os.environ)
    save_account(state_dir or directory, emulator.account_name, emulator.account_key, int(emulator.url.rsplit(":", 1)[1]))
    state_file = args.state_file or (os.path.join(state_dir, "emulator.json") if state_dir else None)
    if state_file:
        emulator.state_file = os.path.abspath(state_file)
        emulator.write_state_file(emulator.state_file)
    return emulator


def _remove_state_file(emulator):
    if emulator.state_file:
        try:
            os.unlink(emulator.state_file)
        except FileNotFoundError:
            pass


def _announce(emulator, state_dir, extra_env, path_prepend):
    """Print the shell lines to export (stdout) and what they mean (stderr); no secret is printed."""
    directory = state_dir or os.path.dirname(emulator.ca_path)
    lines = export_lines(emulator, emulator.bundle, directory, extra_env, path_prepend)
    env_file = write_env_file(directory, lines)
    print(f"Azure Batch emulator listening on {emulator.url} (account {emulator.account_name}); "
          f"jobs, tasks and schedules in memory only. Export these, or source {env_file}:", file=sys.stderr)
    print("\n".join(lines), flush=True)
    print(f"REQUESTS_CA_BUNDLE replaces the CA bundle of every requests-based HTTPS client in that shell: "
          f"{emulator.bundle} is the bundle in use when the emulator started plus its CA. "
          f"To trust the emulator per task instead, give the modules ca_path: {emulator.ca_path}", file=sys.stderr, flush=True)


def serve(args):
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    emulator = _start(args)
    try:
        _announce(emulator, os.path.abspath(os.path.expanduser(args.state_dir)) if args.state_dir else None, args.extra_env,
                  args.path_prepend)
        stop.wait()
    finally:
        emulator.stop()
        _remove_state_file(emulator)
    return 0


def run(args):
    command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not command:
        print("run needs a command after --", file=sys.stderr)
        return 2
    emulator = _start(args)
    env = {**os.environ, **emulator.env(), **module_env(emulator, emulator.bundle), **args.extra_env}
    if args.path_prepend:
        env["PATH"] = args.path_prepend + os.pathsep + env.get("PATH", "")
    try:
        child = subprocess.Popen(command, env=env)  # pylint: disable=consider-using-with
    except OSError as exc:
        print(f"cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
        emulator.stop()
        _remove_state_file(emulator)
        return 127
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    try:
        while True:
            try:
                code = child.wait()
                return 128 - code if code < 0 else code
            except KeyboardInterrupt:
                child.send_signal(signal.SIGINT)
    finally:
        emulator.stop()
        _remove_state_file(emulator)


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return serve(args) if args.command == "serve" else run(args)
    except (SeedFileError, StartError) as exc:
        print(f"python -m tests.emulator {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
