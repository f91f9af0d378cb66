"""Collapse and sensitivity on the embedded Gemma at small lengths (tox env `local`), and the
model-name errors that need no torch."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math

import pytest

from evalsuite.cli.oversquash_local import add_collapse_parser, add_sensitivity_parser
from evalsuite.errors import EvalsuiteError
from evalsuite.oversquash.pairs import PAIR_KINDS, CheckedPair, checked_pairs, make_pair

local = pytest.mark.local
MODEL = "hf/gemma-3-270m"
PAPER_LENGTHS = (1, 2, 6, 11, 51, 101, 501)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    add_collapse_parser(subparsers)
    add_sensitivity_parser(subparsers)
    return parser.parse_args(argv)


@pytest.fixture(scope="module")
def gemma():
    pytest.importorskip("torch")
    from evalsuite.oversquash.local_model import load_local_model

    return load_local_model(MODEL, "float32", "cpu")


# ---- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["collapse", "sensitivity"])
def test_a_model_that_is_not_local_is_refused(command):
    args = parse(command, "--model", "openai/gpt-4o-mini")
    with pytest.raises(EvalsuiteError, match=f"^{command} needs a local hf/ model"):
        args.handler(args)


def test_unknown_pair_kind_and_dtype_are_refused_before_loading():
    for option, value in (("--pairs", "ones,twos"), ("--dtypes", "float32,int8")):
        args = parse("collapse", option, value)
        with pytest.raises(EvalsuiteError, match=f"^{option}: unknown"):
            args.handler(args)


@local
def test_lengths_beyond_the_context_are_an_error(gemma):
    from evalsuite.oversquash.collapse import pairs_for

    short_context = dataclasses.replace(gemma, context=30)
    with pytest.raises(EvalsuiteError, match=r"^--lengths 40 needs \d+ tokens, more than hf/gemma-3-270m's context of 30$"):
        pairs_for(short_context, ["ones"], [6, 40])


# ---- the model's side ---------------------------------------------------------------------


@local
def test_gemma_tokenizer_accepts_every_pair_at_the_papers_lengths(gemma):
    checked = checked_pairs(PAIR_KINDS, PAPER_LENGTHS, gemma.tokenizer)
    assert [item.reason for item in checked if not item.valid] == []


@local
def test_the_final_state_is_what_the_unembedding_reads(gemma):
    import torch

    ids = gemma.tokenizer.encode(make_pair("copy", 6).short)
    with torch.inference_mode():
        output = gemma.model(input_ids=torch.tensor([ids]), output_hidden_states=True)
        readout = gemma.model.get_output_embeddings()(output.hidden_states[-1][0, -1])
    torch.testing.assert_close(readout, output.logits[0, -1], rtol=1e-4, atol=1e-3)


@local
def test_identical_prompts_are_zero_apart(gemma):
    from evalsuite.oversquash.collapse import measure_pair

    ids = tuple(gemma.tokenizer.encode(make_pair("ones", 6).short))
    row = measure_pair(gemma, CheckedPair(make_pair("ones", 6), ids, ids, ""))
    assert (row.linf, row.l2, row.relative, row.same_next_token) == (0.0, 0.0, 0.0, True)


@local
def test_collapse_writes_a_row_per_length_and_dtype(tmp_path):
    pytest.importorskip("torch")
    args = parse("collapse", "--model", MODEL, "--lengths", "1,2,6", "--pairs", "ones",
                 "--dtypes", "float32,bfloat16", "--device", "cpu", "--out", str(tmp_path))
    assert args.handler(args) == 0
    with open(tmp_path / "collapse.csv", newline="") as table:
        rows = list(csv.DictReader(table))
    assert [(row["dtype"], row["n"]) for row in rows] == [
        (dtype, n) for dtype in ("float32", "bfloat16") for n in ("1", "2", "6")
    ]
    for row in rows:
        assert row["valid"] == "True" and row["pair"] == "ones"
        for column in ("linf", "l2", "relative"):
            assert math.isfinite(float(row[column])) and float(row[column]) >= 0
        assert row["same_next_token"] in ("True", "False")
    assert (tmp_path / "collapse.png").read_bytes().startswith(b"\x89PNG")


@local
def test_sensitivity_has_one_finite_norm_per_input_position(gemma, tmp_path):
    from evalsuite.oversquash.sensitivity import SensitivityRow, jacobian_norms, write_sensitivity

    ids = gemma.tokenizer.encode(make_pair("copy", 6).short)
    norms = jacobian_norms(gemma, ids, probes=2)
    assert len(norms) == len(ids)
    assert all(math.isfinite(norm) and norm > 0 for norm in norms)
    rows = [SensitivityRow(position, str(token), norm) for position, (token, norm) in enumerate(zip(ids, norms))]
    table, figure = write_sensitivity(rows, tmp_path)
    assert table.read_text().splitlines()[0] == "position,token,grad_norm"
    assert figure.read_bytes().startswith(b"\x89PNG")
