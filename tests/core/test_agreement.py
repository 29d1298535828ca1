"""All five methods agree on a suite of compositions (the core's central promise)."""

import pytest

from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program


def diamond_chain(depth):
    lines = ["x0 = t"]
    for i in range(1, depth + 1):
        lines += [f"a{i} = sin(x{i-1})", f"b{i} = cos(x{i-1})", f"x{i} = a{i}*b{i} + a{i}"]
    return "\n".join(lines), f"x{depth}"


def deep_chain(depth):
    lines = ["x0 = t"] + [f"x{i} = sin(x{i-1}) + x{i-1}/2" for i in range(1, depth + 1)]
    return "\n".join(lines), f"x{depth}"


DIAMOND5, D5 = diamond_chain(5)
DIAMOND12, D12 = diamond_chain(12)
DEEP10, DP10 = deep_chain(10)

PROBLEMS = [
    # single variable
    ("f = e^(3x)", "f", "x", {"x": 0.3}),
    ("f = sin(x^2)", "f", "x", {"x": 1.1}),
    ("f = e^(sqrt(x))", "f", "x", {"x": 2.0}),
    ("f = (x^2 + 1)^5", "f", "x", {"x": 0.7}),
    ("f = log(cos(x))", "f", "x", {"x": 0.4}),
    ("f = tan(3x + 1)", "f", "x", {"x": 0.2}),
    ("f = asin(x/2)", "f", "x", {"x": 0.5}),
    ("f = atan(1/x)", "f", "x", {"x": 2.0}),
    ("f = sinh(x)*cosh(2x)", "f", "x", {"x": 0.3}),
    ("f = x^x", "f", "x", {"x": 1.5}),
    ("f = sqrt(1 + sqrt(1 + x))", "f", "x", {"x": 3.0}),
    ("f = log(x, 2) * x", "f", "x", {"x": 5.0}),
    ("f = abs(x^3 - 2)", "f", "x", {"x": 0.5}),
    ("f = 1/(1 + e^(-x))", "f", "x", {"x": 0.25}),
    # chains through intermediate names
    ("y = sin(u); u = x^2", "y", "x", {"x": 0.7}),
    ("y = u^3; u = v + 1; v = cos(x)", "y", "x", {"x": 0.9}),
    (DEEP10, DP10, "t", {"t": 0.4}),
    ("f = exp(g); g = h^2; h = log(s); s = 1 + t^2", "f", "t", {"t": 1.3}),
    # several variables with intermediates
    ("z = x^2 + sin(x*y); x = t^2; y = e^t", "z", "t", {"t": 1.0}),
    ("w = x*exp(y/z); x = t^2; y = 1 - t; z = 1 + 2*t", "w", "t", {"t": 0.5}),
    ("z = x^2*y^3", "z", "x", {"x": 1.5, "y": 0.5}),
    ("z = x^2*y^3", "z", "y", {"x": 1.5, "y": 0.5}),
    ("f = x^2*y + y^3; x = r*cos(theta); y = r*sin(theta)", "f", "theta", {"r": 2.0, "theta": 0.7}),
    ("f = x^2*y + y^3; x = r*cos(theta); y = r*sin(theta)", "f", "r", {"r": 2.0, "theta": 0.7}),
    ("u = x*y; v = x + y; f = u^2 + v", "f", "x", {"x": 0.5, "y": 2.0}),
    ("z = sqrt(x^2 + y^2); x = cos(t); y = sin(2t)", "z", "t", {"t": 0.3}),
    # diamonds and shared sub-expressions
    ("a = t^2; b = sin(a); c = cos(a); z = b*c", "z", "t", {"t": 0.8}),
    ("a = sin(t); b = a^2; c = a^3; d = b + c; q = b*c; z = d/q", "z", "t", {"t": 0.6}),
    (DIAMOND5, D5, "t", {"t": 0.3}),
    (DIAMOND12, D12, "t", {"t": 0.3}),
    # machine-learning compositions
    ("yhat = sigmoid(w*x + b)", "yhat", "w", {"w": 0.5, "x": 2.0, "b": 0.1}),
    ("yhat = sigmoid(w*x + b)", "yhat", "b", {"w": 0.5, "x": 2.0, "b": 0.1}),
    ("L = -(y*log(p) + (1 - y)*log(1 - p)); p = sigmoid(z); z = w*x + b", "L", "w",
     {"y": 1.0, "w": 0.5, "x": 2.0, "b": 0.1}),
    ("L = (yhat - y)^2/2; yhat = w1*x1 + w2*x2 + b", "L", "w1",
     {"w1": 0.3, "w2": -0.2, "x1": 1.0, "x2": 2.0, "b": 0.5, "y": 3.0}),
    ("L = (yhat - y)^2/2; yhat = w1*x1 + w2*x2 + b", "L", "b",
     {"w1": 0.3, "w2": -0.2, "x1": 1.0, "x2": 2.0, "b": 0.5, "y": 3.0}),
    ("L = z^2; z = mu + sigma*eps", "L", "mu", {"mu": 0.4, "sigma": 1.5, "eps": -0.3}),
    ("L = z^2; z = mu + sigma*eps", "L", "sigma", {"mu": 0.4, "sigma": 1.5, "eps": -0.3}),
    ("h = relu(w1*x + b1); yhat = w2*h + b2; L = (yhat - y)^2", "L", "w1",
     {"w1": 0.8, "x": 1.5, "b1": 0.1, "w2": -1.2, "b2": 0.3, "y": 2.0}),
    ("h1 = tanh(w1*x); h2 = tanh(w2*h1); L = (h2 - y)^2", "L", "w1",
     {"w1": 0.7, "x": 1.2, "w2": -0.9, "y": 0.5}),
    ("L = softplus(w*x)", "L", "w", {"w": -0.4, "x": 2.0}),
    ("L = ((w*x1 - y1)^2 + (w*x2 - y2)^2)/2", "L", "w",
     {"w": 0.9, "x1": 1.0, "y1": 2.0, "x2": 3.0, "y2": 2.5}),
    ("L = log(e^a + e^c); a = w*x; c = 2w", "L", "w", {"w": 0.3, "x": 1.7}),
    ("s = exp(q*k1)/(exp(q*k1) + exp(q*k2))", "s", "q", {"q": 0.6, "k1": 1.0, "k2": -0.5}),
    ("L = log(sigma) + (x - mu)^2/(2sigma^2)", "L", "sigma", {"sigma": 0.8, "x": 1.0, "mu": 0.2}),
]


@pytest.mark.parametrize("text, of, wrt, point", PROBLEMS)
def test_five_methods_agree(text, of, wrt, point):
    graph = build_chain_graph(parse_program(text))
    d = derive(graph, of, wrt, point, max_paths=1000)
    assert d.agree, (d.methods, d.agreement, d.notes)
    for name in ("reverse", "forward", "finite_difference"):
        assert d.agreement[name] is True, (name, d.methods, d.notes)
    if d.path_count <= 1000:
        assert d.agreement["paths"] is True
    else:
        assert d.methods["paths"] is None and len(d.paths) == 1000
    if graph.composed_size(of) < 4000:
        assert d.agreement["symbolic"] is True


def test_suite_is_large_enough():
    assert len(PROBLEMS) >= 40
