"""The `raqib` command line: one module per command, each a thin Typer shell over the
code that does the work (in the same module for one-shot commands, in `workers.runtime`
for the worker).

Expected failures print one line, `raqib: error: ...`, and exit non-zero.
"""

from __future__ import annotations

from importlib import import_module

from workers.cli._common import app, fail
from workers.errors import TransientError

__all__ = ["app", "main"]

# Importing a command module registers its command(s) on `app`, in this order in --help.
for _command in ("broker", "topics", "ingest", "tail", "dlq", "worker", "replay", "process", "demo", "dashboard"):
    import_module(f"workers.cli.{_command}")


def main() -> None:
    try:
        app()
    except TransientError as exc:  # pragma: no cover - run() handles these; belt and braces
        fail(str(exc))


if __name__ == "__main__":
    main()
