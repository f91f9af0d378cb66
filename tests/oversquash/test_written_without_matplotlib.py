"""Without matplotlib the over-squashing measurements still write their tables: only the
figure is left out (the command says so in one line), so hours of measurement are not lost."""

from __future__ import annotations

import sys

import pytest

from evalsuite.oversquash.collapse import CollapseRow, write_collapse
from evalsuite.oversquash.sensitivity import SensitivityRow, write_sensitivity


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [module for module in sys.modules if module.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail


def test_collapse_table_is_written_and_the_figure_left_out(no_matplotlib, tmp_path) -> None:
    rows = [CollapseRow("ones", "float32", n, n + 1, 0.5 / n, 1.0 / n, 0.1 / n, True, "1", "1", True, "")
            for n in (1, 2, 6)]
    table, figure = write_collapse(rows, tmp_path)
    assert figure is None and not (tmp_path / "collapse.png").exists()
    lines = table.read_text().splitlines()
    assert lines[0].startswith("pair,dtype,n,") and len(lines) == 4


def test_sensitivity_table_is_written_and_the_figure_left_out(no_matplotlib, tmp_path) -> None:
    table, figure = write_sensitivity([SensitivityRow(0, "a", 1.5), SensitivityRow(1, "b", 0.5)], tmp_path)
    assert figure is None and not (tmp_path / "sensitivity.png").exists()
    assert table.read_text().splitlines() == ["position,token,grad_norm", "0,a,1.5", "1,b,0.5"]
