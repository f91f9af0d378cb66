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


@pytest.fixture(params=[Provider(name, path, transport)
                        for name, path in (("openai", OPENAI_CHAT), ("anthropic", ANTHROPIC_MESSAGES))
                        for transport in ("aiohttp", "httpx")],
                ids=lambda p: f"{p.name}-{p.transport}")
def provider(request: pytest.FixtureRequest) -> Provider:
    return request.param
