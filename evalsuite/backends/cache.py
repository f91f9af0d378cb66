"""A response cache on SQLite that several runs may share, and the Backend that reads it first.

The key is the sha256 of the canonical JSON of everything that decides an answer: provider,
model, base URL, endpoint, the prompt text or messages, and every generation parameter, so
two different requests never share an answer. Each response is committed as it arrives, so
an interrupted run resumes where it stopped; errors are never stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from pathlib import Path

from evalsuite.backends.base import Backend, Completion, GenerationParams, Request
from evalsuite.errors import EvalsuiteError

BUSY_TIMEOUT_MS = 60_000  # how long a writer waits for another process's write to finish
_LOOKUP_CHUNK = 500  # keys per SELECT, under SQLite's limit on bound parameters
_FIELDS = {f.name for f in dataclasses.fields(Completion)}
_STORED = tuple(name for name in _FIELDS if name != "cached")
_PARAMS = tuple(f.name for f in dataclasses.fields(GenerationParams) if f.name != "fit_context")


def default_cache_path() -> Path:
    """~/.cache/evalsuite/responses.sqlite, or under $XDG_CACHE_HOME when it is set."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "evalsuite" / "responses.sqlite"


def request_key(identity: Mapping[str, object], endpoint: str, request: Request) -> str:
    """The cache key of `request` sent to the model that `identity` names."""
    messages = None
    if request.messages is not None:
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
    document = {
        **identity,
        "endpoint": endpoint,
        "text": request.text,
        "messages": messages,
        # Shallow on purpose: dataclasses.asdict deep-copies, and this runs once per request.
        "params": {name: getattr(request.params, name) for name in _PARAMS},
    }
    if request.params.fit_context:  # only then, so that keys written before it stay valid
        document["params"]["fit_context"] = True
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """Completions by request key, in one SQLite file in WAL mode."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: each statement is its own transaction, so a writer takes the write
            # lock at once and waits in busy_timeout instead of failing with "locked".
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                       isolation_level=None, check_same_thread=False)
            self._setup()
        except (OSError, sqlite3.DatabaseError) as error:
            raise EvalsuiteError(f"cannot open the response cache {self.path}: {error}") from None

    def _setup(self) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        for attempt in range(50):
            try:  # switching to WAL takes a lock that busy_timeout does not always wait on
                self._db.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError:
                if attempt == 49:
                    raise
                time.sleep(0.1)
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses ("
            " key TEXT PRIMARY KEY, model TEXT NOT NULL, completion TEXT NOT NULL,"
            " created REAL NOT NULL)"
        )

    def get(self, key: str) -> Completion | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, Completion]:
        """The cached completions among `keys`, marked `cached=True`."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, Completion] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start:start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, completion FROM responses WHERE key IN ({marks})", chunk
            )
            for key, stored in rows:
                fields = {k: v for k, v in json.loads(stored).items() if k in _FIELDS}
                found[key] = Completion(**{**fields, "cached": True})
        return found

    def put(self, key: str, completion: Completion, model: str = "") -> None:
        """Store one answer now (one transaction); completions with an error are not stored."""
        if completion.error is not None:
            return
        record = {name: getattr(completion, name) for name in _STORED}
        self._db.execute(
            "INSERT OR REPLACE INTO responses (key, model, completion, created) VALUES (?,?,?,?)",
            (key, model, json.dumps(record, ensure_ascii=False), time.time()),
        )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        self._db.close()


class CachedBackend:
    """Serves cached answers (cached=True) and forwards the rest to `inner`, storing each
    new answer as it arrives.

    `identity` names the model for the key (provider, model, base URL, and anything else that
    changes answers, such as a local model's dtype); by default `inner.cache_identity`.
    """

    def __init__(
        self, inner: Backend, cache: ResponseCache, identity: Mapping[str, object] | None = None
    ) -> None:
        self.inner = inner
        self.cache = cache
        self.name = inner.name
        self.identity = dict(identity if identity is not None
                             else getattr(inner, "cache_identity", {"backend": inner.name}))

    def key(self, request: Request) -> str:
        endpoint_of = getattr(self.inner, "endpoint", None)
        endpoint = endpoint_of(request) if endpoint_of else request.mode
        return request_key(self.identity, endpoint, request)

    async def stream(self, requests: Sequence[Request]) -> AsyncIterator[tuple[int, Completion]]:
        keys = [self.key(request) for request in requests]
        hits = self.cache.get_many(keys)
        misses = [position for position, key in enumerate(keys) if key not in hits]
        for position, key in enumerate(keys):
            if key in hits:
                yield position, hits[key]
        if not misses:
            return
        async for index, completion in self.inner.stream([requests[i] for i in misses]):
            position = misses[index]
            self.cache.put(keys[position], completion, model=self.name)
            yield position, completion

    async def aclose(self) -> None:
        try:
            await self.inner.aclose()
        finally:
            self.cache.close()
