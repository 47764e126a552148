"""`raqib worker` as a child process: the demo, `raqib replay` and the tests run workers
this way (whether it has drained its input: `workers.adapters.kafka_offsets`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from workers.adapters.embedded_broker import free_port
from workers.adapters.processes import die_with_parent

__all__ = ["WorkerProcess"]


class WorkerProcess:
    """`raqib worker` as a child process (what a deployment runs), logging to a file."""

    def __init__(
        self,
        bootstrap: str,
        *,
        app_id: str,
        log_path: Path,
        extra_env: dict[str, str] | None = None,
        embedded_broker: bool = True,
        die_with_parent: bool = False,
    ) -> None:
        self.bootstrap = bootstrap
        self.app_id = app_id
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.embedded_broker = embedded_broker
        self.web_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # stop (SIGTERM) with this process even if it is SIGKILLed; start it from the main thread
        self.die_with_parent = die_with_parent

    def start(self) -> WorkerProcess:
        env = {
            **os.environ,
            "RAQIB_BOOTSTRAP": self.bootstrap,
            "RAQIB_APP_ID": self.app_id,
            "RAQIB_LOG_FORMAT": "json",
            "RAQIB_WEB_PORT": str(self.web_port),
        }
        # the table store's files (rocksdb://) go under <data dir>/<app id>; a data dir the
        # caller configured is kept
        env.setdefault("RAQIB_DATA_DIR", str(Path(tempfile.gettempdir()) / "raqib"))
        if self.embedded_broker:
            env |= {
                # quick failover for the demo and the tests
                "RAQIB_SESSION_TIMEOUT_S": "6",
                "RAQIB_HEARTBEAT_INTERVAL_S": "1",
            }
        env |= self.extra_env
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "workers", "worker"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                preexec_fn=die_with_parent() if self.die_with_parent else None,  # noqa: PLW1509 - see processes.py
            )
        return self

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait (the worker commits and leaves the group); SIGKILL after `timeout`."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        return process.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None
