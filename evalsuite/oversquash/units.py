"""Over-squashing items → prompts → work units for the shared run machinery."""

from __future__ import annotations

from typing import Callable

from evalsuite.backends.base import Completion, GenerationParams, Request
from evalsuite.oversquash.tasks import (
    FEW_SHOT_COUNTS,
    SquashItem,
    copy_sequence,
    count_sequence,
    worked_count,
)
from evalsuite.prompts import Message, TemplateSet
from evalsuite.prompts.templates import RenderedText
from evalsuite.run.plan import WorkUnit
from evalsuite.scoring.phrase import COPY_PHRASE, COUNT_PHRASE, score_phrase

TEMPLATES = {"copy": "oversquash_copy.j2", "count": "oversquash_count.j2"}


def render_squash(item: SquashItem, templates: TemplateSet) -> RenderedText:
    """The question for one copying or counting item, from its template."""
    if item.family == "copy":
        _, position, _ = copy_sequence(item.variant, item.length)
        return templates.render(
            TEMPLATES["copy"], sequence=item.sequence, position=position,
            hint=item.variant == "hint", prompt_type=item.style,
        )
    examples = []
    if item.style == "few-shot-cot":
        for count in FEW_SHOT_COUNTS:
            sequence, _ = count_sequence("ones" if item.variant == "random-ones" else item.variant, count, None)
            examples.append({"sequence": sequence, "worked": worked_count(count), "answer": count})
    return templates.render(
        TEMPLATES["count"], task=item.variant, sequence=item.sequence, style=item.style, examples=examples,
    )


def max_tokens_for(item: SquashItem) -> int:
    """Room for the phrase, and for the reasoning the chain-of-thought styles ask for."""
    if item.family == "count" and item.style != "answer-only":
        return 256 + 3 * item.length
    return 64


def _scorer(item: SquashItem) -> Callable[[Completion], dict]:
    phrase = COPY_PHRASE if item.family == "copy" else COUNT_PHRASE

    def score(completion: Completion) -> dict:
        return {**score_phrase(completion.text, item.gold, phrase, completion.finish_reason).to_dict(),
                "predicted": None if completion.error else _predicted(completion.text, phrase, item.gold)}

    return score


def _predicted(text: str, phrase: str, gold: int) -> int | None:
    value = score_phrase(text, gold, phrase).flexible_answer
    return int(value) if value is not None else None


def squash_units(items: list[SquashItem], models: tuple[str, ...], mode: str, temperature: float,
                 max_tokens: int, templates: TemplateSet) -> list[WorkUnit]:
    """One unit per item and model; the prompt is sent as text (completion) or one user turn (chat)."""
    units = []
    for item in items:
        rendered = render_squash(item, templates)
        text, messages = (rendered.text, None) if mode == "completion" else (None, (Message("user", rendered.text),))
        params = GenerationParams(max_tokens or max_tokens_for(item), temperature, fit_context=not max_tokens)
        request = Request(text, messages, params, gold=f"{COPY_PHRASE if item.family == 'copy' else COUNT_PHRASE} {item.gold}")
        fields = {
            "item_id": item.item_id, "task": item.family, "variant": item.variant, "style": item.style,
            "length": item.length, "seed": item.seed, "index": item.index, "gold": item.gold, "mode": mode,
            "shots": 3 if item.style == "few-shot-cot" else 0, "layout": "single",
            "prompt": text, "messages": [{"role": "user", "content": rendered.text}] if messages else None,
            "template": rendered.template, "template_sha256": rendered.sha256,
        }
        for model in models:
            key = f"{item.item_id}|{model}|{mode}"
            units.append(WorkUnit(key, model, request, {**fields, "model": model}, _scorer(item),
                                  rendered.template, rendered.sha256))
    return units
