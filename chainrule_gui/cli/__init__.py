"""The command line: ``chainrule-gui explain`` (and, as they land, ``train`` and ``gradcheck``).

Each sub-command lives in its own module with ``add_parser(subparsers)`` and ``run(args)``.
Any error a user can cause prints one line starting with ``error:`` and exits with 2.
"""

from __future__ import annotations

import argparse
import sys

from chainrule_gui import __version__

EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus a message; we print one ``error:`` line and exit 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        hint = f" (see {self.prog} --help)"
        sys.stderr.write(f"error: {message}{hint}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from chainrule_gui.cli import explain

    parser = OneLineParser(
        prog="chainrule-gui",
        description="Chain Rule Explorer: see how derivatives flow through compositions. "
        "Without a command, the desktop window opens.",
    )
    parser.add_argument("--version", action="version", version=f"chainrule-gui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    explain.add_parser(sub)
    for module_name in ("train", "gradcheck"):
        module = _optional_command(module_name)
        if module is not None:
            module.add_parser(sub)
    return parser


def _optional_command(name: str):
    import importlib

    try:
        return importlib.import_module(f"chainrule_gui.cli.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"chainrule_gui.cli.{name}":
            return None
        raise


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("choose a command")
    return args.handler(args)
