"""``chainrule-gui`` and ``python -m chainrule_gui``: the window, or a command-line tool."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ["--sympy-worker"]:  # the killable SymPy child of a bundled app
        from chainrule_gui.core.calculus.sympy_worker import child_main

        child_main()
        return 0
    if not argv or (len(argv) == 1 and argv[0].lower().endswith(".json")):
        from chainrule_gui.system_libraries import platform_problem

        # Before Qt is imported: without this, a missing system library ends in Qt's abort
        # that advises reinstalling the application.
        problem = platform_problem()
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            return 1
        from chainrule_gui.gui.app import run_app

        return run_app(open_path=argv[0] if argv else None)
    from chainrule_gui.cli import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
