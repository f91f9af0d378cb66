"""A non-editable install ships every package and the top-level prompt templates."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "evalsuite").rglob("__init__.py")
    }
    assert on_disk <= listed


def test_wheel_holds_the_templates_and_they_are_found_after_install(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next(tmp_path.glob("evalsuite-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("completion.j2", "chat_single.j2", "chat_multiturn.j2", "instruction.j2", "algorithms.toml"):
        assert f"evalsuite/_prompts/{template}" in names
    assert "evalsuite/data/prices.toml" in names
    for page in ("templates/page.html.j2", "static/viewer.js", "static/viewer.css"):
        assert f"evalsuite/view/{page}" in names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )
    code = (
        "from evalsuite.prompts.templates import builtin_prompts_dir as d; "
        "from evalsuite.prompts import TemplateSet; "
        "print(d()); print(TemplateSet().source('completion.j2')[:2])"
    )
    environment = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=environment, check=True)
    location, start = result.stdout.splitlines()
    assert Path(location).is_relative_to(target)
    assert start == "{#"
