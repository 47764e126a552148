"""Headless Chromium (Debian's `chromium` and `chromium-driver`, driven by Selenium) and a
`raqib dashboard` child process, for the dashboard's browser test and benchmark.

Nothing is downloaded: the driver is /usr/bin/chromedriver (Service(executable_path)) and
the browser /usr/bin/chromium, and Selenium Manager is kept offline. `make test` installs
both packages when they are missing; without them the browser test fails, never skips.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.integration.helpers import OutputReader

INSTALL_HINT = (
    "run `make test`, which installs them, or `apt-get install -y --no-install-recommends chromium chromium-driver`"
)


def chromium_paths() -> tuple[str, str]:
    """(browser, driver) executables; AssertionError with the install hint when missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        missing = ", ".join(name for name, path in (("chromium", browser), ("chromedriver", driver)) if path is None)
        raise AssertionError(f"the browser test needs Chromium; missing: {missing}: {INSTALL_HINT}")
    return browser, driver


def chromium(width: int = 1400, height: int = 1000, *, extra_args: tuple[str, ...] = ()) -> webdriver.Chrome:
    """A headless Chromium with its console log kept (CSP violations show up there)."""
    browser, driver = chromium_paths()
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not reach the network
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in (
        "--headless=new",
        "--no-sandbox",  # root in CI
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--lang=ar",
        f"--window-size={width},{height}",
        *extra_args,
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


class DashboardProcess:
    """`raqib dashboard` as a child process on a fixed port (so it can be restarted there)."""

    def __init__(self, bootstrap: str, prefix: str, port: int, *args: str) -> None:
        self.command = [
            sys.executable,
            "-m",
            "workers",
            "dashboard",
            "--bootstrap",
            bootstrap,
            "--prefix",
            prefix,
            "--port",
            str(port),
            "--log-format",
            "json",
            *args,
        ]
        self.url = f"http://127.0.0.1:{port}/"
        self.process: subprocess.Popen[str] | None = None
        self.output: OutputReader | None = None

    def start(self, timeout: float = 60) -> DashboardProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAQIB_")}
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self.output = OutputReader(self.process)
        self.output.wait_for_line(lambda line: "raqib dashboard: serving" in line, timeout=timeout)
        return self

    def stop(self, timeout: float = 30) -> str:
        """SIGTERM, then the rest of its output (it must exit 0)."""
        assert self.process is not None
        assert self.output is not None
        self.process.send_signal(signal.SIGTERM)
        rest = self.output.rest(timeout=timeout)
        assert self.process.returncode == 0, "".join(self.output.lines)
        return rest

    def log(self) -> str:
        return "".join(self.output.lines) if self.output else ""


def screenshot_path(tmp_path: Path, name: str = "dashboard.png") -> Path:
    """docs/dashboard.png when RAQIB_SCREENSHOT is set (the README's picture), else tmp_path."""
    if os.environ.get("RAQIB_SCREENSHOT"):
        return Path(__file__).resolve().parents[2] / "docs" / name
    return tmp_path / name
