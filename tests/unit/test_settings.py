"""settings.py: RAQIB_* variables from an explicit mapping, flags on top."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.unit.plain_dataclass import Plain
from workers.runtime.settings import DEFAULT_BOOTSTRAP, Settings, SettingsError, field_parsers


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
