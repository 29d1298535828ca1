"""Hypothesis: well-formed input never crashes the core; any text ends in a result or ParseError."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.errors import ChainRuleError, ParseError
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.parser import FUNCTIONS
from chainrule_gui.core.language.program import parse_program

NAMES = st.sampled_from(["x", "y", "t", "w1", "theta"])
NUMBERS = st.sampled_from(["0", "1", "2", "0.5", "3.25", "1e-3", "1e300", "10", "e", "pi"])
UNARY = sorted(f for f in FUNCTIONS if f != "log") + ["log"]


def expressions(max_leaves=12):
    leaves = st.one_of(NAMES, NUMBERS)

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^"]), inner).map(
                lambda p: f"({p[0]} {p[1]} {p[2]})"),
            st.tuples(st.sampled_from(UNARY), inner).map(lambda p: f"{p[0]}({p[1]})"),
            inner.map(lambda e: f"-{e}"),
            st.tuples(NUMBERS.filter(lambda n: n[0].isdigit()), NAMES).map(lambda p: f"{p[0]}{p[1]}"),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


@settings(max_examples=400)
@given(expr=expressions(), inner=expressions(max_leaves=4), value=st.floats(-3, 3))
def test_well_formed_input_never_crashes(expr, inner, value):
    text = f"z = {expr}\nx = {inner.replace('x', 't')}"
    try:
        program = parse_program(text)
        graph = build_chain_graph(program)
    except ParseError:
        return
    if not graph.outputs:
        return
    point = {name: value for name in program.inputs}
    of = graph.outputs[0]
    for wrt in program.inputs:
        try:
            d = derive(graph, of, wrt, point, max_paths=50)
        except ChainRuleError:
            continue
        assert math.isfinite(d.derivative)
        for name in ("reverse", "forward", "paths"):
            assert d.agreement[name] is not False, (text, point, d.methods)


@settings(max_examples=1500)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_any_text_ends_in_a_program_or_parse_error(text):
    try:
        parse_program(text)
    except ParseError as error:
        assert error.line >= 1 and error.column >= 1 and str(error)


@settings(max_examples=1500)
@given(st.text(alphabet="xyt2e.()+-*/^=;,\n sincolgqrt_[]!@$'\"#", max_size=50))
def test_token_soup_ends_in_a_program_or_parse_error(text):
    try:
        parse_program(text)
    except ParseError as error:
        assert error.message


HOSTILE_TOKENS = st.sampled_from(["__import__", "__class__", ".", "'os'", '"x"', "lambda", ":", "[", "]",
                                  "{", "}", "**", "!", "`", "$", "exec", "eval", "9^9^9", "1e400", "\\", "@"])


@settings(max_examples=1500)
@given(parts=st.lists(st.one_of(expressions(max_leaves=4), HOSTILE_TOKENS), min_size=1, max_size=8),
       joiner=st.sampled_from([" ", "", "+", "*", "(", ")", ",", ";", "\n"]))
def test_grammar_mixed_with_hostile_tokens_ends_in_a_program_or_parse_error(parts, joiner):
    text = "z = " + joiner.join(parts)
    try:
        parse_program(text)
    except ParseError as error:
        assert error.message
