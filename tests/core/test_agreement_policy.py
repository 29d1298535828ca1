"""One agreement policy for every checked result: the tolerance table, the judge that marks
each method, the shape the five results share, and the request that checks a choice once."""

import math

import numpy as np
import pytest

from chainrule_gui.core.calculus.agreement import (
    ESTIMATED,
    TOLERANCES,
    CheckedResult,
    Judge,
    Scale,
    Tolerance,
    agree,
    disagreeing,
    not_compared,
)
from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.calculus.finite_difference import FiniteDifference
from chainrule_gui.core.calculus.implicit import implicit_derivative
from chainrule_gui.core.calculus.jacobian import jacobian
from chainrule_gui.core.calculus.second_order import derive_second, hessian
from chainrule_gui.core.errors import ChoiceError
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program


def graph(text):
    return build_chain_graph(parse_program(text))


def test_the_table_has_a_row_per_result_and_second_order_is_looser():
    assert set(TOLERANCES) == {"derivative", "second", "jacobian", "hessian", "implicit"}
    assert {kind: row.order for kind, row in TOLERANCES.items()} == {
        "derivative": 1, "jacobian": 1, "implicit": 1, "second": 2, "hessian": 2}
    assert TOLERANCES["second"].exact.rel > TOLERANCES["derivative"].exact.rel
    assert TOLERANCES["hessian"].exact.rel == TOLERANCES["second"].exact.rel


def test_the_judge_marks_each_method_and_names_who_disagrees():
    judge = Judge.of("derivative", result=2.0)
    marks = judge.agreement({"paths": None, "reverse": 2.0, "forward": 2.0 + 1e-12, "symbolic": 2.1,
                             "finite_difference": 2.5}, skip=("finite_difference",))
    assert marks == {"paths": None, "reverse": True, "forward": True, "symbolic": False,
                     "finite_difference": None}
    assert not agree(marks) and disagreeing(marks) == ("symbolic",)
    assert not_compared(marks) == ("paths", "finite_difference")


def test_a_finite_difference_is_judged_by_its_own_error_estimate():
    fd = FiniteDifference(value=1.0 + 5e-6, step=1e-5, error_estimate=1e-6)
    assert fd.allowed(1.0) == ESTIMATED.allowed(1.0, 1e-6) == pytest.approx(1e-5)
    judge = Judge.of("derivative", estimate=fd.error_estimate)
    assert judge.close("finite_difference", fd.value, 1.0) and fd.agrees_with(1.0)
    assert not judge.close("forward", fd.value, 1.0)  # far outside the exact methods' 1e-8


def test_matrices_are_compared_entry_by_entry():
    tolerance = Tolerance(rel=1e-8, scaled=1e-9)
    reference = np.array([[1.0, 0.0], [0.0, 1e6]])
    scale = Scale(result=1e6)
    assert tolerance.within(reference + 1e-4, reference, scale)  # 1e-9 of the largest entry
    assert not tolerance.within(reference + np.array([[0.0, 0.0], [0.0, 1.0]]), reference, scale)


def test_a_reference_that_overflowed_does_not_agree_with_itself():
    """Reverse mode multiplies 1e200·1e200 first and overflows; forward mode multiplies
    1e-200·1e200 first and does not.  With the paths not listed, every other method once
    "agreed" with an infinite derivative (inf − 1e200 is within 1e-8·inf)."""
    d = derive(graph("z = 1e200*u; u = 1e200*v; v = 1e-200*x"), "z", "x", {"x": 1.0}, max_paths=0)
    assert math.isinf(d.derivative) and d.methods["forward"] == pytest.approx(1e200)
    assert d.agreement["reverse"] is False and not d.agree and d.disagreeing == ("reverse",)


def test_the_five_results_share_one_shape():
    g = graph("f = x^2*y^3 + sin(x*y)")
    point = {"x": 0.5, "y": 1.5}
    results = [derive(g, "f", "x", point), derive_second(g, "f", "x", point), hessian(g, "f", ["x", "y"], point),
               jacobian(g, ["f"], ["x", "y"], point),
               implicit_derivative(graph("x^2 + y^2 = 1"), "y", "x", {"x": 0.6, "y": 0.8})]
    for result in results:
        assert isinstance(result, CheckedResult)
        assert result.reference is result.methods["reverse"]
        assert result.agree and result.disagreeing == () and result.symbolic is not None
    d, second, h, j, imp = results
    assert (d.symbolic, second.symbolic, h.symbolic, j.symbolic, imp.symbolic) == (
        d.derivative_expr, second.second_expr, h.exprs, j.exprs, imp.derivative_expr)
    assert d.reference == d.derivative and second.reference == second.second
    assert h.reference is h.matrix and j.reference is j.J_h and imp.reference == imp.derivative


def test_a_choice_is_checked_before_the_point_is_evaluated():
    """A bad choice is reported as such even where the point cannot be evaluated."""
    g = graph("z = log(x)*u; u = x^2")
    bad_point = {"x": -1.0}
    with pytest.raises(ChoiceError, match="u is defined"):
        hessian(g, "z", ["x", "u"], bad_point)
    with pytest.raises(ChoiceError, match="there is no edge"):
        derive_second(g, "z", "x", bad_point, cut=[("u", "z")])
    with pytest.raises(ChoiceError, match="there is no 'w'"):
        jacobian(g, ["z"], ["x"], bad_point, via=["w"])
