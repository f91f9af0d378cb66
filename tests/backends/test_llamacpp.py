"""The llama.cpp backend on the embedded GGUF, as shipped (tox env `local`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness import PROMPTS, run

from evalsuite.backends import BackendOptions, EngineOptions, LlamaCppOptions, gemma, load_backend
from evalsuite.backends.base import GenerationParams, Request
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.record import Message

pytestmark = pytest.mark.local


def llamacpp(model: str = "llamacpp/gemma-3-270m", **options: object):
    return load_backend(model, BackendOptions(cache=None, engines=EngineOptions(
        llamacpp=LlamaCppOptions(**options))))


def completion(text: str, **params: object) -> Request:
    return Request(text=text, messages=None, params=GenerationParams(**params))


def test_a_greedy_answer_is_the_same_whatever_requests_share_its_forward_passes() -> None:
    requests = [completion(p, max_tokens=12) for p in PROMPTS]
    together = run(llamacpp(threads=1, batch_size=4), requests)
    reversed_ = run(llamacpp(threads=1, batch_size=4), requests[::-1])[::-1]
    alone = [run(llamacpp(threads=1, batch_size=4), [request])[0] for request in requests[:2]]
    two_contexts = run(llamacpp(threads=2, parallel=2, batch_size=4), requests)
    texts = [c.text for c in together]
    assert [c.text for c in reversed_] == texts == [c.text for c in two_contexts]
    assert [c.text for c in alone] == texts[:2]
    assert all(c.error is None and c.output_tokens and c.input_tokens for c in together)
    assert len(set(texts)) == len(texts)  # real answers, one per prompt


def test_requests_finishing_at_different_steps_free_their_sequence_for_the_next() -> None:
    lengths = [1, 7, 2, 12, 3, 5, 1, 9]
    requests = [completion("a b c d e f g h i j k", max_tokens=n) for n in lengths]
    answers = run(llamacpp(threads=1, batch_size=3), requests)
    assert [c.output_tokens for c in answers] == lengths
    assert all(c.finish_reason == "length" and c.latency_s > 0 for c in answers)
    # the same prompt, greedy: every answer is the start of the longest one
    longest = max(answers, key=lambda c: c.output_tokens).text
    assert all(longest.startswith(c.text) for c in answers)


def test_a_stop_string_cuts_the_text_and_ends_the_request() -> None:
    [free] = run(llamacpp(), [completion("Count: 1, 2, 3, 4, 5,", max_tokens=20)])
    assert free.finish_reason == "length" and free.output_tokens == 20
    stop = free.text[3:6]  # a piece the free answer holds, after its start
    [stopped] = run(llamacpp(), [completion("Count: 1, 2, 3, 4, 5,", max_tokens=20, stop=(stop,))])
    assert stopped.finish_reason == "stop"
    assert stopped.text == free.text[: free.text.index(stop)]
    assert stopped.output_tokens < 20


def test_chat_messages_go_through_gemmas_chat_template() -> None:
    backend = llamacpp()
    chat = Request(text=None, messages=(Message("user", "Say hi."),), params=GenerationParams(max_tokens=8))
    tokens = backend.encode(chat)
    text = b"".join(backend.model.piece(t, special=True) for t in tokens).decode()
    assert text == "<bos><start_of_turn>user\nSay hi.<end_of_turn>\n<start_of_turn>model\n"
    [answer] = run(backend, [chat])
    assert answer.error is None and answer.input_tokens == len(tokens)
    assert "<end_of_turn>" not in answer.text


def test_a_gguf_without_a_chat_template_refuses_chat_in_one_line(tmp_path: Path) -> None:
    other = tmp_path / "other.gguf"
    other.symlink_to(gemma.ensure_gguf())  # the embedded file under another name: no template
    backend = llamacpp(f"llamacpp/{other}")
    chat = Request(text=None, messages=(Message("user", "hi"),), params=GenerationParams(max_tokens=4))
    with pytest.raises(EvalsuiteError, match="has no chat template in its GGUF"):
        run(backend, [chat])
    [plain] = run(llamacpp(f"llamacpp/{other}"), [completion("The capital of France is", max_tokens=4)])
    assert plain.error is None and plain.text


def test_a_seed_fixes_a_sampled_answer_and_another_seed_changes_it() -> None:
    prompt = "Write a word:"
    sampled = [completion(prompt, max_tokens=16, temperature=1.5, seed=seed) for seed in (7, 7, 8, 9, 10)]
    texts = [c.text for c in run(llamacpp(parallel=2), sampled)]
    assert texts[0] == texts[1]
    assert len(set(texts[1:])) > 1


def test_a_prompt_too_long_for_the_context_is_that_samples_rejection() -> None:
    long = completion("one two three " * 40, max_tokens=8)
    short = completion("The capital of France is", max_tokens=8)
    rejected, answered = run(llamacpp(max_model_len=64), [long, short])
    assert rejected.error.startswith("rejected: ") and "exceed the model's context of 64" in rejected.error
    assert answered.error is None and answered.text


def test_a_default_max_tokens_is_lowered_to_the_room_the_prompt_leaves() -> None:
    request = Request(text="The capital of France is", messages=None,
                      params=GenerationParams(max_tokens=500, fit_context=True))
    [answer] = run(llamacpp(max_model_len=32), [request])
    assert answer.error is None and answer.input_tokens + answer.output_tokens <= 32


def test_a_missing_gguf_file_is_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(EvalsuiteError, match="no such GGUF file"):
        llamacpp(f"llamacpp/{tmp_path / 'absent.gguf'}")


def test_the_default_run_answers_with_llamacpp_and_prints_no_engine_logs(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "evalsuite", "run", "--algorithms", "minimum,bfs", "--samples", "1",
         "--cache", str(tmp_path / "cache.sqlite"), "--out", str(out)],
        check=False, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and {r["model"] for r in rows} == {"llamacpp/gemma-3-270m"}
    assert all(r["error"] is None and r["input_tokens"] > 0 and r["output_tokens"] > 0 for r in rows)
    assert "llama_" not in result.stderr and "load:" not in result.stderr, result.stderr
    again = subprocess.run(
        [sys.executable, "-m", "evalsuite", "run", "--algorithms", "minimum,bfs", "--samples", "1",
         "--cache", str(tmp_path / "cache.sqlite"), "--out", str(tmp_path / "again")],
        check=False, capture_output=True, text=True, timeout=600,
    )
    assert again.returncode == 0 and "4 from cache" in again.stderr, again.stderr
