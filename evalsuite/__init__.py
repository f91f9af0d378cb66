"""evalsuite: measure how well language models reason in context (CLRS-Text and more)."""

__version__ = "0.1.0"
