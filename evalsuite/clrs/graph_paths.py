"""Placeholder: filled in by the chapter's implementation."""

ALGORITHMS = ()
