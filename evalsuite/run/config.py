"""The resolved configuration of a run: defaults, then a TOML grid file, then the command line."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from evalsuite.backends.options import OWNERS, EngineOptions
from evalsuite.cluster.options import RayOptions
from evalsuite.errors import EvalsuiteError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_MODEL = "llamacpp/gemma-3-270m"

# What the results depend on: a run directory holding other values for these is another run.
IDENTITY_FIELDS = (
    "models", "algorithms", "lengths", "preset", "seeds", "samples", "flavor", "styles", "shots",
    "modes", "layout", "example_length", "dataset", "max_tokens", "temperature", "shard",
    "templates", "samples_per_item", "extra",
)


@dataclass(frozen=True)
class RunConfig:
    """Everything `evalsuite run` needs; the defaults are the quick suite of the README.

    The grid is models × styles × shots × modes over the items (algorithms × lengths × seeds ×
    samples, or a dataset file). zero-shot pairs only with 0 shots. `max_tokens` 0 means
    "enough for the gold answer" per item. `samples_per_item` K > 1 (with temperature > 0)
    asks each model K times per item and prompt, each with its own seed. `ray` (None: this
    machine) spreads local models' engines over a Ray cluster; the results do not depend on it.
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
    samples_per_item: int = 1
    shard: tuple[int, int] = (1, 1)
    templates: str | None = None
    out: str | None = None
    cache: str | None = "default"
    engines: EngineOptions = field(default_factory=EngineOptions)  # each engine's own options
    dry_run: bool = False
    ray: RayOptions | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # settings of other task families

    def identity(self) -> dict[str, Any]:
        """The fields that decide the results, as JSON-friendly values."""
        values = asdict(self)
        return {name: _jsonable(values[name]) for name in IDENTITY_FIELDS}

    def to_manifest(self) -> dict[str, Any]:
        """The whole configuration for the manifest (no secrets: keys never live here)."""
        values = {name: _jsonable(value) for name, value in asdict(self).items() if name != "engines"}
        engines = self.engines.to_dict()
        if engines["hosted"].get("base_url"):
            engines["hosted"]["base_url"] = _without_credentials(engines["hosted"]["base_url"])
        return {**values, "engines": engines}

    @classmethod
    def from_manifest(cls, recorded: dict[str, Any]) -> RunConfig:
        """The configuration a manifest recorded (engine options of manifests written before
        they were grouped by engine are read from their flat names). Where the run ran (`ray`)
        is not carried over: each start says it anew."""
        known = {f.name for f in fields(cls)} - {"ray"}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in recorded.items() if k in known}
        engines = EngineOptions.from_dict(recorded.get("engines") or {})
        flat = {k: v for k, v in recorded.items() if k in OWNERS and k not in known}
        values["engines"] = engines.with_settings(flat)
        return cls(**values)


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
    known = ({f.name for f in fields(RunConfig)} | set(OWNERS)) - {"extra", "out", "dry_run", "engines", "ray"}
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


def with_settings(config: RunConfig, settings: dict[str, Any]) -> RunConfig:
    """`config` with flat settings applied: run fields by name, engine options (`dtype`,
    `concurrency`, …) to every engine that has them. An engine option that none of the run's
    models reads is an error, not silently ignored."""
    engine_settings = {k: v for k, v in settings.items() if k in OWNERS}
    run_settings = {k: v for k, v in settings.items() if k not in OWNERS}
    config = replace(config, **run_settings)
    if not config.temperature >= 0:  # also refuses NaN
        raise EvalsuiteError(f"--temperature must be 0 or more, got {config.temperature}")
    if engine_settings.get("batch"):
        check_batch_models(config.models)
    if engine_settings:
        check_engine_settings(engine_settings, config.models)
        config = replace(config, engines=config.engines.with_settings(engine_settings))
    config.engines.check()
    if config.engines.hosted.batch:
        check_batch_models(config.models)
    return config


BATCH_PROVIDERS = ("openai", "anthropic")


def check_batch_models(models: tuple[str, ...]) -> None:
    """--batch only for providers with a batch API: one line naming the first model without."""
    for model in models:
        if model.partition("/")[0] not in BATCH_PROVIDERS:
            raise EvalsuiteError(f"--batch: {model} has no batch API (only openai/ and anthropic/ "
                                 "models have one)")


def check_engine_settings(settings: dict[str, Any], models: tuple[str, ...]) -> None:
    from evalsuite.backends import engine_of

    used = {engine_of(model) for model in models}
    for name in settings:
        if not used & set(OWNERS[name]):
            engines = ", ".join(_ENGINE_PROVIDERS[engine] for engine in OWNERS[name])
            raise EvalsuiteError(
                f"--{name.replace('_', '-')} is an option of {engines} models, and this run has none "
                f"({', '.join(models)})"
            )


_ENGINE_PROVIDERS = {"hosted": "openai/ and anthropic/", "hf": "hf/", "vllm": "vllm/", "llamacpp": "llamacpp/"}


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
    return with_settings(defaults, settings)
