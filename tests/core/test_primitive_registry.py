"""The primitive registry (``core/graph/ops.py``) is the one description of each primitive.

Every table derived from it names the same primitives; and for every primitive the float
math, the array math, SymPy, the two evaluators of SymPy expressions and an exported NumPy
module give the same value wherever it is defined (the strict evaluators also agree where
it is not), and its local derivatives match central differences.
"""

import itertools
import math
import runpy

import numpy as np
import pytest
import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import NumPyPrinter

from chainrule_gui.core.errors import NumericError, ParseError
from chainrule_gui.core.expressions import elide, numeric, numeric_array, sympy_functions
from chainrule_gui.core.expressions.ops import OPS, Fault, sympy_partials
from chainrule_gui.core.expressions.printing import to_text
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.parser import FUNCTIONS, parse_expression
from chainrule_gui.core.language.program import parse_program
from chainrule_gui.core.output import export_numpy

FUNCTION_NAMES = {name for name, spec in OPS.items() if spec.function}
#: How the language writes the operators (the registry's other entries are written name(…)).
OPERATOR_TEXT = {"add": "x + y", "sub": "x - y", "mul": "x*y", "div": "x/y", "neg": "-x", "pow": "x^y"}
#: Sample arguments: in and out of each domain, 0 included (poles, kinks, 0/0, 0^-2).
POINTS = {
    1: [(a,) for a in (-2.5, -0.7, -0.2, 0.0, 0.3, 0.9, 1.6, 3.0)],
    2: list(itertools.product((-1.5, -0.7, 0.0, 0.3, 1.6), (-2.0, 0.0, 0.5, 1.3, 3.0))),
}
SYMBOLS = sp.symbols("x y", real=True)


def written(name: str):
    """How the language writes ``name``, for each number of arguments it takes."""
    spec = OPS[name]
    if not spec.function:
        return [(OPERATOR_TEXT[name], spec.arity[0])]
    least, most = spec.arity
    return [(f"{name}({', '.join('xy'[:n])})", n) for n in range(least, most + 1)]


CASES = [(name, text, n) for name in OPS for text, n in written(name)]


def sympy_function_names() -> dict:
    """The SymPy function of each function primitive that has one (SymPy writes sqrt as a power)."""
    return {spec.sympy: name for name, spec in OPS.items() if spec.function and isinstance(spec.sympy, type)}


def numpy_can_print(expr) -> bool:
    try:
        NumPyPrinter().doprint(expr)
    except PrintMethodNotImplementedError:
        return False
    return True


def test_every_table_names_the_same_primitives():
    assert set(OPERATOR_TEXT) == set(OPS) - FUNCTION_NAMES
    assert {op for op, _, _ in FUNCTIONS.values()} == FUNCTION_NAMES
    heads = sympy_function_names()
    assert set(heads.values()) == FUNCTION_NAMES - {"sqrt"}
    for table in (numeric._FUNCS, numeric_array._FUNCS):
        assert {heads[f] for f in table if f in heads} == set(heads.values())
    ours = {f for f in vars(sympy_functions).values()
            if isinstance(f, type) and issubclass(f, sp.Function) and f.__module__ == sympy_functions.__name__}
    assert ours and ours <= set(heads)  # each of our SymPy functions is a primitive's
    x = SYMBOLS[0]
    lacking = {name for name in FUNCTION_NAMES if not numpy_can_print(OPS[name].sympy(x))}
    assert set(export_numpy._HELPERS) == lacking
    for name, source in export_numpy._HELPERS.items():
        assert source.startswith(f"def {name}(") and name in export_numpy._RESERVED
    shortened = {long for long, _ in elide._TYPESET_SHORTER}
    assert shortened & set(OPS) == {name for name, spec in OPS.items() if spec.short}


@pytest.mark.parametrize("name", sorted(n for n, s in OPS.items() if s.short))
def test_labels_are_measured_by_the_short_forms(name):
    printed = to_text(OPS[name].sympy(SYMBOLS[0]))
    assert printed.startswith(name)
    assert elide.display_length(printed) == len(printed) - len(name) + len(OPS[name].short)


@pytest.mark.parametrize("spelling", sorted(FUNCTIONS))
def test_the_parser_reads_names_and_argument_counts_from_the_registry(spelling):
    op, least, most = FUNCTIONS[spelling]
    assert OPS[op].function and least >= 1
    for n in range(least, most + 1):
        node = parse_expression(f"{spelling}({', '.join(['x'] * n)})")
        assert node.op == op and len(node.args) == n
    with pytest.raises(ParseError) as too_many:
        parse_expression(f"{spelling}({', '.join(['x'] * (most + 1))})")
    message = too_many.value.message
    assert message.startswith(f"{spelling} takes {least}") and message.endswith(f"but {most + 1} were given")


def test_aliases_are_spellings_of_their_primitive():
    assert FUNCTIONS["ln"] == ("log", 1, 1)
    assert parse_expression("ln(x)").op == parse_expression("LOG(x)").op == "log"


def float_value(spec, args):
    """``spec``'s float value at ``args``, or None where it is undefined (a Fault)."""
    try:
        return spec.value(*args)
    except Fault:
        return None


