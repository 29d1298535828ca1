"""Child process of corpus.run_cases: opens or evaluates each case as the app would.

Reads the cases (JSON) from stdin, works in its current folder (where a payload that ran
would leave the canary file), prints one JSON list of results as its last line.  Runs
with a memory limit, so a blow-up is a MemoryError here, not a dead machine.
"""

import base64
import json
import os
import sys
import time
from pathlib import Path


def limit_memory(size: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the time limit still holds


def evaluate_text(text: str) -> str:
    """What typing ``text`` does: parse, build, differentiate at a point."""
    from chainrule_gui.core.calculus.derivation import derive
    from chainrule_gui.core.expressions.printing import to_latex, to_text
    from chainrule_gui.core.graph.chain_graph import build_chain_graph
    from chainrule_gui.core.language.program import parse_program

    program = parse_program(text)
    graph = build_chain_graph(program)
    if program.outputs and program.inputs and not program.relation:
        d = derive(graph, program.outputs[0], program.inputs[0], {n: 0.5 for n in program.inputs},
                   max_paths=200)
        if d.derivative_expr is not None:
            to_text(d.derivative_expr), to_latex(d.derivative_expr)  # the result panel prints it
    return "accepted"


def open_session(path: Path) -> str:
    from chainrule_gui.core.files.session import load_session

    session = load_session(path, allow_text_errors=True)  # as File ▸ Open does
    if session.text_error:
        return "opened with the mistake shown, nothing evaluated: " + session.text_error
    evaluate_text(session.text)
    return "accepted"


def open_model(path: Path) -> str:
    from chainrule_gui.core.nn.model_file import load_model

    load_model(path)
    return "accepted"


def open_csv(path: Path) -> str:
    from chainrule_gui.core.nn.csv_import import load_csv

    load_csv(path)
    return "accepted"


OPEN = {"session": (open_session, ".json"), "model": (open_model, ".npz"), "csv": (open_csv, ".csv")}


def run(case: dict, index: int) -> dict:
    from chainrule_gui.core.errors import ChainRuleError

    started = time.perf_counter()
    try:
        if case["kind"] == "text":
            detail = evaluate_text(case["text"])
        else:
            opener, suffix = OPEN[case["kind"]]
            path = Path(f"case-{index}{suffix}")
            if case.get("special") == "fifo":
                os.mkfifo(path)
            elif case.get("special") == "zero":
                path.symlink_to("/dev/zero")
            elif "sparse" in case:
                with open(path, "wb") as handle:
                    handle.seek(case["sparse"] - 1)
                    handle.write(b"0")
            else:
                path.write_bytes(base64.b64decode(case["data"]))
            detail = opener(path)
            path.unlink()
        outcome = "accepted" if detail == "accepted" else "refused"
    except ChainRuleError as exc:
        outcome, detail = "refused", f"{type(exc).__name__}: {exc}"
    except BaseException as exc:  # noqa: BLE001 - anything else is a crash of ours: record it
        outcome, detail = "crash", f"{type(exc).__name__}: {exc}"
    return {"outcome": outcome, "detail": detail[:300], "seconds": time.perf_counter() - started}


def main() -> None:
    limit_memory(int(sys.argv[1]))
    import sympy  # noqa: F401 - imported before the clock starts, as in the running app

    import chainrule_gui.core.calculus.derivation  # noqa: F401

    cases = json.loads(sys.stdin.read())
    results = [run(case, i) for i, case in enumerate(cases)]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
