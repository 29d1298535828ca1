"""Second derivatives, Hessians, Jacobians of compositions, JVP/VJP and implicit curves."""

import math

import numpy as np
import pytest

from chainrule_gui.core.calculus.implicit import implicit_derivative, project_to_curve
from chainrule_gui.core.calculus.jacobian import jacobian, jvp_vjp
from chainrule_gui.core.calculus.second_order import derive_second, hessian
from chainrule_gui.core.errors import ChoiceError
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program


def graph(text, implicit=False):
    return build_chain_graph(parse_program(text, implicit=implicit))


@pytest.mark.parametrize("text, of, wrt, point", [
    ("y = sin(u); u = x^2", "y", "x", {"x": 0.7}),
    ("z = x^2 + sin(x*y); x = t^2; y = e^t", "z", "t", {"t": 0.5}),
    ("f = x^x", "f", "x", {"x": 1.3}),
    ("f = log(x, 3)*x^3/(1 + x)", "f", "x", {"x": 2.0}),
    ("L = -(y*log(p) + (1 - y)*log(1 - p)); p = sigmoid(w*x + b)", "L", "w",
     {"y": 1.0, "w": 0.5, "x": 2.0, "b": 0.1}),
    ("f = tanh(asin(x/3) + atan(x))*sqrt(x)", "f", "x", {"x": 0.8}),
])
def test_second_derivative_methods_agree(text, of, wrt, point):
    d = derive_second(graph(text), of, wrt, point)
    assert d.agree, (d.methods, d.agreement)
    assert all(v is True for v in d.agreement.values())
    assert math.isclose(sum(t.value for t in d.terms), d.second, rel_tol=1e-9)


def test_hessian_is_symmetric_and_checked():
    h = hessian(graph("f = x^2*y^3 + sin(x*y)"), "f", ["x", "y"], {"x": 0.5, "y": 1.5})
    x, y = 0.5, 1.5
    expected = np.array([
        [2 * y**3 - y * y * math.sin(x * y), 6 * x * y * y + math.cos(x * y) - x * y * math.sin(x * y)],
        [6 * x * y * y + math.cos(x * y) - x * y * math.sin(x * y), 6 * x * x * y - x * x * math.sin(x * y)],
    ])
    assert np.allclose(h.matrix, expected)
    assert h.symmetric and h.agree
    assert all(v is True for v in h.agreement.values())


def test_jacobian_of_a_composition_is_the_product_of_jacobians():
    g = graph("u = x*y; v = x + y; f1 = u^2 + v; f2 = sin(u)*v")
    j = jacobian(g, ["f1", "f2"], ["x", "y"], {"x": 0.5, "y": 2.0})
    assert j.via == ("u", "v")
    assert np.allclose(j.J_f @ j.J_g, j.J_h)
    assert np.allclose(j.J_g, [[2.0, 0.5], [1.0, 1.0]])
    assert j.agree and all(v is True for v in j.agreement.values())


def test_jacobian_counts_each_path_once_when_intermediates_depend_on_each_other():
    g = graph("a = t^2; b = a + t; z = a*b")
    j = jacobian(g, ["z"], ["t"], {"t": 0.7}, via=["a", "b"])
    assert np.allclose(j.J_f @ j.J_g, j.J_h) and j.agree


def test_jacobian_via_must_separate():
    g = graph("z = x*t; x = t^2")
    with pytest.raises(ChoiceError, match="without passing through"):
        jacobian(g, ["z"], ["t"], {"t": 1.0}, via=["x"])


def test_jvp_and_vjp_without_forming_the_jacobian():
    g = graph("u = x*y; v = x + y; f1 = u^2 + v; f2 = sin(u)*v")
    point = {"x": 0.5, "y": 2.0}
    j = jacobian(g, ["f1", "f2"], ["x", "y"], point)
    check = jvp_vjp(g, ["f1", "f2"], ["x", "y"], point, v=[1.0, 2.0], u=[3.0, -1.0])
    assert np.allclose(check.jvp, j.J_h @ [1.0, 2.0])
    assert np.allclose(check.vjp, np.array([3.0, -1.0]) @ j.J_h)
    assert check.agree


def test_implicit_circle():
    d = implicit_derivative(graph("x^2 + y^2 = 1"), "y", "x", {"x": 0.6, "y": 0.8})
    assert math.isclose(d.derivative, -0.75)
    assert str(d.derivative_expr) == "-x/y"
    assert d.agree and all(v is True for v in d.agreement.values())


def test_implicit_with_definitions_and_flag():
    d = implicit_derivative(graph("y = x^2", implicit=True), "y", "x", {"x": 2.0, "y": 4.0})
    assert math.isclose(d.derivative, 4.0)
    d = implicit_derivative(graph("x^2 + y^2 = r^2; r = 2"), "y", "x", {"x": 1.2, "y": 1.6})
    assert math.isclose(d.derivative, -1.2 / 1.6)


def test_point_off_the_curve_says_how_far_and_where_the_curve_is():
    with pytest.raises(ChoiceError) as info:
        implicit_derivative(graph("x^2 + y^2 = 1"), "y", "x", {"x": 0.6, "y": 0.7})
    message = str(info.value)
    assert "not on the curve" in message and "-0.15" in message and "y = 0.8" in message


