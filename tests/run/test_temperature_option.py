"""A temperature below 0 (or not a number) is one line and exit 2 before anything runs, for
`run` and for the over-squashing runs alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("command", [
    ["run", "--model", "dummy/oracle", "--algorithms", "minimum", "--samples", "1"],
    ["oversquash", "count", "--model", "dummy/oracle", "--samples", "1"],
])
@pytest.mark.parametrize("value", ["-0.5", "nan"])
def test_a_temperature_below_zero_is_one_line_and_exit_2(tmp_path: Path, command: list[str], value: str) -> None:
    out = tmp_path / "run"
    result = subprocess.run([sys.executable, "-m", "evalsuite", *command, "--temperature", value, "--out", str(out)],
                            capture_output=True, text=True, timeout=300, env={"XDG_CACHE_HOME": str(tmp_path), "PATH": ""})
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"evalsuite: error: --temperature must be 0 or more, got {float(value)}\n"
    assert not out.exists()
