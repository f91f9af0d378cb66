"""`evalsuite prompt` prints what a model would be asked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def evalsuite(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalsuite", *args], capture_output=True, text=True, timeout=120)


def test_prints_a_completion_prompt() -> None:
    result = evalsuite("prompt", "--algorithm", "minimum", "--length", "5", "--style", "few-shot", "--shots", "2")
    assert result.returncode == 0
    assert result.stdout.count("minimum:\nkey: [") == 3 and result.stdout.endswith("min:\n")


def test_json_has_chat_messages_as_role_content() -> None:
    result = evalsuite("prompt", "--algorithm", "minimum", "--length", "5", "--style", "trace", "--shots", "2",
                       "--mode", "chat", "--fewshot-layout", "multiturn", "--json")
    record = json.loads(result.stdout)
    assert [m["role"] for m in record["messages"]] == ["user", "assistant", "user", "assistant", "user"]
    assert record["text"] is None and len(record["template_sha256"]) == 64
    assert len(record["example_ids"]) == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--style", "cot"], "--style must be one of zero-shot, few-shot, trace"),
        (["--mode", "voice"], "--mode must be one of completion, chat"),
        (["--style", "few-shot", "--shots", "-2"], "--shots must be 0 or more"),
        (["--templates", "/no/such/dir"], "is not a directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(arguments: list, message: str) -> None:
    result = evalsuite("prompt", "--algorithm", "minimum", "--length", "5", *arguments)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_undefined_variable_in_user_template_names_it(tmp_path: Path) -> None:
    (tmp_path / "completion.j2").write_text("{{ question }} {{ tone }}")
    result = evalsuite("prompt", "--algorithm", "minimum", "--length", "5", "--templates", str(tmp_path))
    assert result.returncode == 2 and "template 'completion.j2': 'tone' is undefined" in result.stderr
