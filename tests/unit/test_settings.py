"""settings.py: RAQIB_* variables from an explicit mapping, flags on top."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.unit.plain_dataclass import Plain
from workers.runtime.app import build_app
from workers.runtime.settings import DEFAULT_BOOTSTRAP, Settings, SettingsError, bootstrap_problems, field_parsers


class TestFromEnv:
    def test_defaults(self) -> None:
        """An empty environment gives the documented defaults."""
        settings = Settings.from_env({})
        assert settings.bootstrap == DEFAULT_BOOTSTRAP == "localhost:9092"
        assert settings.store == "memory://"

    def test_reads_prefixed_variables(self) -> None:
        """RAQIB_* variables are read and converted to their field types."""
        settings = Settings.from_env(
            {
                "RAQIB_BOOTSTRAP": "k1:9092,k2:9092",
                "RAQIB_WEB_PORT": "7000",
                "RAQIB_WEB_ENABLED": "false",
                "RAQIB_DATA_DIR": "/data",
                "RAQIB_STORE": "rocksdb://",
            }
        )
        assert settings.bootstrap_servers == ["k1:9092", "k2:9092"]
        assert settings.broker_url == "kafka://k1:9092;kafka://k2:9092"
        assert settings.web_port == 7000
        assert settings.web_enabled is False
        assert settings.data_dir == Path("/data")

    def test_overrides_win_over_environment(self) -> None:
        """A flag (override) beats the variable; None overrides are ignored."""
        settings = Settings.from_env({"RAQIB_APP_ID": "env"}, app_id="flag", store=None)
        assert settings.app_id == "flag"
        assert settings.store == "memory://"

    def test_exactly_once_is_opt_in(self) -> None:
        """Processing is at least once unless exactly_once is asked for."""
        assert Settings.from_env({}).processing_guarantee == "at_least_once"
        assert Settings.from_env({"RAQIB_PROCESSING_GUARANTEE": "exactly_once"}).processing_guarantee == "exactly_once"

    @pytest.mark.parametrize(
        "env",
        [
            {"RAQIB_WEB_PORT": "eighty"},
            {"RAQIB_STORE": "redis://"},
            {"RAQIB_LOG_FORMAT": "xml"},
            {"RAQIB_WEB_ENABLED": "maybe"},
            {"RAQIB_PROCESSING_GUARANTEE": "twice"},
            {"RAQIB_PRODUCER_MAX_BATCH_BYTES": "0"},
        ],
    )
    def test_bad_values_are_errors(self, env: dict[str, str]) -> None:
        """Values raqib cannot use raise SettingsError."""
        with pytest.raises(SettingsError):
            Settings.from_env(env)


class TestFieldParsers:
    def test_every_setting_parses_to_its_declared_type(self) -> None:
        """Each field's parser turns an environment string into a value of the field's type."""
        samples = {str: "x", int: "7", float: "0.5", bool: "yes", Path: "/data"}
        defaults = Settings()
        for name, (_, parser) in field_parsers(Settings).items():
            value = getattr(defaults, name)
            kind = Path if value is None or isinstance(value, Path) else type(value)  # topics_file: Path | None
            assert isinstance(parser(samples[kind]), kind), name

    def test_types_resolve_without_postponed_annotations(self) -> None:
        """The parsers come from resolved hints, so a module without `from __future__ import
        annotations` (real types, not strings) gets the same parsers."""
        parsers = field_parsers(Plain)
        assert parsers["port"][1]("7") == 7
        assert parsers["ratio"][1]("0.25") == 0.25
        assert parsers["on"][1]("off") is False
        assert parsers["where"][1]("/x") == Path("/x")

    def test_unknown_type_fails_loudly(self) -> None:
        """A setting of a type with no parser is a TypeError naming it, not a silent str."""

        @dataclass
        class Odd:
            when: complex = 0j

        with pytest.raises(TypeError, match=r"Odd\.when: no parser"):
            field_parsers(Odd)


class TestBootstrapProblems:
    @pytest.mark.parametrize(
        "bootstrap", ["localhost:9092", "k1:9092, k2:9093", "[::1]:9092", "10.0.0.1:1", "kafka-0.kafka:65535"]
    )
    def test_good_lists_pass(self, bootstrap: str) -> None:
        """host:port lists, IPv6 in brackets, pass."""
        assert bootstrap_problems(bootstrap) == []

    @pytest.mark.parametrize(
        ("bootstrap", "problem"),
        [
            ("", "no bootstrap servers"),
            ("localhost", "is not host:port"),
            ("9092", "is not host:port"),
            ("localhost:abc", "'abc' is not a port"),
            ("localhost:0", "'0' is not a port"),
            ("127.0.0.1:99999", "'99999' is not a port"),
            (":::", "is not a port"),
            ("::1:9092", "IPv6 host in brackets"),
            ("a:1,", "empty entry"),
            (":9092", "is not host:port"),
        ],
    )
    def test_bad_lists_say_why(self, bootstrap: str, problem: str) -> None:
        """Each malformed list gets a reason."""
        assert problem in bootstrap_problems(bootstrap)[0]


class TestProblems:
    def test_defaults_have_none(self) -> None:
        """The defaults are a usable configuration."""
        assert list(Settings().problems()) == []

    def test_every_problem_is_reported_with_its_variable(self) -> None:
        """problems() lists each bad setting on its own line, naming its variable."""
        bad = replace(
            Settings(),
            log_level="LOUD",
            timezone="Mars/Olympus",
            web_port=99999,
            guard_max_ratio=5.0,
            guard_window=0,
            session_timeout_s=float("nan"),
        )
        problems = list(bad.problems())
        for variable in (
            "RAQIB_LOG_LEVEL",
            "RAQIB_TIMEZONE",
            "RAQIB_WEB_PORT",
            "RAQIB_GUARD_MAX_RATIO",
            "RAQIB_GUARD_WINDOW",
            "RAQIB_SESSION_TIMEOUT_S",
        ):
            assert sum(p.startswith(variable) for p in problems) == 1, variable

    def test_heartbeat_must_be_shorter_than_the_session(self) -> None:
        """A heartbeat as long as the session timeout would let the group expel a live worker."""
        with pytest.raises(SettingsError, match="RAQIB_HEARTBEAT_INTERVAL_S"):
            Settings.from_env({"RAQIB_SESSION_TIMEOUT_S": "5", "RAQIB_HEARTBEAT_INTERVAL_S": "5"})


class TestWebExposure:
    def test_only_raqibs_routes_on_loopback_by_default(self) -> None:
        """The worker's web server listens on 127.0.0.1 unless RAQIB_WEB_BIND says otherwise,
        and serves none of Faust's built-in routes (which would expose the dedup tables)."""
        app = build_app(Settings())
        assert app.conf.web_bind == "127.0.0.1"
        assert [prefix for prefix, _ in app.web._enabled_blueprints()] == [""]  # Faust's {"status": "OK"} index
        assert build_app(Settings.from_env({"RAQIB_WEB_BIND": "0.0.0.0"})).conf.web_bind == "0.0.0.0"  # noqa: S104
