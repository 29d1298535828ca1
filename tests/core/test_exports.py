"""Exports: the NumPy gradient module reproduces the core's numbers; LaTeX is complete."""

import math
import re
import subprocess
import sys

import pytest

from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program
from chainrule_gui.core.output.export_numpy import gradient_module
from chainrule_gui.core.output.latex import derivation_latex, latex_document


@pytest.mark.parametrize("text, point", [
    ("z = x^2 + sin(x*y); x = t^2; y = e^t", {"t": 0.7}),
    ("L = -(y*log(p) + (1 - y)*log(1 - p)); p = sigmoid(z); z = w*x + b",
     {"y": 1.0, "w": 0.5, "x": 2.0, "b": 0.1}),
    # names that are Python keywords or clash with the module's own names
    ("out = relu(lambda)*np + softplus(value); lambda = 2*w; value = w^2", {"w": 0.6, "np": 3.0}),
])
def test_gradient_module_runs_and_matches(tmp_path, text, point):
    graph = build_chain_graph(parse_program(text))
    of = graph.outputs[0]
    path = tmp_path / "gradient.py"
    path.write_text(gradient_module(graph, of, point))
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert math.isclose(float(lines[0].split("=")[1]), graph.evaluate(point).values[of], rel_tol=1e-12)
    for line in lines[1:]:
        name, exported, fd = re.match(r"d\w+/d(\w+) = (\S+)\s+\(finite difference: (\S+)\)", line).groups()
        name = name.rstrip("_") if name.rstrip("_") in point else name
        expected = derive(graph, of, name, point).derivative
        assert math.isclose(float(exported), expected, rel_tol=1e-10, abs_tol=1e-12)
        assert math.isclose(float(fd), expected, rel_tol=1e-5, abs_tol=1e-8)
    assert len(lines) == 1 + len(point)


def test_latex_document_is_complete():
    graph = build_chain_graph(parse_program("z = x^2 + sin(x*y); x = t^2; y = e^t"))
    body = derivation_latex(graph, derive(graph, "z", "t", {"t": 1.0}))
    doc = latex_document(body)
    assert doc.startswith(r"\documentclass{article}") and r"\usepackage{amsmath}" in doc
    assert doc.count(r"\begin{align*}") == doc.count(r"\end{align*}") == 1
    assert doc.rstrip().endswith(r"\end{document}")
