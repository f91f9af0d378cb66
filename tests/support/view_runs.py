"""Run directories for the viewer's tests: made by `evalsuite run` on the dummy models, some
outputs then changed and scored again."""

from __future__ import annotations

import json
import re
from pathlib import Path

from evalsuite.cli.main import main
from evalsuite.scoring.score import Gold
from evalsuite.scoring.shape import render

SMALL = ["--algorithms", "bfs,insertion_sort,minimum", "--lengths", "4,8", "--seeds", "0", "--samples", "2",
         "--style", "few-shot", "trace", "--shots", "1", "--no-cache"]
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> & </pre>'


def records(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "samples.jsonl").read_text().splitlines()]


def write_records(directory: Path, rows: list[dict]) -> None:
    with open(directory / "samples.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _bump_first_number(text: str) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group()) + 1), text, count=1)


def wrong_output(record: dict, step: int, element: int) -> str:
    """The gold answer with trace frame `step` and final-answer value `element` changed."""
    gold = Gold.from_texts(record["question"], record["answer"])
    shape, leaves = gold.parsed
    leaves = list(leaves)
    leaves[element] = _bump_first_number(leaves[element])
    frames = list(gold.frames)
    frames[step] = _bump_first_number(frames[step])
    return ", ".join(frames) + " | " + render(shape, leaves)


def make_run(directory: Path, model: str = "dummy/oracle", extra: tuple[str, ...] = ()) -> Path:
    assert main(["run", "--model", model, *SMALL, *extra, "--out", str(directory)]) == 0
    return directory
