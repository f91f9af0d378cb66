"""--ray on the command line: hosted models refused, --ray-workers only with --ray."""

from __future__ import annotations

import pytest

from evalsuite.cli.main import main


@pytest.mark.parametrize("model", ["openai/gpt-4o-mini", "anthropic/claude-haiku"])
def test_ray_with_a_hosted_model_is_one_line_and_exit_2(model: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "--model", "dummy/oracle", model, "--ray", "--no-cache"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and model in error and "--concurrency" in error and "--batch" in error


def test_ray_workers_without_ray_is_refused(capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "--model", "dummy/oracle", "--ray-workers", "2"]) == 2
    assert capsys.readouterr().err == "evalsuite: error: --ray-workers needs --ray\n"
