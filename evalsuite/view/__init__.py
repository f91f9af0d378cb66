"""`evalsuite view`: a local web page over run directories (tables, plots, every sample),
and the same page exported as one self-contained HTML file."""

from evalsuite.view.export import export_report
from evalsuite.view.runs import RunSet
from evalsuite.view.server import ViewerServer

__all__ = ["RunSet", "ViewerServer", "export_report"]
