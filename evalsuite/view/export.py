"""`evalsuite view --export report.html`: the overview and a chosen number of samples (the
ones not right first) in one HTML file that needs no server and loads nothing."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from evalsuite.datafiles import atomic_path
from evalsuite.view.overview import overview
from evalsuite.view.page import render_page
from evalsuite.view.runs import RunSet
from evalsuite.view.samples import sample_page, summary_row

DEFAULT_SAMPLES = 200
SHARED = ("manifests", "studies")


def export_data(runs: RunSet, samples: int = DEFAULT_SAMPLES) -> dict:
    """What the exported page holds: the overview for every scored metric (grouped the
    default way), and up to `samples` samples with their pages, wrong or failed ones first."""
    table = runs.table()
    first = overview(runs, None, None)
    metrics = first["metrics"] if first["table"] is not None else []
    overviews = {metric: overview(runs, metric, first["by"]) for metric in metrics} or {first["metric"] or "": first}
    right = table.flags["exact_flexible"] == 1
    chosen = np.concatenate([np.flatnonzero(~right), np.flatnonzero(right)])[:samples]
    rows = [summary_row(runs, table, int(position)) for position in chosen]
    return {
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "runs": runs.names,
        "metric": first["metric"] or "", **{name: first[name] for name in SHARED},
        "overviews": {metric: {k: v for k, v in data.items() if k not in SHARED} for metric, data in overviews.items()},
        "samples": rows, "details": {row["id"]: sample_page(runs, row["id"]) for row in rows},
        "note": f"This file holds {len(rows)} of the {len(table)} samples, those not right first.",
    }


def export_report(runs: RunSet, path: str | Path, samples: int = DEFAULT_SAMPLES) -> Path:
    """Write the self-contained report to `path` and return it."""
    page = render_page(export_data(runs, samples), title=f"evalsuite view: {', '.join(runs.names)}")
    with atomic_path(path) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return Path(path)
