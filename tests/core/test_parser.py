"""The parser reads the documented syntax and reports each mistake at its place."""

import pytest
import sympy as sp

from chainrule_gui.core.errors import ParseError
from chainrule_gui.core.expressions.sympy_functions import relu, sigmoid, softplus
from chainrule_gui.core.language.program import parse_program

x, y, t = sp.symbols("x y t", real=True)


def rhs(text, name=None):
    program = parse_program(text)
    name = name or next(iter(program.definitions))
    return program.definitions[name].sym


@pytest.mark.parametrize(
    "text, expected",
    [
        ("f = x^2", x**2),
        ("f = x**2", x**2),
        ("f = x^2 + 2^10", x**2 + 1024),  # ^ binds tighter than +
        ("f = 2x", 2 * x),
        ("f = 3 sin(x)", 3 * sp.sin(x)),
        ("f = 2(x + 1)", 2 * (x + 1)),
        ("f = sin(x)cos(x)", sp.sin(x) * sp.cos(x)),
        ("f = -x^2", -(x**2)),
        ("f = 2^-x", 2 ** (-x)),
        ("f = x^y^2", x ** (y**2)),  # right-associative
        ("f = e^t", sp.exp(t)),
        ("f = e^(3x)", sp.exp(3 * x)),
        ("f = pi*x", sp.pi * x),
        ("f = π*x", sp.pi * x),
        ("f = log(x)", sp.log(x)),
        ("f = ln(x)", sp.log(x)),
        ("f = log(x, 2)", sp.log(x) / sp.log(2)),
        ("f = sqrt(x) + abs(y)", sp.sqrt(x) + sp.Abs(y)),
        ("f = asin(x) + acos(x) + atan(x)", sp.asin(x) + sp.acos(x) + sp.atan(x)),
        ("f = sinh(x) * cosh(x) / tanh(x)", sp.sinh(x) * sp.cosh(x) / sp.tanh(x)),
        ("f = sigmoid(x) + relu(x) + softplus(x)", sigmoid(x) + relu(x) + softplus(x)),
        ("f = 0.5x", x / 2),
        ("f = 1.5e2 * x", 150 * x),
        ("f = 2e^x", 2 * sp.exp(x)),
        ("f = x·y", x * y),
        ("f = x²", x**2),
        ("f = x − y", x - y),
        ("f = (x\n + y)", x + y),  # newline inside parentheses continues the line
        ("f = x  # a comment", x),
    ],
)
def test_valid_forms(text, expected):
    assert sp.simplify(rhs(text) - expected) == 0


def test_multi_letter_names_are_single_symbols():
    program = parse_program("yhat = w1*xy + theta")
    assert set(program.inputs) == {"w1", "xy", "theta"}
    assert program.outputs == ("yhat",)


def test_definitions_by_lines_and_semicolons():
    program = parse_program("z = x^2 + sin(x*y); x = t^2\ny = e^t")
    assert list(program.definitions) == ["z", "x", "y"]
    assert program.inputs == ("t",)
    assert program.outputs == ("z",)
    assert program.order.index("x") < program.order.index("z")


def test_relation_when_left_side_is_not_a_name():
    program = parse_program("x^2 + y^2 = 1")
    assert program.relation is not None
    assert sp.simplify(program.relation.sym - (x**2 + y**2 - 1)) == 0
    assert not program.definitions


def test_implicit_flag_makes_every_equation_a_relation():
    program = parse_program("y = x^2", implicit=True)
    assert program.relation is not None and not program.definitions


def test_bare_expression_gets_a_name():
    program = parse_program("sin(x^2)")
    assert program.outputs == ("f",)
    assert program.definitions["f"].generated


def error_of(text):
    with pytest.raises(ParseError) as info:
        parse_program(text)
    return info.value


