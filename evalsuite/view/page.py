"""The viewer's one HTML page, from its Jinja template: for the server it links the script
and stylesheet; exported, it holds them and the data inline, under a content security
policy that lets nothing else load or run."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache, lru_cache
from importlib.resources import files

import jinja2
from markupsafe import Markup

PACKAGE = "evalsuite.view"


@cache
def static_file(name: str) -> bytes:
    """viewer.js or viewer.css, as shipped in the package."""
    return files(PACKAGE).joinpath("static", name).read_bytes()


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    source = files(PACKAGE).joinpath("templates", "page.html.j2").read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(source)


def script_json(data) -> str:
    """JSON that can sit inside a <script> element: no `<`, `>` or `&` left to end it early."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def render_page(data: dict | None, title: str = "evalsuite view") -> str:
    """The page for the server (data None) or a self-contained page holding `data`."""
    if data is None:
        return _template().render(export=False, title=title)
    script, style = static_file("viewer.js").decode("utf-8"), static_file("viewer.css").decode("utf-8")
    assert "</" not in script and "</" not in style, "inline script and style must not close their element"
    policy = f"default-src 'none'; script-src {_digest(script)}; style-src {_digest(style)}; img-src data:"
    return _template().render(export=True, title=title, script=Markup(script), style=Markup(style),
                              data=Markup(script_json(data)), policy=policy)
