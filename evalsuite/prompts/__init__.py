"""Prompts from Jinja templates: zero-shot, few-shot and chain-of-trace, completion or chat.

The names below are imported on first use, so that `evalsuite.prompts.record` (the records,
which the backends need) does not bring jinja2 and the CLRS generator with it.
"""

from importlib import import_module

_WHERE = {
    "ExamplePool": "examples",
    "LAYOUTS": "render", "PromptOptions": "render", "render_prompt": "render",
    "MODES": "record", "STYLES": "record", "Message": "record", "Mode": "record", "Prompt": "record",
    "Style": "record",
    "TemplateSet": "templates",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'evalsuite.prompts' has no attribute {name!r}")
    value = getattr(import_module(f"evalsuite.prompts.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
