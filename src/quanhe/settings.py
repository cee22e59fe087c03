"""Every setting quanhe reads, in one table, and how the layers overlay.

defaults -> a TOML file (``--config``, else $QUANHE_CONFIG, else ./quanhe.toml if present)
-> environment variables ``QUANHE_<NAME>`` -> command-line flags. The last layer that sets a value
wins. The CLI help is generated from ``SETTINGS``, so a setting cannot go undocumented.
"""
from __future__ import annotations

import os
import re
import textwrap
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quanhe.errors import UsageError

CONFIG_FILE = "quanhe.toml"
CONFIG_ENV = "QUANHE_CONFIG"
MB = 1_000_000   # decimal, as quanhe.read reports sizes

_SIZE = re.compile(r"(\d+)\s*([kmg]b?|b)?", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": MB, "g": 1000 * MB}


def parse_size(value: str | int) -> int:
    """Bytes from ``20000000``, ``20MB``, ``20M``, ``512k`` (decimal units: 1 MB = 10**6 bytes)."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    else:
        m = _SIZE.fullmatch(str(value).strip())
        if not m:
            raise ValueError("not a size; write 20MB, 512k or a number of bytes")
        size = int(m.group(1)) * _UNITS[(m.group(2) or "")[:1].lower()]
    if size < 1:
        raise ValueError("must be at least 1 byte")
    return size


def parse_positive(value: str | int) -> int:
    try:
        number = int(value) if not isinstance(value, bool) else -1
    except ValueError:
        raise ValueError("is not a whole number; write e.g. 100") from None
    if number < 1:
        raise ValueError("must be a whole number of at least 1")
    return number


def parse_text(value: str | int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value.strip()


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = parse_text
    choices: tuple[str, ...] | None = None

    @property
    def env(self) -> str:
        return "QUANHE_" + self.name.upper()

    def convert(self, value: Any, origin: str) -> Any:
        try:
            result = self.parse(value)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{origin}: {self.name} = {value!r} {exc}") from None
        if self.choices is not None and result not in self.choices:
            raise UsageError(f"{origin}: {self.name} = {value!r} is not one of "
                             f"{', '.join(self.choices)}")
        return result


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "./quanhe.db",
            "the store: an SQLite file path or sqlite:///path (relative) / sqlite:////abs/path"),
    Setting("max_bytes", 20 * MB,
            "largest input file read, in bytes; accepts 20MB, 512k", parse_size),
    Setting("format", "auto",
            "output format; auto = each command's default (extract: jsonl; facts, search and the "
            "knowledge-base commands: a table on a terminal, jsonl when piped; export: jsonl; "
            "dossier: md). A format a command cannot write falls back to its default",
            choices=("auto", "jsonl", "table", "csv", "parquet", "md", "html")),
    Setting("batch_size", 100, "articles stored per transaction by ingest", parse_positive),
)
BY_NAME = {s.name: s for s in SETTINGS}


class Settings:
    """Resolved values (``settings.db``) and where each came from (``settings.source("db")``)."""

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str]) -> None:
        self._values = dict(values)
        self._sources = dict(sources)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def source(self, name: str) -> str:
        return self._sources[name]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def load(flags: Mapping[str, Any] | None = None, *, env: Mapping[str, str] | None = None,
         config: str | Path | None = None, cwd: str | Path | None = None) -> Settings:
    """Overlay defaults, the config file, ``QUANHE_*`` variables and ``flags`` (None = not given)."""
    env = os.environ if env is None else env
    values = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}

    path = _config_path(config, env, Path(cwd) if cwd is not None else Path.cwd())
    if path is not None:
        for name, value in _read_config(path).items():
            values[name] = BY_NAME[name].convert(value, str(path))
            sources[name] = str(path)
    for setting in SETTINGS:
        raw = env.get(setting.env)
        if raw is not None and raw.strip():
            values[setting.name] = setting.convert(raw, setting.env)
            sources[setting.name] = setting.env
    for name, value in (flags or {}).items():
        if value is None:
            continue
        if name not in BY_NAME:
            raise UsageError(f"unknown setting {name!r}; known: {', '.join(BY_NAME)}")
        values[name] = BY_NAME[name].convert(value, "--" + name.replace("_", "-"))
        sources[name] = "flag"
    return Settings(values, sources)


def describe() -> str:
    """The settings table as help text (used by ``quanhe --help``)."""
    lines = ["settings (defaults -> quanhe.toml or $QUANHE_CONFIG -> environment -> flags):"]
    for s in SETTINGS:
        lines.append(f"  {s.name:<11} {s.env:<18} default {s.default!r}")
        lines += textwrap.wrap(s.help, 92, initial_indent=" " * 14, subsequent_indent=" " * 14)
    return "\n".join(lines)


def _config_path(config: str | Path | None, env: Mapping[str, str], cwd: Path) -> Path | None:
    if config is not None or env.get(CONFIG_ENV):
        path = Path(config if config is not None else env[CONFIG_ENV])
        path = path if path.is_absolute() else cwd / path
        if not path.is_file():
            raise UsageError(f"config file {path} not found")
        return path
    default = cwd / CONFIG_FILE
    return default if default.is_file() else None


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read config file {path}: {exc}") from None
    unknown = sorted(set(data) - set(BY_NAME))
    if unknown:
        raise UsageError(f"{path}: unknown setting(s) {', '.join(unknown)}; "
                         f"known: {', '.join(BY_NAME)}")
    return data
