"""`raqib broker`: the embedded Kafka-protocol broker (Tansu) in the foreground."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from workers.cli._common import app, fail
from workers.errors import IngestError

__all__ = ["broker"]


@app.command()
def broker(
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (default: a free one).")] = None,
) -> None:
    """Run the embedded Kafka-protocol broker (Tansu) until Ctrl-C or SIGTERM."""
    from workers.adapters.embedded_broker import EmbeddedBroker  # noqa: PLC0415 - keep `raqib --help` fast

    embedded = EmbeddedBroker(port, die_with_parent=True)
    try:
        embedded.start()
    except IngestError as exc:
        fail(str(exc))
    typer.echo(f"tansu broker listening; bootstrap: {embedded.bootstrap}")
    typer.echo(f"  export RAQIB_BOOTSTRAP={embedded.bootstrap}   (Ctrl-C to stop)")

    class Stop(Exception):
        pass

    def on_signal(signum: int, _frame: object) -> None:
        # Leave the blocking wait below; stopping here would re-enter Popen.wait.
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        status = embedded.wait()
    except Stop as stop:
        embedded.stop()
        typer.echo(f"broker stopped ({stop})")
        return
    fail(f"broker exited unexpectedly with status {status}: {embedded.log_tail()}")
