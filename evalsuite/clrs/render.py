"""CLRS-Text rendering: a Trace becomes a question and an answer, byte for byte as dm-clrs."""

from __future__ import annotations

from typing import Any, Callable

from evalsuite.clrs.spec import AlgorithmSpec, Field, Flavor, Kind, Trace

INITIAL_TRACE = "initial_trace: "
TRACE_SEPARATOR = " | "


def _number_format(flavor: Flavor) -> Callable[[Any], str]:
    # `current` (dm-clrs 2.0.3) prints numbers with str(): shortest round-trip repr for
    # floats, plain digits for ints. `paper` (2.0.1) prints both with three significant digits.
    if flavor == "current":
        return str
    return lambda value: format(value, ".3g")


def _scalar_format(flavor: Flavor) -> Callable[[Any], str]:
    # dm-clrs 2.0.1 prints graph-level scalars with three decimals, not three digits.
    if flavor == "current":
        return str
    return lambda value: format(value, ".3f")


def _row(values: list, number: Callable[[Any], str]) -> str:
    return "[" + " ".join(map(number, values)) + "]"


def _matrix(rows: list, number: Callable[[Any], str]) -> str:
    return "[" + ", ".join(_row(row, number) for row in rows) + "]"


def format_value(kind: Kind, value: Any, flavor: Flavor) -> str:
    """Print one field's value the way CLRS-Text does."""
    if kind is Kind.FLOATS:
        return _row(value, _number_format(flavor))
    if kind is Kind.INTS:
        return _row(value, str)
    if kind is Kind.FLOAT_MATRIX:
        return _matrix(value, _number_format(flavor))
    if kind is Kind.INT_MATRIX:
        return _matrix(value, str)
    if kind is Kind.INDEX:
        return str(value)
    return _scalar_format(flavor)(value)


def _fields(fields: tuple[Field, ...], values: tuple, flavor: Flavor) -> list[str]:
    return [format_value(field.kind, value, flavor) for field, value in zip(fields, values)]


def _frame(spec: AlgorithmSpec, frame: tuple, flavor: Flavor) -> str:
    text = ", ".join(_fields(spec.hints, frame, flavor))
    return f"({text})" if spec.parenthesised else text


def _frames(spec: AlgorithmSpec, frames: tuple, flavor: Flavor) -> list[str]:
    # Runners hand on the same list while a hint does not change, and every frame stays alive
    # during rendering, so the identities of a frame's values name its text.
    texts: dict[tuple[int, ...], str] = {}
    rendered = []
    for frame in frames:
        key = tuple(map(id, frame))
        text = texts.get(key)
        if text is None:
            text = texts[key] = _frame(spec, frame, flavor)
        rendered.append(text)
    return rendered


def render_all(
    spec: AlgorithmSpec, trace: Trace, hint_modes: tuple[bool, ...], flavor: Flavor
) -> list[tuple[str, str]]:
    """The (question, answer) texts of one trace for each hint mode, inputs printed once."""
    inputs = ", ".join(
        f"{field.name}: {text}"
        for field, text in zip(spec.inputs, _fields(spec.inputs, trace.inputs, flavor))
    )
    output = ", ".join(_fields(spec.outputs, trace.outputs, flavor))
    texts = []
    for use_hints in hint_modes:
        if not (use_hints and spec.hints):
            texts.append((f"{spec.name}:\n{inputs}\n{spec.output_label}:\n", f"{output}\n\n"))
            continue
        frames = _frames(spec, trace.frames, flavor)
        label = f"({spec.hinted_label})" if spec.parenthesised else spec.hinted_label
        final = frames[-1] if spec.answer_from_trace else output
        question = (
            f"{spec.name}:\n{inputs}, {INITIAL_TRACE}{frames[0]}\ntrace{TRACE_SEPARATOR}{label}:\n"
        )
        texts.append((question, ", ".join(frames[1:-1]) + TRACE_SEPARATOR + final + "\n\n"))
    return texts


def render(spec: AlgorithmSpec, trace: Trace, use_hints: bool, flavor: Flavor) -> tuple[str, str]:
    """Return the (question, answer) texts of one trace, with or without its hints."""
    return render_all(spec, trace, (use_hints,), flavor)[0]
