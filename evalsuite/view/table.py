"""The samples of every run being viewed as one table: filtered, sorted and paged here, on
the server, from the runs' indexes; only the lines of the page shown are read and parsed.

Runs are concatenated in the order given, each in file order; a sample whose item and
configuration appear again later (the same shard given twice) is kept once, the last time,
as `load_results` does.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalsuite.errors import EvalsuiteError
from evalsuite.view.lines import FLAG, NO_KEY, NUMBER, TEXT, IndexedLines

FACETS = ("run", "model", "algo_name", "task", "variant", "length", "style", "shots", "mode", "layout",
          "failure", "error")
OUTCOMES = ("right", "wrong", "failed")
SORTS = ("order", "run", "algo_name", "variant", "model", "length", "elementwise", "trace_prefix", "abs_error",
         "first_wrong_step", "latency_s", "output_tokens", "cost_usd")
CELL = ("model", "style", "shots", "mode", "layout", "task", "algo_name", "variant", "length")


@dataclass(frozen=True)
class Query:
    """Which samples to list: `equal` maps a facet to the values allowed (any of them),
    `outcome` is right, wrong or failed (the flexible exact match), `text` is looked for in
    the output (ASCII case ignored)."""

    equal: dict[str, tuple[str, ...]] = field(default_factory=dict)
    outcome: str | None = None
    text: str = ""
    sort: str = "order"
    descending: bool = False

    @classmethod
    def from_params(cls, params: dict[str, list[str]]) -> Query:
        """A query from URL parameters (each name → its values); unknown names are ignored."""
        equal = {name: tuple(v for v in params[name] if v != "") for name in FACETS if name in params}
        outcome = (params.get("outcome") or [""])[-1] or None
        if outcome is not None and outcome not in OUTCOMES:
            raise EvalsuiteError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        sort = (params.get("sort") or ["order"])[-1] or "order"
        if sort not in SORTS:
            raise EvalsuiteError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
        return cls({k: v for k, v in equal.items() if v}, outcome, (params.get("q") or [""])[-1], sort,
                   (params.get("desc") or ["0"])[-1] in ("1", "true"))


def rows_containing(lines: IndexedLines, text: str, among: np.ndarray | None = None) -> np.ndarray:
    """Rows (of `among`, or all) whose output contains `text`, ASCII case ignored. The
    lower-cased outputs lie end to end: one scan, jumping to the next output after each hit,
    or, for a few rows, a look at each of their outputs."""
    needle = text.encode("utf-8").lower()
    haystack, offsets = lines.search_text, lines.search_offsets
    if among is not None and len(among) * 20 < len(lines):
        return np.array([row for row in among.tolist() if haystack.find(needle, offsets[row], offsets[row + 1]) >= 0],
                        np.int64)
    bounds, find, found = offsets.tolist(), haystack.find, []
    position = find(needle)
    while position >= 0:
        row = bisect.bisect_right(bounds, position) - 1
        if position + len(needle) <= bounds[row + 1]:  # not across two outputs
            found.append(row)
            position = bounds[row + 1]
        else:
            position += 1
        position = find(needle, position)
    rows = np.array(found, np.int64)
    return rows if among is None else rows[np.isin(rows, among)]


class SampleTable:
    """Columns of all runs' samples; `run` and `row` say where each sample lives."""

    def __init__(self, names: list[str], indexes: list[IndexedLines]) -> None:
        self.names = names
        self.parts = indexes
        run = np.concatenate([np.full(len(lines), number, np.int32) for number, lines in enumerate(indexes)] or [np.zeros(0, np.int32)])
        row = np.concatenate([np.arange(len(lines), dtype=np.int64) for lines in indexes] or [np.zeros(0, np.int64)])
        identity = np.concatenate([lines.identity for lines in indexes] or [np.zeros(0, np.uint64)])
        keep = ~pd.Series(identity).duplicated(keep="last").to_numpy() | (identity == NO_KEY)
        self.run, self.row = run[keep], row[keep]
        self.codes, self.values = {}, {}
        for name in TEXT:
            merged: dict[str, int] = {}
            remapped = []
            for lines in indexes:
                lookup = np.array([merged.setdefault(v, len(merged)) for v in lines.values[name]] + [-1], np.int32)
                remapped.append(lookup[lines.codes[name]])
            self.codes[name] = np.concatenate(remapped or [np.zeros(0, np.int32)])[keep]
            self.values[name] = list(merged)
        self.codes["run"], self.values["run"] = self.run, list(names)
        self.numbers = {name: np.concatenate([lines.numbers[name] for lines in indexes] or [np.zeros(0)])[keep]
                        for name in NUMBER}
        self.flags = {name: np.concatenate([lines.flags[name] for lines in indexes] or [np.zeros(0, np.int8)])[keep]
                      for name in FLAG}
        self.position_of = []  # per run: each row's position in the table (-1: a duplicate)
        for number, lines in enumerate(indexes):
            positions = np.full(len(lines), -1, np.int64)
            mine = np.flatnonzero(self.run == number)
            positions[self.row[mine]] = mine
            self.position_of.append(positions)
        self._frame: pd.DataFrame | None = None
        self._facets: dict[str, list] | None = None

    def __len__(self) -> int:
        return len(self.run)

    def facets(self) -> dict[str, list]:
        """The values each facet takes, for the filters of the samples page."""
        if self._facets is None:
            self._facets = self._find_facets()
        return self._facets

    def _find_facets(self) -> dict[str, list]:
        found = {}
        for name in FACETS:
            if name in self.numbers:
                column = self.numbers[name]
                found[name] = [_plain(v) for v in np.unique(column[~np.isnan(column)])]
            else:
                used = np.unique(self.codes[name][self.codes[name] >= 0])
                values = [self.values[name][i] for i in used]
                found[name] = values if name == "run" else sorted(values)
        return {name: values for name, values in found.items() if values}

    def select(self, query: Query) -> np.ndarray:
        """Positions of the samples the query keeps, in its order."""
        mask = np.ones(len(self), bool)
        for name, wanted in query.equal.items():
            mask &= self._equal(name, wanted)
        if query.outcome is not None:
            flexible, failed = self.flags["exact_flexible"], self.codes["error"] >= 0
            mask &= {"right": flexible == 1, "wrong": (flexible != 1) & ~failed, "failed": failed}[query.outcome]
        if query.text:
            found = np.zeros(len(self), bool)
            for number, lines in enumerate(self.parts):
                kept = np.flatnonzero(mask & (self.run == number))
                positions = self.position_of[number][rows_containing(lines, query.text, self.row[kept])]
                found[positions[positions >= 0]] = True
            mask &= found
        positions = np.flatnonzero(mask)
        if query.sort == "order":
            return positions[::-1] if query.descending else positions
        keys = self._sort_key(query.sort)[positions]
        if query.descending:
            keys = -keys
        return positions[np.argsort(np.nan_to_num(keys, nan=np.inf), kind="stable")]

    def _equal(self, name: str, wanted: tuple[str, ...]) -> np.ndarray:
        if name in self.numbers:
            try:
                numbers = [float(value) for value in wanted]
            except ValueError:
                raise EvalsuiteError(f"{name} must be a number, got {', '.join(wanted)}") from None
            return np.isin(self.numbers[name], numbers)
        codes = [self.values[name].index(value) for value in wanted if value in self.values[name]]
        return np.isin(self.codes[name], codes)

    def _sort_key(self, name: str) -> np.ndarray:
        if name in self.numbers:
            return self.numbers[name]
        ranks = np.argsort(np.argsort(np.array(self.values[name], dtype=object)))
        return np.append(ranks, np.nan)[self.codes[name]].astype(float)  # missing (-1) last

    def next_wrong(self, position: int) -> int | None:
        """The next sample after `position` that is not right, in the same table cell (run
        configuration, algorithm or task variant, length)."""
        mask = self.flags["exact_flexible"] != 1
        for name in CELL:
            if name in self.numbers:
                column = self.numbers[name]
                value = column[position]
                mask &= np.isnan(column) if np.isnan(value) else column == value
            else:
                mask &= self.codes[name] == self.codes[name][position]
        later = np.flatnonzero(mask[position + 1:])
        return int(later[0]) + position + 1 if len(later) else None

    def position(self, sample_id: str) -> int:
        """The table position of a sample id `RUN-ROW`; an error if there is no such sample."""
        run, _, row = sample_id.partition("-")
        if not (run.isdigit() and row.isdigit()) or int(run) >= len(self.parts) or int(row) >= len(self.parts[int(run)]):
            raise LookupError(sample_id)
        position = int(self.position_of[int(run)][int(row)])
        if position < 0:
            raise LookupError(sample_id)
        return position

    def sample_id(self, position: int) -> str:
        return f"{self.run[position]}-{self.row[position]}"

    def value(self, name: str, position: int):
        """One sample's indexed value of a column (None when missing)."""
        if name in self.numbers:
            return _plain(self.numbers[name][position])
        if name in self.flags:
            flag = int(self.flags[name][position])
            return None if flag < 0 else bool(flag)
        code = int(self.codes[name][position])
        return None if code < 0 else self.values[name][code]

    def frame(self) -> pd.DataFrame:
        """The indexed columns as the DataFrame `load_results` would give for these runs
        (one row per sample, `source` naming its run), for the report's summaries."""
        if self._frame is None:
            # Categories of plain Python strings: turning them into objects (as summarise does) is then a take.
            columns = {"source": pd.Categorical.from_codes(self.run, categories=pd.Index(self.names, dtype=object))}
            for name in TEXT:
                columns[name] = pd.Categorical.from_codes(self.codes[name], categories=pd.Index(self.values[name], dtype=object))
            for name, values in self.numbers.items():
                whole = not np.isnan(values).any() and np.array_equal(values, np.round(values))
                columns[name] = values.astype(np.int64) if whole and name in ("length", "shots") else values
            for name, flags in self.flags.items():
                columns[name] = np.where(flags < 0, np.nan, flags.astype(float))
            frame = pd.DataFrame(columns)
            if frame["model"].isna().all():  # as load_results: a run without models is named by its folder
                frame["model"] = frame["source"]
            self._frame = frame
        return self._frame


def _plain(value):
    """A float that is a whole number as an int; NaN as None (for JSON)."""
    value = float(value)
    if math.isnan(value):
        return None
    return int(value) if value.is_integer() else value
