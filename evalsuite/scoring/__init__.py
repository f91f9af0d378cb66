"""Scoring: answer extraction (strict and flexible) and CLRS-Text metrics."""

from evalsuite.scoring.records import score_record
from evalsuite.scoring.score import Gold, Score, score_clrs

__all__ = ["Gold", "Score", "score_clrs", "score_record"]
