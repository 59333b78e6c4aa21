"""The command line: ``netbuilder [FILE]`` opens the window (``--lesson LESSON``: with a lesson file, or a
bundled lesson's id, in its Lesson panel); subcommands work headless.

Each subcommand is a module in ``netbuilder.commands`` with ``add_parser(subparsers)`` and
``run(args) -> int``. Every user-facing error is one line on stderr and exit status 2; anything
unexpected is logged (``netbuilder.log``) and shown as one line naming the log file (exit 1), or
re-raised under ``--debug``. A mistyped command gets a hint, never the window. Qt is imported only to
open the window.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys

from netbuilder import __version__
from netbuilder.errors import NetbuilderError

COMMANDS = ("check", "summary", "export", "presets", "datasets", "train", "evaluate", "predict", "lessons")
GLOBAL_FLAGS = ("--debug",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netbuilder",
        description="Build neural networks by drawing them; see every shape; train and watch them learn. "
        "Run without a command (or with a design file) to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"netbuilder {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an unexpected error instead of logging it")
    parser.add_argument("--lesson", metavar="LESSON",
                        help="open the window with this lesson (a lesson file, or a lesson's id: "
                        "'netbuilder lessons') in its Lesson panel")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"netbuilder.commands.{name}").add_parser(sub)
    return parser


def _open_window(path: str | None, lesson: str | None = None) -> int:
    from netbuilder.ui.app import run_app  # Qt only here

    return run_app(path, lesson=lesson) if lesson is not None else run_app(path)


def split_lesson(argv: list[str]) -> tuple[str | None, list[str]]:
    """``--lesson LESSON`` / ``--lesson=LESSON`` taken out of the window's arguments; raises ValueError
    when it has no value."""
    rest: list[str] = []
    lesson = None
    args = iter(argv)
    for arg in args:
        if arg == "--lesson":
            lesson = next(args, None)
            if lesson is None or lesson.startswith("-"):
                raise ValueError("--lesson needs a lesson file or a lesson's id (see 'netbuilder lessons')")
        elif arg.startswith("--lesson="):
            lesson = arg.split("=", 1)[1]
            if not lesson:
                raise ValueError("--lesson needs a lesson file or a lesson's id (see 'netbuilder lessons')")
        else:
            rest.append(arg)
    return lesson, rest


def suggestion(word: str) -> str | None:
    """The command ``word`` was probably meant to be, when it is close to one."""
    close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
    return close[0] if close else None


def _window_or_hint(argv: list[str]) -> int:
    """No command: open the window on a design file (or none); a mistyped command gets a hint instead."""
    try:
        lesson, argv = split_lesson(argv)
    except ValueError as e:
        print(f"netbuilder: {e}", file=sys.stderr)
        return 2
    if argv and not os.path.exists(argv[0]):  # (a mistyped command first: 'netbuilder chek x.json')
        guess = suggestion(argv[0])
        if guess is not None:
            print(f"netbuilder: {argv[0]!r} is not a command; did you mean {guess!r}? "
                  "(see 'netbuilder --help')", file=sys.stderr)
            return 2
    if len(argv) > 1:
        print(f"netbuilder: unexpected arguments {' '.join(argv[1:])!r}; to open a design just give its file",
              file=sys.stderr)
        return 2
    return _open_window(argv[0] if argv else None, lesson)


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = _debug_requested(argv[:1] if argv and argv[0] in COMMANDS else argv)
    if debug:
        from netbuilder.log import enable_debug

        enable_debug()
    try:
        rest = [a for a in argv if a not in GLOBAL_FLAGS] if debug else argv
        if not rest or (rest[0] not in COMMANDS and (not rest[0].startswith("-") or rest[0].startswith("--lesson"))):
            return _window_or_hint(rest)
        args = build_parser().parse_args(argv)
        if not getattr(args, "func", None):
            build_parser().print_help()
            return 0
        return int(args.func(args) or 0)
    except NetbuilderError as e:
        print(f"netbuilder: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # one line, naming the file when the error knows it (a full disk, a broken pipe)
        from netbuilder.io.atomic import write_problem

        name = getattr(e, "filename", None)
        where = f" {os.fsdecode(name) if isinstance(name, bytes) else name}:" if name not in (None, "") else ""
        print(f"netbuilder:{where} {write_problem(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("netbuilder: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug: one line naming the log file (under --debug, the traceback)
        from netbuilder.log import report_unexpected

        print(f"netbuilder: unexpected error: {report_unexpected(e, 'the command line')}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
