"""Prompt templates: Jinja files in `prompts/`, overridable by file name from a user folder."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from evalsuite.errors import EvalsuiteError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DESCRIPTIONS_FILE = "algorithms.toml"


def builtin_prompts_dir() -> Path:
    """The templates that ship with evalsuite: inside the installed package, or the
    checkout's top-level `prompts/` when running from source."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_prompts"
    return installed if installed.is_dir() else package.parent / "prompts"


@dataclass(frozen=True)
class RenderedText:
    """A template's output with the template's name and the sha256 of its text."""

    text: str
    template: str
    sha256: str


class TemplateSet:
    """The built-in templates, each replaceable by a same-named file in `override_dir`."""

    def __init__(self, override_dir: str | Path | None = None) -> None:
        folders = [builtin_prompts_dir()]
        if override_dir is not None:
            override = Path(override_dir)
            if not override.is_dir():
                raise EvalsuiteError(f"--templates: {override} is not a directory")
            folders.insert(0, override)
        self.folders = tuple(folders)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(folder) for folder in folders]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )
        self._hashes: dict[str, str] = {}  # a run renders thousands of prompts from a few templates

    def source(self, name: str) -> str:
        try:
            return self.env.loader.get_source(self.env, name)[0]
        except jinja2.TemplateNotFound:
            raise EvalsuiteError(
                f"template {name!r} not found in {', '.join(map(str, self.folders))}"
            ) from None

    def sha256(self, name: str) -> str:
        """sha256 of the template's text, with the texts it includes appended in order."""
        if name not in self._hashes:
            texts = [self.source(name)]
            for included in self._included(name):
                texts.append(self.source(included))
            self._hashes[name] = hashlib.sha256("".join(texts).encode("utf-8")).hexdigest()
        return self._hashes[name]

    def _included(self, name: str) -> list[str]:
        try:
            parsed = self.env.parse(self.source(name))
        except jinja2.TemplateSyntaxError as error:
            raise EvalsuiteError(f"template {name!r} line {error.lineno}: {error.message}") from None
        found = [child for child in jinja2.meta.find_referenced_templates(parsed) if child]
        return [item for child in found for item in (child, *self._included(child))]

    def _template(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateNotFound as error:
            raise EvalsuiteError(
                f"template {error.name!r} not found in {', '.join(map(str, self.folders))}"
            ) from None
        except jinja2.TemplateSyntaxError as error:
            where = error.name or name
            raise EvalsuiteError(f"template {where!r} line {error.lineno}: {error.message}") from None

    def render(self, name: str, **variables: Any) -> RenderedText:
        """Render a whole template; an undefined variable is an error naming the template."""
        with _template_errors(name):
            text = self._template(name).render(**variables)
        return RenderedText(text, name, self.sha256(name))

    def macros(self, name: str, **variables: Any) -> Any:
        """The template as a module whose macros the caller invokes (multi-turn layouts)."""
        with _template_errors(name):
            return _CheckedModule(self._template(name).make_module(variables), name)

    @cached_property
    def descriptions(self) -> dict[str, dict[str, str]]:
        """The per-algorithm lines of `algorithms.toml` (descriptions and trace notes)."""
        try:
            data = tomllib.loads(self.source(DESCRIPTIONS_FILE))
        except tomllib.TOMLDecodeError as error:
            raise EvalsuiteError(f"{DESCRIPTIONS_FILE}: {error}") from None
        return {"descriptions": data.get("descriptions", {}), "traces": data.get("traces", {})}


class _template_errors:
    """Turn Jinja's runtime errors into one line naming the template."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, jinja2.UndefinedError):
            raise EvalsuiteError(f"template {self.name!r}: {error.message}") from None
        if isinstance(error, jinja2.TemplateError) and not isinstance(error, jinja2.TemplateNotFound):
            raise EvalsuiteError(f"template {self.name!r}: {error}") from None
        return False


class _CheckedModule:
    """A template module whose macro calls report template errors like `render` does."""

    def __init__(self, module: Any, name: str) -> None:
        self._module = module
        self._name = name

    def call(self, macro: str, *args: Any) -> str:
        function = getattr(self._module, macro, None)
        if function is None:
            raise EvalsuiteError(f"template {self._name!r} defines no macro {macro!r}")
        with _template_errors(self._name):
            return str(function(*args))
