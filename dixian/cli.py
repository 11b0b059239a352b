"""The ``dixian`` command: Dixian's management commands, and Django's behind them."""

from __future__ import annotations

import os
import sys

# Dixian's own commands, in the order ``dixian --help`` lists them.
DIXIAN_APPS = ("dixian.",)
# Commands that can run for minutes: the command line shows their progress and elapsed time
# (``demo``, ``import`` and ``reconcile`` show their own steps as well).
PROGRESS_COMMANDS = {"synth", "quality", "screen", "feed", "nightly", "export"}


def _print_help() -> None:
    from django.core.management import get_commands, load_command_class

    print("Usage: dixian COMMAND [options]   (dixian COMMAND --help for each)\n")
    print("Dixian commands:")
    for name, app in sorted(get_commands().items()):
        if app.startswith(DIXIAN_APPS):
            command = load_command_class(app, name)
            summary = (command.help or "").strip().splitlines()[0] if command.help else ""
            print(f"  {name:<12} {summary}")
    print("\nEvery Django management command works too (dixian migrate, dixian check, …).")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dixian.settings")
    from dixian.env import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"dixian: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"}:
        _print_help()
        return
    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError

    from dixian.core.storage import StoreError

    try:
        if argv[1] in PROGRESS_COMMANDS and not any(a in ("-h", "--help") for a in argv[2:]):
            # long work: bars for what the command tracks (dixian.core.progress), and the
            # command's own elapsed time
            from dixian.core import progress

            with progress.shown(), progress.task(f"dixian {argv[1]}", total=1) as done:
                execute_from_command_line(["dixian", *argv[1:]])
                done()
            return
        execute_from_command_line(["dixian", *argv[1:]])
    except (OperationalError, InterfaceError) as exc:
        # The database went away mid-command (restart, failover): its open transaction was
        # rolled back; every Dixian step is atomic and safe to run again.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"dixian: the database is not reachable ({first}). The step in progress was "
              "rolled back; run the command again when the database is back.", file=sys.stderr)
        raise SystemExit(3) from None
    except StoreError as exc:
        print(f"dixian: {exc.strerror}", file=sys.stderr)
        raise SystemExit(4) from None


if __name__ == "__main__":
    main()
