"""The command line: ``netbuilder [FILE]`` opens the window; subcommands work headless.

Each subcommand is a module in ``netbuilder.commands`` with ``add_parser(subparsers)`` and
``run(args) -> int``. Every user-facing error is one line on stderr and exit status 2.
Qt is imported only to open the window.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from netbuilder import __version__
from netbuilder.errors import NetbuilderError

COMMANDS = ("check", "summary", "export", "presets", "datasets", "train")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netbuilder",
        description="Build neural networks by drawing them; see every shape; train and watch them learn. "
        "Run without a command (or with a design file) to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"netbuilder {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"netbuilder.commands.{name}").add_parser(sub)
    return parser


def _open_window(path: str | None) -> int:
    from netbuilder.ui.app import run_app  # Qt only here

    return run_app(path)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
            if len(argv) > 1:
                print(f"netbuilder: unexpected arguments {' '.join(argv[1:])!r}; "
                      "to open a design just give its file", file=sys.stderr)
                return 2
            return _open_window(argv[0] if argv else None)
        args = build_parser().parse_args(argv)
        if not getattr(args, "func", None):
            build_parser().print_help()
            return 0
        return int(args.func(args) or 0)
    except NetbuilderError as e:
        print(f"netbuilder: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        print(f"netbuilder:{where}: {e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("netbuilder: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
