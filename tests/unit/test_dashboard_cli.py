"""`raqib dashboard`: bad options give one clear line and a non-zero exit."""

from __future__ import annotations

import socket

import pytest
import typer

from tests.unit.test_cli_errors import assert_one_line_error, raqib
from workers.cli.dashboard import window_of


class TestWindowOption:
    @pytest.mark.parametrize(
        ("since", "from_beginning", "expected"),
        [(None, False, 24 * 3600_000), ("30m", False, 1800_000), ("forever", False, None), (None, True, None)],
    )
    def test_window(self, since: str | None, from_beginning: bool, expected: int | None) -> None:
        """--since gives the window (24h by default); --from-beginning or forever: none."""
        assert window_of(since, from_beginning) == expected

    def test_both_options_fail(self) -> None:
        """--since with --from-beginning is a usage error."""
        with pytest.raises(typer.Exit):
            window_of("1h", True)


class TestCliErrors:
    def test_bad_since(self) -> None:
        """A window that is not a duration names the option."""
        assert_one_line_error(raqib("dashboard", "--since", "yesterday", "-b", "127.0.0.1:1"), "--since:")

    def test_since_and_from_beginning(self) -> None:
        """The two window options exclude each other."""
        result = raqib("dashboard", "--since", "1h", "--from-beginning", "-b", "127.0.0.1:1")
        assert_one_line_error(result, "exclude each other")

    def test_unknown_time_zone(self) -> None:
        """An unknown --timezone is refused before anything starts."""
        assert_one_line_error(raqib("dashboard", "--timezone", "Mars/Olympus", "-b", "127.0.0.1:1"), "time zone")

    def test_bad_port(self) -> None:
        """A port number out of range is refused."""
        assert_one_line_error(raqib("dashboard", "--port", "70000", "-b", "127.0.0.1:1"), "--port")

    def test_port_in_use(self) -> None:
        """A port that is taken is one line naming it, not a traceback."""
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = raqib("dashboard", "--port", str(port), "-b", "127.0.0.1:1")
        assert_one_line_error(result, f"cannot serve the dashboard on 127.0.0.1:{port}")
