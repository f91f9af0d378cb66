"""Fixtures: a fake API server per test, test API keys in the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_api import ANTHROPIC_MESSAGES, OPENAI_CHAT, FakeAPI
from harness import ANTHROPIC_KEY, OPENAI_KEY, Provider


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    server = FakeAPI().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)


@pytest.fixture(params=[Provider("openai", OPENAI_CHAT), Provider("anthropic", ANTHROPIC_MESSAGES)],
                ids=lambda p: p.name)
def provider(request: pytest.FixtureRequest) -> Provider:
    return request.param
