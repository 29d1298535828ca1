"""Hostile input is refused without running anything, and nothing hangs.

Every case runs in a child process with a time limit, so a hang fails the test instead of
freezing the suite, and a canary file proves that no payload ran.
"""

import json
import subprocess
import sys
import textwrap

CANARY = "CANARY_FILE"

CODE_PAYLOADS = [
    "z = __import__('os').system('touch CANARY_FILE')",
    "__import__('os').system('touch CANARY_FILE')",
    "z = __import__(chr(111)+chr(115)).system('touch CANARY_FILE')",
    "z = ().__class__.__base__.__subclasses__()",
    "z = x.__class__",
    "z = (lambda: open('CANARY_FILE', 'w'))()",
    "z = lambda: 1",
    "z = exec(\"open('CANARY_FILE','w')\")",
    "z = eval('1')",
    "z = open('CANARY_FILE', 'w')",
    "z = f\"{open('CANARY_FILE','w')}\"",
    "z = getattr(x, '__class__')",
    "z = [c for c in ()]",
    "import os",
    "z = x if x else y",
    "z = (y := 3)",
    "z = globals()",
    "z = sympify('x')",
]

HEAVY_INPUTS = [
    "z = 9**9**9",
    "z = 9^9^9^9",
    "z = 10**10**8",
    "z = ((9^9)^9999)^9999",
    "z = sin(cos(exp(exp(exp(exp(1))))))",
    "z = sin(7^exp(exp(exp(10*e))) + 1)",
    "z = 4^(1111111/2222222222222)",
    "z = 2^(1/10^50)",
    "z = " + "(" * 10000 + "x" + ")" * 10000,
    "z = " + "(" * 2000 + "x" + ")" * 2000,
    "z = " + "-" * 100000 + "x",
    "z = " + "+".join(["x"] * 3000),
    "z = " + "+".join(f"x{i}" for i in range(2000)),
    "z = " + "x^" * 1000 + "x",
    "z = " + "9" * 5000,
    "z = x\0",
    "z = factorial(10^7)",
    "z = (10^7)!",
    "z = " + "sin(" * 190 + "x" + ")" * 190,
    "x" * 1_000_000,
]

SCRIPT = textwrap.dedent("""
    import json, sys, time
    from chainrule_gui.core.program import parse_program
    from chainrule_gui.core.chain_graph import build_chain_graph
    from chainrule_gui.core.derivation import derive
    from chainrule_gui.core.errors import ChainRuleError, ParseError
    results = []
    for text in json.loads(sys.stdin.read()):
        start = time.perf_counter()
        try:
            program = parse_program(text)
            graph = build_chain_graph(program)
            if program.outputs and program.inputs:
                derive(graph, program.outputs[0], program.inputs[0], {n: 0.5 for n in program.inputs})
            outcome = "accepted"
        except ParseError as exc:
            outcome = "ParseError: " + exc.message
        except ChainRuleError as exc:
            outcome = type(exc).__name__ + ": " + str(exc)
        results.append([outcome, time.perf_counter() - start])
    print(json.dumps(results))
""")


def run_corpus(texts, tmp_path, timeout):
    done = subprocess.run([sys.executable, "-c", SCRIPT], input=json.dumps(texts), capture_output=True,
                          text=True, cwd=tmp_path, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_code_execution_payloads_are_refused(tmp_path):
    results = run_corpus(CODE_PAYLOADS, tmp_path, timeout=60)
    for text, (outcome, _) in zip(CODE_PAYLOADS, results):
        assert outcome.startswith("ParseError"), (text, outcome)
    assert not (tmp_path / CANARY).exists()


def test_pathological_inputs_are_answered_quickly(tmp_path):
    results = run_corpus(HEAVY_INPUTS, tmp_path, timeout=120)
    for text, (outcome, seconds) in zip(HEAVY_INPUTS, results):
        assert outcome.startswith("ParseError") or outcome == "accepted", (text[:60], outcome)
        assert seconds < 5.0, (text[:60], seconds)
    assert not (tmp_path / CANARY).exists()
