"""Results as pandas tables, files and plots."""

from evalsuite.report.comparison import compare
from evalsuite.report.load import load_results
from evalsuite.report.repeated import repeated_samples_table
from evalsuite.report.statistics import wilson_interval
from evalsuite.report.summary import summarise
from evalsuite.report.tables import comparison_table, format_table

__all__ = [
    "compare", "comparison_table", "format_table", "load_results", "repeated_samples_table", "summarise",
    "wilson_interval",
]