def sympy_value(spec, args):
    """SymPy's own value at the exact arguments, or None where it is not a finite real."""
    exact = [sp.Rational(repr(a)) for a in args]
    value = sp.N(spec.sympy(*exact), 30)
    return float(value) if value.is_real and value.is_finite else None


def exported_module(text: str, tmp_path) -> dict:
    """The namespace of the NumPy module exported for ``z = text`` (imported, not run as a script)."""
    graph = build_chain_graph(parse_program(f"z = {text}"))
    path = tmp_path / "exported.py"
    path.write_text(export_numpy.gradient_module(graph, "z", {"x": 0.3, "y": 1.3}), encoding="utf-8")
    return runpy.run_path(str(path))


def close(a, b, rel=1e-12, abs_=1e-14) -> bool:
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)


@pytest.mark.parametrize("name, text, n", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_every_evaluator_gives_the_same_value(name, text, n, tmp_path):
    spec = OPS[name]
    symbols = SYMBOLS[:n]
    expr = spec.sympy(*symbols)
    points = POINTS[n]
    columns = [np.array(c) for c in zip(*points, strict=True)]
    shape = (len(points),)
    with np.errstate(all="ignore"):
        arrays = np.broadcast_to(spec.array_value(*columns), shape)
        evaluated = numeric_array.evaluate_array(expr, dict(zip(symbols, columns, strict=True)), shape)
        exported = np.broadcast_to(exported_module(text, tmp_path)["value"](**dict(zip("xy", columns))), shape)
    defined = 0
    for k, args in enumerate(points):
        value = float_value(spec, args)
        where = dict(zip(symbols, args, strict=True))
        if value is None:  # the strict evaluator faults; the array ones give a gap
            assert not np.isfinite(arrays[k]) and np.isnan(evaluated[k]), args
            with pytest.raises(NumericError):
                numeric.evaluate(expr, where)
            continue
        defined += 1
        assert close(arrays[k], value) and close(evaluated[k], value), args
        assert close(numeric.evaluate(expr, where), value), args
        assert close(sympy_value(spec, args), value), args
        assert close(exported[k], value), args
    assert defined >= 4  # the points say something about every primitive


def neighbourhood_defined(spec, args, h) -> bool:
    return all(float_value(spec, shifted(args, i, s * h[i])) is not None
               for i in range(len(args)) for s in (1, -1))


def nan_by_design(name, args, i, j) -> bool:
    """pow's second partials in the exponent need log(base): NaN at a base ≤ 0 (as designed)."""
    return name == "pow" and args[0] <= 0 and 1 in (i, j)


def shifted(args, i, step):
    return tuple(a + step if j == i else a for j, a in enumerate(args))


@pytest.mark.parametrize("name, text, n", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_local_derivatives_match_central_differences(name, text, n, tmp_path):
    """∂f/∂a_i in floats, on arrays, symbolically and in the exported module, and
    ∂²f/∂a_i∂a_j, against central differences, wherever f is defined around the point."""
    spec = OPS[name]
    symbols = SYMBOLS[:n]
    partials = sympy_partials(spec, list(symbols))
    checked = []
    for args in POINTS[n]:
        h = [1e-6 * max(1.0, abs(a)) for a in args]
        if not neighbourhood_defined(spec, args, h) or (spec.kink and args[0] == 0):
            continue  # undefined nearby, or a kink: no derivative to compare
        checked.append(args)
        grads = spec.grads(args, spec.value(*args))
        hess = spec.hess(args, spec.value(*args))
        where = dict(zip(symbols, args, strict=True))
        for i in range(n):
            up, down = (spec.value(*shifted(args, i, s * h[i])) for s in (1, -1))
            assert close(grads[i], (up - down) / (2 * h[i]), rel=1e-6, abs_=1e-8), (args, i)
            assert_same_where_defined(lambda: numeric.evaluate(partials[i], where), grads[i], args)
            for j in range(n):
                if nan_by_design(name, args, i, j):
                    continue
                up, down = (spec.grads(p, spec.value(*p))[i]
                            for p in (shifted(args, j, h[j]), shifted(args, j, -h[j])))
                assert close(hess[i][j], (up - down) / (2 * h[j]), rel=1e-5, abs_=1e-7), (args, i, j)
    assert len(checked) >= 3
    columns = [np.array(c) for c in zip(*checked, strict=True)]
    with np.errstate(all="ignore"):
        array_grads = spec.array_grads(columns, spec.array_value(*columns))
        exported = exported_module(text, tmp_path)["gradient"](**dict(zip("xy", columns)))
    exported = exported if n > 1 else (exported,)
    for k, args in enumerate(checked):
        grads = spec.grads(args, spec.value(*args))
        for i in range(n):
            assert close(np.broadcast_to(array_grads[i], (len(checked),))[k], grads[i], rel=1e-10), (args, i)
            assert_same_where_defined(lambda: np.broadcast_to(exported[i], (len(checked),))[k], grads[i], args)


def assert_same_where_defined(compute, expected, args):
    """A symbolic partial equals the float one, unless SymPy's form of it divides by an
    argument that is 0 here (∂(x^y)/∂x is written x^y·y/x)."""
    try:
        value = float(compute())
    except NumericError:
        value = math.nan
    if math.isnan(value) and 0.0 in args:
        return
    assert close(value, expected, rel=1e-10, abs_=1e-12), args
