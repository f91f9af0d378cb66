"""Representational collapse measured in a local model: how far apart the last token's final
representations of two prompts are when they differ only by one more repetition of the final
token (Barbero et al., 2024, section 4), in each dtype asked.

The representation is the final layer's output after the final norm (what the unembedding
reads; see `local_model`). Each prompt runs alone, as raw text with BOS and no chat template.
Distances between v (n digits) and v* (n + 1 digits), computed in float64 from the values
the model produced:
- linf: ‖v − v*‖∞, the paper's quantity;
- l2: ‖v − v*‖₂;
- relative: ‖v − v*‖∞ / max(‖v‖∞, ‖v*‖∞), the difference in units of the largest entry:
  below about 2⁻⁷ the two vectors' largest entries are at most one bfloat16 step apart,
  whatever the scale of the final norm's output.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from evalsuite.datafiles import atomic_path
from evalsuite.errors import EvalsuiteError
from evalsuite.oversquash.pairs import PAIR_KINDS, CheckedPair, checked_pairs
from evalsuite.progress import ProgressBar
from evalsuite.report.plots import PlotsUnavailable, pyplot

if TYPE_CHECKING:
    from evalsuite.oversquash.local_model import LocalModel

DEFAULT_LENGTHS = (1, 2, 6, 11, 51, 101, 501)
DEFAULT_DTYPES = ("float32", "bfloat16")
BF16_RESOLUTION = 2.0 ** -7
DTYPE_STYLES = {"float32": "-", "bfloat16": "--", "float16": ":"}


@dataclass(frozen=True)
class Distances:
    linf: float
    l2: float
    relative: float


@dataclass(frozen=True)
class CollapseRow:
    """One pair kind × length × dtype. `tokens` counts the shorter prompt's tokens (BOS
    included); `valid` is false for a pair the tokenizer check refused (not run) or whose
    states were not finite, and `reason` says which. Measurements are None when not valid."""

    pair: str
    dtype: str
    n: int
    tokens: int
    linf: float | None
    l2: float | None
    relative: float | None
    same_next_token: bool | None
    next_short: str
    next_long: str
    valid: bool
    reason: str


def distances(short: Sequence[float], long: Sequence[float]) -> Distances:
    """The three distances between two final representations of the same size."""
    if len(short) != len(long) or not short:
        raise ValueError("representations must be non-empty and of the same size")
    gaps = [abs(a - b) for a, b in zip(short, long)]
    linf = max(gaps)
    scale = max(max(abs(a) for a in short), max(abs(b) for b in long))
    relative = linf / scale if scale > 0 else 0.0
    return Distances(linf, math.sqrt(sum(gap * gap for gap in gaps)), relative)


def measure_collapse(
    model: str,
    lengths: Iterable[int] = DEFAULT_LENGTHS,
    kinds: Iterable[str] = PAIR_KINDS,
    dtypes: Iterable[str] = DEFAULT_DTYPES,
    device: str | None = None,
    seed: int = 0,
) -> list[CollapseRow]:
    """Collapse rows for every pair kind × length × dtype of a local `hf/` model.

    All pairs are built and checked with the tokenizer before any forward pass: a kind with
    no valid pair at any length, or a prompt longer than the model's context, is an error.
    """
    from evalsuite.oversquash import local_model

    local_model.require_local(model, "collapse")
    lengths, kinds, dtypes = list(lengths), list(kinds), list(dtypes)
    local_model.check_dtypes(dtypes)
    rows: list[CollapseRow] = []
    pairs: list[CheckedPair] = []
    for dtype in dtypes:
        local = local_model.load_local_model(model, dtype, device)
        pairs = pairs or pairs_for(local, kinds, lengths, seed)
        progress = ProgressBar(len(pairs), label=f"collapse {dtype}", unit="pair")
        for item in pairs:
            rows.append(measure_pair(local, item))
            progress.update()
        progress.close()
        del local
    return rows


def pairs_for(local: LocalModel, kinds: list[str], lengths: list[int], seed: int = 0) -> list[CheckedPair]:
    """The checked pairs for an open model: the tokenizer check, then the context check."""
    from evalsuite.oversquash.local_model import check_context

    pairs = checked_pairs(kinds, lengths, local.tokenizer, seed)
    for item in pairs:
        check_context(local, len(item.long_ids), f"--lengths {item.pair.n}")
    return pairs


def measure_pair(local: LocalModel, item: CheckedPair) -> CollapseRow:
    """One row: the pair's distances in an open model, or the reason it was not measured."""
    from evalsuite.oversquash.local_model import final_state

    def row(reason: str, gap: Distances | None = None, next_ids: tuple[int, int] | None = None) -> CollapseRow:
        decode = local.tokenizer.convert_ids_to_tokens
        return CollapseRow(
            pair=item.pair.kind, dtype=local.dtype, n=item.pair.n, tokens=len(item.short_ids),
            linf=gap.linf if gap else None, l2=gap.l2 if gap else None,
            relative=gap.relative if gap else None,
            same_next_token=next_ids[0] == next_ids[1] if next_ids else None,
            next_short=decode(next_ids[0]) if next_ids else "",
            next_long=decode(next_ids[1]) if next_ids else "",
            valid=not reason, reason=reason,
        )

    if not item.valid:
        return row(item.reason)
    short, next_short = final_state(local, item.short_ids)
    long, next_long = final_state(local, item.long_ids)
    if not all(math.isfinite(x) for x in short + long):
        return row(f"non-finite final representation in {local.dtype} (overflow)")
    return row("", distances(short, long), (next_short, next_long))


