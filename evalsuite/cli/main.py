"""`evalsuite COMMAND ...`: dispatch to one module per command; user errors exit with 2."""

from __future__ import annotations

import argparse
import importlib
import sys

from evalsuite import __version__
from evalsuite.errors import EvalsuiteError

# Each command module has `add_parser(subparsers)`; it is imported only when listed here,
# and its heavy imports happen inside its `run`.
COMMANDS = ("run", "generate", "algorithms", "prompt", "score", "report", "compare", "oversquash", "view")


class Parser(argparse.ArgumentParser):
    """argparse without prefix matching, so that a new flag never silently means an old one
    (`--batch` is not `--batch-size`); subcommands' parsers are made of this class too."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="evalsuite",
        description="Measure how well language models reason in context (CLRS-Text).",
    )
    parser.add_argument("--version", action="version", version=f"evalsuite {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"evalsuite.cli.{name.replace('-', '_')}_command").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except EvalsuiteError as error:
        print(f"evalsuite: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("evalsuite: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
