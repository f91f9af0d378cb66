"""Results as pandas tables, files and plots."""

from evalsuite.report.load import load_results
from evalsuite.report.statistics import wilson_interval
from evalsuite.report.summary import summarise
from evalsuite.report.tables import comparison_table, format_table

__all__ = ["comparison_table", "format_table", "load_results", "summarise", "wilson_interval"]