def write_csv(rows: Sequence, path: str | Path) -> None:
    """Dataclass rows as CSV (None as an empty cell), written atomically."""
    if not rows:
        raise EvalsuiteError(f"nothing to write to {path}")
    with atomic_path(path) as temporary, open(temporary, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=[field.name for field in fields(rows[0])])
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)


def plot_collapse(rows: Sequence[CollapseRow], path: str | Path, title: str = "") -> None:
    """A PNG of L∞ (left, the paper's plot) and relative distance (right) against n, log-log:
    one colour per pair kind, one line style per dtype, the bfloat16 resolution 2⁻⁷ dotted.
    A distance of exactly 0 (complete collapse) cannot sit on a log axis: it is drawn as a
    downward triangle on the panel's floor."""
    plt = pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    valid = [row for row in rows if row.valid]
    colours = dict(zip(dict.fromkeys(row.pair for row in valid), plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    _plot_panel(axes[0], valid, "linf", "‖v − v*‖∞", colours)
    _plot_panel(axes[1], valid, "relative", "‖v − v*‖∞ / max(‖v‖∞, ‖v*‖∞)", colours)
    axes[1].legend(fontsize=7, loc="best")
    zeros = any(row.linf == 0 for row in valid)
    figure.suptitle((title or "representational collapse") + (" (▼ = exactly 0)" if zeros else ""))
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=120)
    plt.close(figure)


def _plot_panel(axis, rows: Sequence[CollapseRow], metric: str, label: str, colours: dict[str, str]) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    positive = [getattr(row, metric) for row in rows if getattr(row, metric) > 0]
    floor = min(positive + [BF16_RESOLUTION]) / 4
    for kind, colour in colours.items():
        for dtype in dict.fromkeys(row.dtype for row in rows):
            line = sorted((row.n, getattr(row, metric)) for row in rows if (row.pair, row.dtype) == (kind, dtype))
            if not line:
                continue
            ns = [n for n, _ in line]
            axis.plot(ns, [value if value > 0 else floor for _, value in line],
                      DTYPE_STYLES.get(dtype, "-."), marker="o", markersize=3, color=colour,
                      label=f"{kind} {dtype}")
            zeros = [n for n, value in line if value == 0]
            axis.plot(zeros, [floor] * len(zeros), "v", color=colour, markersize=7)
    axis.axhline(BF16_RESOLUTION, color="black", linestyle=":", linewidth=1, label="bf16 resolution 2⁻⁷")
    axis.set(xscale="log", yscale="log", xlabel="n (digits in the shorter prompt)", ylabel=label)
    plain = FuncFormatter(lambda x, _: f"{x:g}")
    axis.xaxis.set_major_formatter(plain)
    # Within less than a decade there is no major tick to label: label the minor ones.
    ns = [row.n for row in rows]
    narrow = bool(ns) and max(ns) < 10 * min(ns)
    axis.xaxis.set_minor_formatter(plain if narrow else NullFormatter())
    axis.grid(True, which="major", alpha=0.3)


def write_collapse(rows: Sequence[CollapseRow], out_dir: str | Path, title: str = "") -> tuple[Path, Path | None]:
    """collapse.csv and collapse.png in `out_dir` (created if missing); the figure is None, and the
    table still written, where matplotlib is missing."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    table, figure = folder / "collapse.csv", folder / "collapse.png"
    write_csv(rows, table)
    try:
        plot_collapse(rows, figure, title)
    except PlotsUnavailable:
        return table, None
    return table, figure