def test_vertical_tangent_is_refused():
    with pytest.raises(ChoiceError, match="vertical"):
        implicit_derivative(graph("x^2 + y^2 = 1"), "y", "x", {"x": 1.0, "y": 0.0})


def test_project_to_curve():
    y = project_to_curve(graph("x^2 + y^2 = 1"), "y", {"x": 0.6, "y": 0.5})
    assert math.isclose(y, 0.8)


@pytest.mark.parametrize("text, of, wrt, point, cut", [
    ("z = x*y; x = t^2; y = sin(t)", "z", "t", {"t": 0.7}, [("z", "y")]),
    ("z = x^2 + sin(x*y); x = t^2; y = e^t", "z", "t", {"t": 0.5}, [("z", "x")]),
    ("z = x^2 + sin(x*y); x = t^2; y = e^t", "z", "t", {"t": 0.5}, [("y", "t")]),
    ("w = u*exp(v) + u^2; u = a*a + s; v = s^2; s = sin(a)", "w", "a", {"a": 0.4}, [("u", "s"), ("v", "s")]),
])
def test_second_derivatives_with_cut_edges_agree_and_differ_from_the_whole_graph(text, of, wrt, point, cut):
    """A cut edge holds its child's value fixed (stop-gradient), at second order too: the
    chain-rule terms, forward-over-reverse, Taylor mode, SymPy (frozen symbols) and a second
    difference (frozen values) all agree, on a different number than the uncut graph's."""
    g = graph(text)
    whole = derive_second(g, of, wrt, point)
    d = derive_second(g, of, wrt, point, cut=cut)
    assert d.agree and all(v is not None for v in d.methods.values()), (d.methods, d.notes)
    assert d.second != pytest.approx(whole.second)
    h = hessian(g, of, [wrt], point, cut=cut)
    assert h.agree and h.matrix[0, 0] == pytest.approx(d.second, rel=1e-9)


def test_a_cut_hessian_is_the_hessian_of_the_frozen_function():
    g = graph("z = x^2*y + exp(x*y); x = a*b; y = a + sin(b)")
    point = {"a": 0.3, "b": 0.8}
    h = hessian(g, "z", ["a", "b"], point, cut=[("z", "y")])
    y0 = point["a"] + math.sin(point["b"])
    frozen = graph(f"z = x^2*{y0!r} + exp(x*{y0!r}); x = a*b")  # y as the number it was
    expected = hessian(frozen, "z", ["a", "b"], point).matrix
    np.testing.assert_allclose(h.matrix, expected, rtol=1e-9)
    assert h.agree and h.symmetric
    with pytest.raises(ChoiceError):
        hessian(g, "z", ["a"], point, cut=[("z", "b")])  # z does not use b directly


def test_sympy_parts_computed_once_serve_every_point():
    """A GUI computes SymPy's expressions once per text and choice and evaluates them at each
    point; the result is the one computed with SymPy from scratch there."""
    from chainrule_gui.core.calculus.jacobian import symbolic_jacobian, with_symbolic_jacobian
    from chainrule_gui.core.calculus.second_order import (
        symbolic_hessian,
        symbolic_second,
        with_symbolic_hessian,
        with_symbolic_second,
    )

    g = graph("z = x*y + sin(x)*y^2; x = t^2; y = exp(t)")
    exprs = (symbolic_jacobian(g, ("z",), ("t",)), symbolic_second(g, "z", "t", [("z", "x")]),
             symbolic_hessian(g, "z", ("t",), [("z", "x")]))
    for t in (0.2, 0.9):
        point = {"t": t}
        parts = (
            (with_symbolic_jacobian(g, jacobian(g, ("z",), ("t",), point, symbolic=False), exprs[0]),
             jacobian(g, ("z",), ("t",), point)),
            (with_symbolic_second(g, derive_second(g, "z", "t", point, symbolic=False, cut=[("z", "x")]), exprs[1]),
             derive_second(g, "z", "t", point, cut=[("z", "x")])),
            (with_symbolic_hessian(g, hessian(g, "z", ("t",), point, symbolic=False, cut=[("z", "x")]), exprs[2]),
             hessian(g, "z", ("t",), point, cut=[("z", "x")])),
        )
        for added, whole in parts:
            assert added.agreement == whole.agreement and added.agreement["symbolic"] is True
            np.testing.assert_allclose(added.methods["symbolic"], whole.methods["symbolic"])
            assert added.notes == whole.notes


def test_a_sympy_part_that_is_too_large_says_so_in_the_notes():
    from chainrule_gui.core.calculus.jacobian import with_symbolic_jacobian

    g = graph("f = x*y")
    numbers = jacobian(g, ("f",), ("x", "y"), {"x": 1.0, "y": 2.0}, symbolic=False)
    added = with_symbolic_jacobian(g, numbers, (None, "f is too large to substitute"))
    assert added.agreement["symbolic"] is None and added.notes[-1] == "f is too large to substitute"
    assert added.J_h is numbers.J_h  # nothing computed again
