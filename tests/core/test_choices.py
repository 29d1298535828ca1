"""Choices follow the problem: picked names are kept while they fit, the rest is chosen afresh,
and point values carry over only for names still in the same role."""

import pytest

from chainrule_gui.core.examples import BY_KEY
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.graph.choices import (
    Choice,
    carried_values,
    choose_output_input,
    follow_choice,
    input_roles,
    likely_targets,
    relation_choice,
    unambiguous_input,
    unambiguous_output,
    unambiguous_relation_choice,
)
from chainrule_gui.core.language.program import parse_program

SEED = "z = x^2 + sin(x*y); x = t^2; y = e^t"
THREE_PATHS = "w = x*exp(y/z); x = t^2; y = 1 - t; z = 1 + 2*t"
REGRESSION = BY_KEY["linear-regression"].text
CIRCLE = "x^2 + y^2 = 1"


def graph(text):
    return build_chain_graph(parse_program(text))


def test_a_fresh_start_takes_the_first_output_and_its_first_input():
    choice = follow_choice(graph(SEED))
    assert (choice.of, choice.wrt) == ("z", "t")
    assert not choice.of_picked and not choice.wrt_picked and choice.of_was_output


def test_an_automatic_output_gives_way_when_the_text_puts_a_new_output_above_it():
    """The default example, then the three-path text: z now feeds w, so w is differentiated."""
    before = follow_choice(graph(SEED))
    after = follow_choice(graph(THREE_PATHS), before)
    assert (after.of, after.wrt) == ("w", "t")


def test_a_picked_output_is_kept_while_it_is_still_an_output():
    picked = follow_choice(graph("f = x^2*y^3; g = x + y"), Choice().pick_output("g"))
    assert picked.of == "g" and picked.of_picked
    edited = follow_choice(graph("f = x^2*y^3; g = x + 2*y"), picked)
    assert edited.of == "g" and edited.of_picked


def test_a_picked_output_that_something_now_uses_gives_way():
    picked = follow_choice(graph(SEED), Choice().pick_output("z"))
    after = follow_choice(graph(THREE_PATHS), picked)
    assert after.of == "w" and not after.of_picked


def test_a_picked_intermediate_is_kept_while_it_is_defined():
    picked = follow_choice(graph(SEED), Choice().pick_output("x"))
    assert (picked.of, picked.wrt) == ("x", "t")
    after = follow_choice(graph(THREE_PATHS), picked)  # x = t^2 there too
    assert (after.of, after.wrt) == ("x", "t") and after.of_picked
    gone = follow_choice(graph("w = u^2; u = sin(t)"), after)
    assert gone.of == "w" and not gone.of_picked


def test_a_picked_input_is_kept_while_the_output_depends_on_it():
    picked = follow_choice(graph("f = x^2*y^3"), Choice().pick_input("y"))
    assert picked.wrt == "y" and picked.wrt_picked
    assert follow_choice(graph("f = x^2*y^4"), picked).wrt == "y"
    dropped = follow_choice(graph("f = x^2"), picked)
    assert dropped.wrt == "x" and not dropped.wrt_picked


def test_an_automatic_input_is_chosen_afresh():
    """The first input of f = x*y is x; once y comes first in f = y*x + x, a fresh start takes y."""
    first = follow_choice(graph("f = x*y"))
    assert follow_choice(graph("f = y*x + x"), first).wrt == "y"


def test_the_regression_loss_is_not_differentiated_by_its_target():
    assert likely_targets(parse_program(REGRESSION)) == {"y"}
    assert follow_choice(graph(REGRESSION)).wrt == "w1"  # typed: y comes first, and is the target


@pytest.mark.parametrize("text, targets", [
    ("L = (y - yhat)^2; yhat = w*x", {"y"}),
    ("L = (pred - target)^2; pred = w*x", {"target"}),
    ("L = log(cosh(y_pred - y)); y_pred = a*x + b", {"y"}),
    ("L = -(y*log(p) + (1 - y)*log(1 - p)); p = sigmoid(z); z = w*x + b", {"y"}),  # cross-entropy's label
    ("f = x^2*y^3", set()),  # nothing tells: no target
    ("f = a*log(x)", set()),  # the log of an input is no prediction
    ("z = x - y", set()),  # a difference of two inputs is no residual
])
def test_likely_targets(text, targets):
    assert likely_targets(parse_program(text)) == targets


def test_an_example_that_names_its_choice_keeps_it():
    example = BY_KEY["polar"]
    assert choose_output_input(graph(example.text), example.of, example.wrt) == ("f", "theta")


def test_equations_read_y_as_a_function_of_x():
    choice = follow_choice(graph(CIRCLE), follow_choice(graph(SEED)))
    assert (choice.of, choice.wrt) == ("y", "x") and choice.implicit
    assert relation_choice(["u", "v"]) == ("v", "u")
    assert relation_choice(["x", "y"], of="x") == ("x", "y")
    swapped = follow_choice(graph(CIRCLE), Choice(implicit=True).pick_output("x").pick_input("y"))
    assert (swapped.of, swapped.wrt) == ("x", "y")
    assert follow_choice(graph("x^2 + y^2 = 4"), swapped).of == "x"  # kept across the edit
    # Picking as the independent variable the one that was the dependent swaps them: the
    # latest pick wins.
    again = follow_choice(graph(CIRCLE), swapped.pick_input("x"))
    assert (again.of, again.wrt) == ("y", "x")


def test_picks_do_not_cross_between_equations_and_definitions():
    circle = follow_choice(graph(CIRCLE), Choice.named("x", "y"))
    assert (circle.of, circle.wrt) == ("x", "y")
    after = follow_choice(graph("f = x^2*y^3"), circle)
    assert (after.of, after.wrt) == ("f", "x") and not after.wrt_picked


def test_the_cli_chooses_an_input_only_when_it_is_unambiguous():
    g = graph("L = (yhat - y)^2; yhat = 2*w")
    assert unambiguous_input(g, ["L"]) == ("w", ["w", "y"])
    g = graph(REGRESSION)
    assert unambiguous_input(g, ["L"]) == (None, ["w1", "x1", "w2", "x2", "b", "y"])


def test_the_cli_chooses_an_output_only_when_there_is_one():
    assert unambiguous_output(graph(SEED)) == ("z", ["z"])
    assert unambiguous_output(graph("a = x; b = x")) == (None, ["a", "b"])


def test_the_cli_reads_an_equation_without_asking_only_in_two_variables():
    assert unambiguous_relation_choice(["x", "y"]) == ("y", "x")
    assert unambiguous_relation_choice(["x", "y", "z"]) == (None, None)  # the GUI would take y(x)
    assert unambiguous_relation_choice(["x", "y", "z"], of="z") == ("z", "x")
    assert unambiguous_relation_choice(["x"], of="x") == ("x", None)  # nothing to differentiate by


def test_point_values_carry_over_only_in_the_same_role():
    circle = input_roles(parse_program(CIRCLE))
    definitions = input_roles(parse_program("f = x^2*y^3"))
    seed = input_roles(parse_program(SEED))
    point = {"x": 0.9487, "y": 0.3162}
    assert carried_values(point, circle, definitions) == {}  # an equation's x is not f's x
    assert carried_values({"t": 0.5}, seed, input_roles(parse_program(THREE_PATHS))) == {"t": 0.5}
    assert carried_values({"x": 2.0, "t": 1.0}, definitions | seed, seed) == {"t": 1.0}  # x became defined
    # Values given with a text (a session, an example) are kept for its free names.
    assert carried_values({"t": 0.5, "q": 1.0}, None, seed) == {"t": 0.5}
