"""The Prompt record: what is put to a model for one item, and what it should answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Style = Literal["zero-shot", "few-shot", "trace"]
Mode = Literal["completion", "chat"]
Role = Literal["system", "user", "assistant"]
STYLES: tuple[Style, ...] = ("zero-shot", "few-shot", "trace")
MODES: tuple[Mode, ...] = ("completion", "chat")


@dataclass(frozen=True)
class Message:
    """One chat turn."""

    role: Role
    content: str


@dataclass(frozen=True)
class Prompt:
    """A rendered prompt for one item.

    Exactly one of `text` (completion mode) and `messages` (chat mode) is set.
    `gold_answer` is the final answer as CLRS-Text writes it (no trace, no trailing blank
    line); `gold_trace` the trace frames the model should write in trace style.
    """

    item_id: str
    algo_name: str
    length: int
    style: Style
    mode: Mode
    shots: int
    text: str | None
    messages: tuple[Message, ...] | None
    gold_answer: str
    gold_trace: tuple[str, ...]
    example_ids: tuple[str, ...]
    template: str
    template_sha256: str
    stop: tuple[str, ...]

    def to_dict(self) -> dict:
        """The record as JSON-ready values (lists, and messages as {role, content})."""
        record = asdict(self)
        for name in ("gold_trace", "example_ids", "stop"):
            record[name] = list(record[name])
        if self.messages is not None:
            record["messages"] = [asdict(message) for message in self.messages]
        return record