@pytest.mark.parametrize(
    "text, line, column, words",
    [
        ("z = x +", 1, 7, "missing"),
        ("z = x * * y", 1, 9, "unexpected"),
        ("z = (x + 1", 1, 5, "never closed"),
        ("z = x + 1)", 1, 10, "unmatched ')'"),
        ("z = sinn(x)", 1, 5, "did you mean sin"),
        ("z = tanhh(x)", 1, 5, "did you mean tanh"),
        # An unfinished call is an unclosed '(' at the '(', whatever precedes it.
        ("2x(", 1, 3, "this '(' is never closed"),
        ("z = 2x(", 1, 7, "this '(' is never closed"),
        ("z = 2x(1", 1, 7, "this '(' is never closed"),
        ("z = a(b", 1, 6, "this '(' is never closed"),
        ("z = sin(x", 1, 8, "this '(' is never closed"),
        ("z = 2x(\nt = 1", 1, 7, "this '(' is never closed"),
        ("z = sinn(x", 1, 9, "did you mean sin"),
        # Complete calls of names that are not functions keep their own messages.
        ("z = foo(x)", 1, 5, "unknown function 'foo'; to multiply, write foo*(…)"),
        ("z = 2x(1)", 1, 6, "unknown function 'x'; to multiply, write x*(…)"),
        ("z = w(x + 1)", 1, 5, "unknown function 'w'; to multiply, write w*(…)"),  # not "did you mean tan"
        ("z = ex(x)", 1, 5, "did you mean exp"),
        ("z = x y", 1, 7, "missing operator"),
        ("z = 2 3", 1, 7, "missing operator"),
        ("z = sin x", 1, 5, "parentheses"),
        ("z = log(x, 2, 3)", 1, 5, "takes 1 or 2 arguments"),
        ("z = sin(x, y)", 1, 5, "takes 1 argument"),
        ("z = x\nx = z", 1, 1, "z → x → z"),
        ("a = b\nb = c\nc = a", 1, 1, "a → b → c → a"),
        ("z = z + 1", 1, 1, "itself"),
        ("y = 1\nz = y\ny = 2", 3, 1, "defined twice"),
        ("z = x $ y", 1, 7, "unexpected character"),
        ("z = x[0]", 1, 6, "round parentheses"),
        ("e = 3", 1, 1, "constant"),
        ("z = ", 1, 5, "nothing after '='"),
        ("z = x = y", 1, 7, "only one '='"),
        ("z = 9^9^9^9", 1, 7, "too large"),  # 9^(9^9) is the first too large
        ("z = x^(9^9^9)", 1, 7, "too large"),
        ("z = ((9^9)^9999)^9999", 1, 5, "too large"),
        ("z = 1e999", 1, 5, "out of range"),
        ("z = 0.5^(10^6)", 1, 5, "too small"),
        ("z = exp(exp(exp(exp(1))))", 1, 5, "too large"),
        ("z = log(0) * x", 1, 5, "undefined"),
        ("z = x / 0", 1, 5, "division by zero"),
        ("z = sqrt(-1) + x", 1, 5, "not a real number"),
        ("z = 12345678901234567890123456789012345678901234567890", 1, 5, "too long"),
        ("z = __import__('os')", 1, 5, "letter"),
        ("z = x.real", 1, 6, "must be part of a number"),
        ("z = lambda: 1", 1, 11, "unexpected character"),
    ],
)
def test_errors_name_the_problem_and_place(text, line, column, words):
    error = error_of(text)
    assert words in error.message
    assert (error.line, error.column) == (line, column)


def test_empty_input():
    for text in ("", "   ", "\n;\n", "# just a comment"):
        assert "nothing to work with" in error_of(text).message


def test_too_long_input():
    error = error_of("z = " + "x + " * 3000 + "1")
    assert "too long" in error.message


def test_nesting_limit():
    error = error_of("z = " + "(" * 150 + "x" + ")" * 150)
    assert "nested too deeply" in error.message
    error = error_of("z = " + "-" * 500 + "x")
    assert "nested too deeply" in error.message


def test_error_length_underlines_the_token():
    error = error_of("z = sinn(x)")
    assert error.length == 4


def test_an_unclosed_parenthesis_above_a_new_definition_is_named_at_the_parenthesis():
    """Mid-edit, as a crash leaves it: inside parentheses a line break continues the
    expression, so the next definition read as a missing operator on line 2."""
    with pytest.raises(ParseError) as caught:
        parse_program("z = x^3 + cos(y\nx = t^2\ny = t + 1")
    error = caught.value
    assert (error.line, error.column) == (1, 14)
    assert "never closed" in error.message
    # A continued expression inside parentheses still reports its own mistake.
    with pytest.raises(ParseError) as caught:
        parse_program("z = (x +\n  y +* 2)")
    assert (caught.value.line, "never closed" in caught.value.message) == (2, False)
