"""The resolved configuration of a run: defaults, then a TOML grid file, then the command line."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from evalsuite.errors import EvalsuiteError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_MODEL = "hf/gemma-3-270m"

# What the results depend on: a run directory holding other values for these is another run.
IDENTITY_FIELDS = (
    "models", "algorithms", "lengths", "preset", "seeds", "samples", "flavor", "styles", "shots",
    "modes", "layout", "example_length", "dataset", "max_tokens", "temperature", "shard",
    "templates", "extra",
)


@dataclass(frozen=True)
class RunConfig:
    """Everything `evalsuite run` needs; the defaults are the quick suite of the README.

    The grid is models × styles × shots × modes over the items (algorithms × lengths × seeds ×
    samples, or a dataset file). zero-shot pairs only with 0 shots. `max_tokens` 0 means
    "enough for the gold answer" per item.
    """

    models: tuple[str, ...] = (DEFAULT_MODEL,)
    algorithms: str = "all"
    lengths: tuple[int, ...] | None = (4,)
    preset: str | None = None
    seeds: tuple[int, ...] = (0,)
    samples: int = 2
    flavor: str = "current"
    styles: tuple[str, ...] = ("zero-shot", "few-shot")
    shots: tuple[int, ...] = (2,)
    modes: tuple[str, ...] = ("completion",)
    layout: str = "single"
    example_length: int | None = None
    dataset: str | None = None
    max_tokens: int = 0
    temperature: float = 0.0
    shard: tuple[int, int] = (1, 1)
    templates: str | None = None
    out: str | None = None
    base_url: str | None = None
    concurrency: int = 16
    max_retries: int = 6
    timeout: float = 120.0
    rpm: float | None = None
    tpm: float | None = None
    cache: str | None = "default"
    max_cost: float | None = None
    prices: str | None = None
    dtype: str = "auto"
    device: str | None = None
    tensor_parallel_size: int = 1
    batch_size: int = 8
    dry_run: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # settings of other task families

    def identity(self) -> dict[str, Any]:
        """The fields that decide the results, as JSON-friendly values."""
        values = asdict(self)
        return {name: _jsonable(values[name]) for name in IDENTITY_FIELDS}

    def to_manifest(self) -> dict[str, Any]:
        """The whole configuration for the manifest (no secrets: keys never live here)."""
        values = {name: _jsonable(value) for name, value in asdict(self).items()}
        if values.get("base_url"):
            values["base_url"] = _without_credentials(values["base_url"])
        return values


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _without_credentials(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


_TUPLE_FIELDS = {"models", "lengths", "seeds", "styles", "shots", "modes"}


def config_from_toml(path: str | Path) -> dict[str, Any]:
    """The settings of a grid file: `[run]` keys named like the options (dashes or
    underscores), lists for models, styles, shots, modes, lengths and seeds."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalsuiteError(f"--config: no such file {file}") from None
    except tomllib.TOMLDecodeError as error:
        raise EvalsuiteError(f"--config {file}: {error}") from None
    table = data.get("run", data)
    known = {f.name for f in fields(RunConfig)} - {"extra", "out", "dry_run"}
    settings: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        name = {"model": "models", "style": "styles", "mode": "modes", "fewshot_layout": "layout"}.get(name, name)
        if name not in known:
            raise EvalsuiteError(f"--config {file}: unknown setting {key!r}")
        if name in _TUPLE_FIELDS:
            value = tuple(value) if isinstance(value, list) else (value,)
        if name == "shard" and isinstance(value, str):
            value = parse_shard(value)
        settings[name] = value
    return settings


def parse_shard(text: str) -> tuple[int, int]:
    """`I/N` (1-based) as a pair; one clear error otherwise."""
    try:
        index, count = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise EvalsuiteError(f"--shard must look like I/N (e.g. 2/4), got {text!r}") from None
    if not 1 <= index <= count:
        raise EvalsuiteError(f"--shard I/N needs 1 <= I <= N, got {text!r}")
    return index, count


def resolve(defaults: RunConfig, file_settings: dict[str, Any], command_line: dict[str, Any]) -> RunConfig:
    """Defaults, overridden by the grid file, overridden by options given on the command line.

    A preset replaces the default lengths, seeds and samples; explicit ones still win.
    """
    settings = {**file_settings, **command_line}
    if settings.get("preset"):
        from evalsuite.clrs.splits import PRESETS

        preset = PRESETS.get(settings["preset"])
        if preset is None:
            raise EvalsuiteError(f"--preset must be one of {', '.join(PRESETS)}, got {settings['preset']!r}")
        defaults = replace(defaults, lengths=None, seeds=preset.seeds, samples=preset.samples)
    return replace(defaults, **settings)
