"""Prompts from Jinja templates: zero-shot, few-shot and chain-of-trace, completion or chat."""

from evalsuite.prompts.examples import ExamplePool
from evalsuite.prompts.record import MODES, STYLES, Message, Mode, Prompt, Style
from evalsuite.prompts.render import LAYOUTS, PromptOptions, render_prompt
from evalsuite.prompts.templates import TemplateSet

__all__ = [
    "LAYOUTS", "MODES", "STYLES", "ExamplePool", "Message", "Mode", "Prompt", "PromptOptions",
    "Style", "TemplateSet", "render_prompt",
]
