"""`run_benchmark`: items → prompts → completions → scores → run directory and summary."""

from __future__ import annotations

import datetime as _dt
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from evalsuite import __version__
from evalsuite.run.config import RunConfig
from evalsuite.run.execute import Totals, check_reachable, run_units
from evalsuite.run.plan import WorkUnit, build_units, prompt_grid, select_items
from evalsuite.run.store import SUMMARY, RunStore


def stop_unused() -> None:
    from evalsuite.backends.hosted import stop_unused as stop

    stop()

PACKAGES = ("numpy", "pandas", "jinja2", "tenacity", "openai", "anthropic", "torch", "transformers", "vllm", "ray")


@dataclass(frozen=True)
class RunOutcome:
    directory: Path
    units: int
    already_done: int
    totals: Totals
    summary: str


def default_out_dir(config: RunConfig) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", config.models[0])
    more = f"+{len(config.models) - 1}" if len(config.models) > 1 else ""
    return Path("results") / f"{stamp}-{name}{more}"


def preflight(config: RunConfig) -> None:
    """Everything that can be checked before a request is sent: model names, keys, server."""
    from evalsuite.backends import hosted_credentials

    base_url = config.engines.hosted.base_url
    hosted = [hosted_credentials(model, base_url) for model in config.models]
    if any(credentials is not None for credentials in hosted):
        check_reachable(base_url)


def _git_revision() -> str | None:
    source = Path(__file__).resolve().parent.parent.parent
    try:
        result = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _versions() -> dict[str, str]:
    versions = {"evalsuite": __version__, "python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return versions


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def dry_run_text(units: list[WorkUnit], config: RunConfig) -> str:
    """Requests, estimated tokens and cost per model, without sending anything."""
    from evalsuite.backends import dry_run, load_prices

    prices_file = config.engines.hosted.prices
    prices = load_prices(Path(prices_file) if prices_file else None)
    batch = config.engines.hosted.batch
    lines = []
    for model in dict.fromkeys(unit.model for unit in units):
        requests = [unit.request for unit in units if unit.model == model]
        estimates = dry_run(model, requests, prices, batch=batch)
        tokens_in = sum(e.input_tokens for e in estimates)
        tokens_out = sum(e.output_tokens for e in estimates)
        costs = [e.cost_usd for e in estimates]
        cost = f"${sum(costs):.4f}" if all(c is not None for c in costs) else "unknown (no price for this model)"
        by = " at batch prices" if batch and cost.startswith("$") else ""
        lines.append(f"{model}: {len(requests)} requests, ~{tokens_in} input tokens, <= {tokens_out} output tokens, cost <= {cost}{by}")
    return "\n".join(lines)


@dataclass(frozen=True)
class SummaryPlan:
    """How a run is summarised: summary.csv by `detail`, the printed table by `brief`."""

    detail: tuple[str, ...] = ("algorithm", "length")
    brief: tuple[str, ...] = ("algorithm",)
    metric: str = "exact_flexible"


def summary_table(directory: Path, plan: SummaryPlan = SummaryPlan()) -> str:
    """Write summary.csv and return the printed table (markdown), followed by mean, majority
    vote and pass@k when items were sampled more than once."""
    from evalsuite.report import comparison_table, format_table, load_results
    from evalsuite.report.repeated import format_repeated, has_repeated_samples, repeated_samples_table

    data = load_results([directory], texts=False)
    if data.empty or plan.metric not in data or data[plan.metric].isna().all():
        return "(no scored results)"
    detail = comparison_table(data, list(plan.detail), plan.metric)
    (directory / SUMMARY).write_text(format_table(detail, "csv"), encoding="utf-8")
    brief = format_table(comparison_table(data, list(plan.brief), plan.metric), "markdown")
    if has_repeated_samples(data):
        repeated = repeated_samples_table(data, list(plan.brief), plan.metric)
        brief += "\nRepeated samples:\n\n" + format_repeated(repeated, "markdown")
    return brief


def run_benchmark(config: RunConfig) -> RunOutcome:
    """Run (or resume) one CLRS-Text benchmark: only units not yet in the directory are sent."""
    grid = prompt_grid(config)
    if config.ray is not None:
        from evalsuite.cluster import check_cluster_run

        check_cluster_run(config.ray, config.models)
    try:
        start_early(config)
        items = select_items(config, grid)
        return execute_run(config, build_units(config, items, grid))
    finally:
        stop_unused()


def start_early(config: RunConfig) -> None:
    """Start the client processes of hosted models (where the run has any) before the run is
    planned, so that their SDK import overlaps the planning; checked first, as always."""
    from evalsuite.backends import split_model
    from evalsuite.backends.hosted import HOSTED
    from evalsuite.backends.hosted import start_early as start

    if config.dry_run:
        return
    preflight(config)
    for model in config.models:
        provider, name = split_model(model)
        if provider in HOSTED:
            start(provider, name, config.engines.hosted)


def check_no_batches_in_flight(directory: Path) -> None:
    """A run without --batch must not send again what batches of the same run still hold."""
    from evalsuite.backends.batch_journal import BatchJournal
    from evalsuite.errors import EvalsuiteError

    unread = [r for r in BatchJournal(directory).records() if not (r.collected or r.cancelled)]
    if unread:
        raise EvalsuiteError(
            f"{directory} has {len(unread)} batches not yet read: collect them with --batch "
            f"(or --resume {directory}), or cancel them with --resume {directory} --batch-cancel")


def execute_run(config: RunConfig, units: list[WorkUnit], plan: SummaryPlan = SummaryPlan()) -> RunOutcome:
    """Send what the run directory lacks of `units`, record it, and summarise the run."""
    if config.dry_run:
        return RunOutcome(Path(config.out or "-"), len(units), 0, Totals(), dry_run_text(units, config))
    preflight(config)
    directory = Path(config.out) if config.out else default_out_dir(config)
    store = RunStore(directory)
    store.check_same_configuration(config.identity(), RunConfig().identity())
    if not config.engines.hosted.batch:
        check_no_batches_in_flight(directory)
    done = store.completed()
    pending = [unit for unit in units if unit.key not in done]
    manifest = store.read_manifest() if store.exists() else {"created": _now()}
    manifest.update(
        config=config.to_manifest(), versions=_versions(), git_revision=_git_revision(),
        templates={unit.template: unit.template_sha256 for unit in units if unit.template},
        seeds=list(config.seeds), started=_now(), finished=None, command=sys.argv[1:],
        units=len(units),
    )
    directory.mkdir(parents=True, exist_ok=True)
    store.write_manifest(manifest)
    totals = run_units(pending, store, config) if pending else Totals()
    manifest.update(finished=_now(), totals=totals.to_manifest(), completed=len(done) + totals.requests - totals.failed)
    if config.engines.hosted.batch:
        from evalsuite.backends.batch_journal import BatchJournal

        manifest["batches"] = BatchJournal(directory).summary()
    store.write_manifest(manifest)
    return RunOutcome(directory, len(units), len(done), totals, summary_table(directory, plan))
