"""Sample → Prompt: a CLRS-Text item put to a model in one style and mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from evalsuite.clrs.answers import split_answer, split_frames
from evalsuite.clrs.generate import Sample
from evalsuite.clrs.registry import get_algorithm
from evalsuite.errors import EvalsuiteError
from evalsuite.prompts.examples import ExamplePool
from evalsuite.prompts.record import MODES, STYLES, Message, Mode, Prompt, Style
from evalsuite.prompts.templates import TemplateSet

Layout = Literal["single", "multiturn"]
LAYOUTS: tuple[Layout, ...] = ("single", "multiturn")
COMPLETION_STOP = ("\n\n",)  # every CLRS-Text answer ends with a blank line


@dataclass(frozen=True)
class PromptOptions:
    """How items are put to the model."""

    style: Style = "zero-shot"
    mode: Mode = "completion"
    shots: int = 0
    layout: Layout = "single"

    def check(self) -> None:
        if self.style not in STYLES:
            raise EvalsuiteError(f"--style must be one of {', '.join(STYLES)}, got {self.style!r}")
        if self.mode not in MODES:
            raise EvalsuiteError(f"--mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.layout not in LAYOUTS:
            raise EvalsuiteError(
                f"--fewshot-layout must be one of {', '.join(LAYOUTS)}, got {self.layout!r}"
            )
        if self.shots < 0:
            raise EvalsuiteError(f"--shots must be 0 or more, got {self.shots}")
        if self.style == "zero-shot" and self.shots:
            raise EvalsuiteError("--style zero-shot takes no examples: use --shots 0 or --style few-shot")


def item_id(item: Sample) -> str:
    hints = "/hints" if item.use_hints else ""
    return f"{item.flavor}/{item.algo_name}/{item.length}/{item.seed}/{item.index}{hints}"


def render_prompt(
    item: Sample,
    options: PromptOptions,
    examples: ExamplePool | None = None,
    templates: TemplateSet | None = None,
) -> Prompt:
    """The prompt for one item, with its gold answer, gold trace and provenance."""
    options.check()
    wants_hints = options.style == "trace"
    if item.use_hints != wants_hints:
        need = "with hints (--hints on)" if wants_hints else "without hints (--hints off)"
        raise EvalsuiteError(f"--style {options.style} needs items {need}; {item_id(item)} is not")
    spec = get_algorithm(item.algo_name)
    templates = templates or TemplateSet()
    pool = examples or ExamplePool(item.flavor)
    chosen = pool.examples(
        item.algo_name, item.length, item.seed, item.index, options.shots, use_hints=wants_hints
    )
    solved = [{"question": question, "answer": answer} for _, question, answer in chosen]
    trace, final = split_answer(item.answer)

    if options.mode == "completion":
        rendered = templates.render("completion.j2", examples=solved, question=item.question)
        text, messages, template, digest = rendered.text, None, rendered.template, rendered.sha256
        stop = COMPLETION_STOP
    else:
        variables = _instruction_variables(templates, spec, options)
        if options.layout == "single":
            rendered = templates.render("chat_single.j2", examples=solved, question=item.question, **variables)
            messages = (Message("user", rendered.text.strip()),)
            template, digest = rendered.template, rendered.sha256
        else:
            template = "chat_multiturn.j2"
            messages = _multiturn(templates, template, solved, item.question, variables)
            digest = templates.sha256(template)
        text, stop = None, ()

    return Prompt(
        item_id=item_id(item),
        algo_name=item.algo_name,
        length=item.length,
        style=options.style,
        mode=options.mode,
        shots=options.shots,
        text=text,
        messages=messages,
        gold_answer=final,
        gold_trace=split_frames(spec, trace) if trace else (),
        example_ids=tuple(example_id for example_id, _, _ in chosen),
        template=template,
        template_sha256=digest,
        stop=stop,
    )


def _instruction_variables(templates: TemplateSet, spec, options: PromptOptions) -> dict:
    notes = templates.descriptions
    label = spec.hinted_label if options.style == "trace" else spec.output_label
    if options.style == "trace" and spec.parenthesised:
        label = f"({label})"
    return {
        "algorithm": spec.name,
        "description": notes["descriptions"].get(spec.name, ""),
        "trace_note": notes["traces"].get(spec.name, ""),
        "label": label,
        "style": options.style,
        "shots": options.shots,
    }


def _multiturn(
    templates: TemplateSet, template: str, solved: list[dict], question: str, variables: dict
) -> tuple[Message, ...]:
    turns = templates.macros(template, **variables)
    questions = [example["question"] for example in solved] + [question]
    messages = [Message("user", turns.call("first_user", questions[0]).strip())]
    for example, next_question in zip(solved, questions[1:]):
        messages.append(Message("assistant", turns.call("assistant", example["answer"]).strip()))
        messages.append(Message("user", turns.call("user", next_question).strip()))
    return tuple(messages)
