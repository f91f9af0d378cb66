"""The samples page's data (one page of a query, rows from the index and the lines read for
it) and one sample's page (its record, and the answer and trace compared with the gold)."""

from __future__ import annotations

import json
from dataclasses import asdict

from evalsuite.errors import EvalsuiteError
from evalsuite.scoring.explain import explain_clrs
from evalsuite.scoring.score import Gold
from evalsuite.view.runs import RunSet
from evalsuite.view.table import Query, SampleTable

LISTED = ("model", "algo_name", "task", "variant", "length", "style", "shots", "mode", "layout",
          "exact_flexible", "exact_strict", "elementwise", "trace_prefix", "abs_error", "failure", "error")
SNIPPET = 160
DEFAULT_PAGE = 50
MAX_PAGE = 500


def _record(runs: RunSet, table: SampleTable, position: int) -> dict:
    line = runs.read_line(int(table.run[position]), int(table.row[position]))
    try:
        return json.loads(line)
    except json.JSONDecodeError:  # the file was rewritten since it was indexed
        raise EvalsuiteError("the run's samples.jsonl changed under the viewer; reload the page") from None


def outcome(table: SampleTable, position: int) -> str:
    if table.value("error", position) is not None:
        return "failed"
    return "right" if table.value("exact_flexible", position) else "wrong"


def summary_row(runs: RunSet, table: SampleTable, position: int) -> dict:
    """What the samples list shows of one sample."""
    output = _record(runs, table, position).get("output")
    output = output if isinstance(output, str) else ""
    return {
        "id": table.sample_id(position), "run": table.names[table.run[position]],
        **{name: table.value(name, position) for name in LISTED},
        "outcome": outcome(table, position),
        "output": output[:SNIPPET] + ("…" if len(output) > SNIPPET else ""),
    }


def samples_page(runs: RunSet, query: Query, page: int = 1, size: int = DEFAULT_PAGE) -> dict:
    """Page `page` (from 1) of the samples the query keeps, `size` to a page."""
    if not 1 <= size <= MAX_PAGE:
        raise EvalsuiteError(f"size must be 1 to {MAX_PAGE}, got {size}")
    if page < 1:
        raise EvalsuiteError(f"page must be 1 or more, got {page}")
    table = runs.table()
    positions = table.select(query)
    shown = positions[(page - 1) * size:page * size]
    return {
        "total": len(positions), "all": len(table), "page": page, "size": size,
        "pages": max(1, -(-len(positions) // size)), "facets": table.facets(),
        "rows": [summary_row(runs, table, int(position)) for position in shown],
    }


def sample_page(runs: RunSet, sample_id: str) -> dict:
    """One sample: its whole record, the comparison with the gold, and the samples next to
    it (before and after it in the table, and the next one not right in its cell)."""
    table = runs.table()
    position = table.position(sample_id)
    record = _record(runs, table, position)
    neighbour = {
        "previous": table.sample_id(position - 1) if position > 0 else None,
        "next": table.sample_id(position + 1) if position + 1 < len(table) else None,
    }
    wrong = table.next_wrong(position)
    neighbour["next_wrong"] = table.sample_id(wrong) if wrong is not None else None
    return {"id": sample_id, "run": table.names[table.run[position]], "outcome": outcome(table, position),
            "record": record, "explanation": explanation(record), **neighbour}


def explanation(record: dict) -> dict | None:
    """Elements and trace steps of a CLRS-Text record with an output (None otherwise)."""
    question, answer, output = record.get("question"), record.get("answer"), record.get("output")
    if record.get("error") or not all(isinstance(text, str) for text in (question, answer, output)):
        return None
    mode = record.get("mode") if record.get("mode") in ("completion", "chat") else "completion"
    explained = explain_clrs(output, Gold.from_texts(question, answer), mode, record.get("finish_reason"))
    return asdict(explained)
