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


class _NumberTexts(dict):
    """Number → text, each distinct number formatted once per trace (frames repeat the same
    keys and indices many times). Real zeros are formatted every time: 0.0 and -0.0 are one
    key but print differently."""

    def __init__(self, number: Callable[[Any], str], reals: bool) -> None:
        super().__init__()
        self.number = number
        self.reals = reals

    def __missing__(self, value: Any) -> str:
        text = self.number(value)
        if value != 0 or not self.reals:
            self[value] = text
        return text


class _Printer:
    """Prints the fields of one trace in one flavour, with the number texts shared."""

    def __init__(self, flavor: Flavor) -> None:
        self.reals = _NumberTexts(_number_format(flavor), reals=True)
        self.ints = _NumberTexts(str, reals=False)
        self.scalar = _scalar_format(flavor)

    @staticmethod
    def _row(values: list, texts: _NumberTexts) -> str:
        return "[" + " ".join(map(texts.__getitem__, values)) + "]"

    def value(self, kind: Kind, value: Any) -> str:
        if kind is Kind.FLOATS:
            return self._row(value, self.reals)
        if kind is Kind.INTS:
            return self._row(value, self.ints)
        if kind is Kind.FLOAT_MATRIX:
            return "[" + ", ".join(self._row(row, self.reals) for row in value) + "]"
        if kind is Kind.INT_MATRIX:
            return "[" + ", ".join(self._row(row, self.ints) for row in value) + "]"
        if kind is Kind.INDEX:
            return str(value)
        return self.scalar(value)

    def fields(self, fields: tuple[Field, ...], values: tuple) -> list[str]:
        return [self.value(field.kind, value) for field, value in zip(fields, values)]


def format_value(kind: Kind, value: Any, flavor: Flavor) -> str:
    """Print one field's value the way CLRS-Text does."""
    return _Printer(flavor).value(kind, value)


def _frame(spec: AlgorithmSpec, frame: tuple, printer: _Printer) -> str:
    text = ", ".join(printer.fields(spec.hints, frame))
    return f"({text})" if spec.parenthesised else text


def _frames(spec: AlgorithmSpec, frames: tuple, printer: _Printer) -> list[str]:
    # Runners hand on the same list while a hint does not change, and every frame stays alive
    # during rendering, so the identities of a frame's values name its text.
    texts: dict[tuple[int, ...], str] = {}
    rendered = []
    for frame in frames:
        key = tuple(map(id, frame))
        text = texts.get(key)
        if text is None:
            text = texts[key] = _frame(spec, frame, printer)
        rendered.append(text)
    return rendered


def render_all(
    spec: AlgorithmSpec, trace: Trace, hint_modes: tuple[bool, ...], flavor: Flavor
) -> list[tuple[str, str]]:
    """The (question, answer) texts of one trace for each hint mode, inputs printed once."""
    printer = _Printer(flavor)
    inputs = ", ".join(
        f"{field.name}: {text}"
        for field, text in zip(spec.inputs, printer.fields(spec.inputs, trace.inputs))
    )
    output = ", ".join(printer.fields(spec.outputs, trace.outputs))
    texts = []
    for use_hints in hint_modes:
        if not (use_hints and spec.hints):
            texts.append((f"{spec.name}:\n{inputs}\n{spec.output_label}:\n", f"{output}\n\n"))
            continue
        frames = _frames(spec, trace.frames, printer)
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
