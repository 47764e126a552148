"""`raqib worker`: run the Faust worker (workers.runtime) in this process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from workers.cli._common import DEFAULT_BOOTSTRAP, Bootstrap, Prefix, TopicsFile, app, fail
from workers.contract.topics import TopicsFileError
from workers.errors import IngestError
from workers.runtime.settings import Settings, SettingsError

__all__ = ["worker"]


@app.command()
def worker(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
    store: Annotated[str | None, typer.Option(help="Table store: memory:// or rocksdb:// (env RAQIB_STORE).")] = None,
    app_id: Annotated[str | None, typer.Option(help="Consumer group id (env RAQIB_APP_ID).")] = None,
    log_format: Annotated[str | None, typer.Option(help="json | console | auto (env RAQIB_LOG_FORMAT).")] = None,
    log_level: Annotated[str | None, typer.Option(help="Log level (env RAQIB_LOG_LEVEL).")] = None,
    web_port: Annotated[int | None, typer.Option(help="Health/metrics port (env RAQIB_WEB_PORT).")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the table store keeps files (env RAQIB_DATA_DIR).")
    ] = None,
) -> None:
    """Run the Faust worker: pages.raw in, deduplicated events out (SIGTERM stops it cleanly)."""
    from workers.runtime.runner import run_worker  # noqa: PLC0415

    try:
        settings = Settings.from_env(
            os.environ,
            bootstrap=bootstrap,
            topics_file=topics_file,
            topic_prefix=prefix or None,
            store=store,
            app_id=app_id,
            log_format=log_format,
            log_level=log_level,
            web_port=web_port,
            data_dir=data_dir,
        )
        run_worker(settings)
    except (IngestError, TopicsFileError, SettingsError) as exc:
        fail(str(exc))
