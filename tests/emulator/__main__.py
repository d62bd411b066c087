"""Command line: ``python -m tests.emulator serve|run [options] [-- CMD ARGS...]``.

serve  runs in the foreground until SIGTERM or SIGINT; with --state-file it writes the
       BATCH_EMULATOR_* values as JSON there (atomically) once it is ready, and removes it on exit.
run    starts the emulator, runs CMD with the BATCH_EMULATOR_* variables added to its
       environment, stops the emulator and exits with CMD's exit code.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading

from . import Emulator


def _parser():
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description="Local Azure Batch service emulator.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "serve until SIGTERM/SIGINT"), ("run", "run a command against a fresh emulator")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
        sub.add_argument("--state-file", help="write the BATCH_EMULATOR_* values here as JSON once ready")
        sub.add_argument("--terminate-delay", type=float, default=1.0, help="seconds a terminated job stays terminating")
        sub.add_argument("--latency-ms", type=int, default=0, help="milliseconds added to every Batch API answer")
        sub.add_argument("--page-size", type=int, default=1000, help="most items in one list page")
        sub.add_argument("--seed-file", help="JSON like POST /_admin/seed: {\"jobs\": [...]}")
        sub.add_argument("--account-name", default="devaccount")
        sub.add_argument("--account-key", help="base64 Shared Key (default: a random key)")
        if name == "run":
            sub.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    return parser


def _start(args):
    emulator = Emulator(account_name=args.account_name, account_key=args.account_key, terminate_delay=args.terminate_delay,
                        latency_ms=args.latency_ms, port=args.port, page_size=args.page_size)
    emulator.start()
    if args.seed_file:
        with open(args.seed_file, encoding="utf-8") as handle:
            emulator.store.seed(json.load(handle).get("jobs") or [])
    if args.state_file:
        emulator.state_file = os.path.abspath(args.state_file)
        emulator.write_state_file(emulator.state_file)
    return emulator


def _remove_state_file(emulator):
    if emulator.state_file:
        try:
            os.unlink(emulator.state_file)
        except FileNotFoundError:
            pass


def serve(args):
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    emulator = _start(args)
    try:
        print(f"Azure Batch emulator listening on {emulator.url} (account {emulator.account_name})", file=sys.stderr, flush=True)
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
    try:
        child = subprocess.Popen(command, env={**os.environ, **emulator.env()})  # pylint: disable=consider-using-with
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
    return serve(args) if args.command == "serve" else run(args)


if __name__ == "__main__":
    sys.exit(main())
