"""The HTTP transport under the openai and anthropic SDKs.

Both SDKs sit on httpx by default; at the concurrencies of a benchmark (64 and more in
flight) its connection pool costs more CPU per request than the request itself. Both ship an
aiohttp transport (`DefaultAioHttpClient`, their `aiohttp` extra) that does the same work
for about a third less, so it is the default whenever aiohttp is installed; `--transport
httpx` keeps the SDKs' own default for environments without it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from evalsuite.errors import EvalsuiteError

TRANSPORTS = ("auto", "aiohttp", "httpx")


def aiohttp_installed() -> bool:
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


def http_client(sdk: ModuleType, transport: str, timeout: float) -> Any | None:
    """The `http_client` to give the SDK's async client (None: the SDK's httpx default)."""
    if transport not in TRANSPORTS:
        raise EvalsuiteError(f"unknown --transport {transport!r}: use one of {', '.join(TRANSPORTS)}")
    if transport == "httpx" or (transport == "auto" and not aiohttp_installed()):
        return None
    if not aiohttp_installed():
        raise EvalsuiteError(f"--transport aiohttp needs aiohttp: pip install '{sdk.__name__}[aiohttp]'")
    return sdk.DefaultAioHttpClient(timeout=timeout)
