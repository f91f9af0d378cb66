"""Scoring records that came from anywhere: question, answer, output (+ mode, algo_name)."""

from __future__ import annotations

from evalsuite.clrs.registry import ALGORITHMS, unknown_algorithm_message
from evalsuite.errors import EvalsuiteError
from evalsuite.scoring.score import Gold, score_clrs

REQUIRED = ("question", "answer", "output")
MODES = ("completion", "chat")


def score_record(record: dict, where: str = "") -> dict:
    """The record with the score fields added; an EvalsuiteError (prefixed by `where`) if a
    field is missing or wrong."""
    prefix = f"{where}: " if where else ""
    for name in REQUIRED:
        if not isinstance(record.get(name), str):
            problem = "missing" if name not in record else "not a string"
            raise EvalsuiteError(f"{prefix}field {name!r} is {problem}")
    mode = record.get("mode") or "completion"
    if mode not in MODES:
        raise EvalsuiteError(f"{prefix}mode must be completion or chat, got {mode!r}")
    algo_name = record.get("algo_name")
    if algo_name is not None and algo_name not in ALGORITHMS:
        raise EvalsuiteError(prefix + unknown_algorithm_message(str(algo_name)))
    gold = Gold.from_texts(record["question"], record["answer"])
    score = score_clrs(record["output"], gold, mode, record.get("finish_reason"))
    return {**record, **score.to_dict()}
