"""The explorer model: each intent is a pure function from one state to the next, a text is
read with the state's choices, and SymPy's answers are kept by structure in a cache bounded
by size.  What a person meets in the Expression tab, without the tab."""

import dataclasses
import math

import pytest
import sympy as sp

from chainrule_gui.core.errors import ParseError
from chainrule_gui.core.explorer import transitions as t
from chainrule_gui.core.explorer.evaluation import evaluate
from chainrule_gui.core.explorer.reading import INLINE_SYMBOLIC_OPS, read_text
from chainrule_gui.core.explorer.state import ExplorerState, StructureKey, structure_key
from chainrule_gui.core.explorer.symbolic import (
    GAVE_UP,
    NOT_KNOWN,
    SymbolicCache,
    expression_nodes,
    relation_key,
)
from chainrule_gui.core.files.session import Session

SEED = "z = x^2 + sin(x*y); x = t^2; y = e^t"
THREE_PATHS = "w = x*exp(y/z); x = t^2; y = 1 - t; z = 1 + 2*t"
CIRCLE = "x^2 + y^2 = 1"
#: Each line doubles the composed size: far above what is differentiated while reading.
LARGE = "; ".join(f"a{i} = a{i + 1}*a{i + 1} + sin(a{i + 1})" for i in range(9)) + "; a9 = x^2"


@pytest.fixture
def cache():
    return SymbolicCache()


def typed(state, text, cache):
    """``text`` typed and read: the state the explorer shows it with, and its reading."""
    state = t.edit_text(state, text)
    reading = read_text(state.text, state, cache)
    return t.adopt_reading(state, reading), reading


def test_a_fresh_text_differentiates_its_output_by_its_first_input_at_a_default_point(cache):
    state, reading = typed(ExplorerState(), SEED, cache)
    assert (state.of, state.wrt) == ("z", "t") and state.picked_of is None
    assert dict(state.point) == {"t": 1.0} and dict(state.ranges) == {"t": (-2.0, 4.0)}
    assert state.text == reading.text == SEED
    numbers = evaluate(state, reading, cache)
    assert numbers.derivation.agree and not numbers.symbolic_pending
    assert numbers.derivation.methods["symbolic"] == pytest.approx(numbers.derivation.derivative)


def test_a_typo_keeps_the_last_good_choices_and_point(cache):
    state, _ = typed(ExplorerState(), "f = x^2*y^3; g = x + y", cache)
    state = t.set_value(t.choose_output(state, "g"), "y", 0.5)
    state = t.edit_text(state, "f = x^2*y^3; g = x + ")
    with pytest.raises(ParseError):
        read_text(state.text, state, cache)
    assert state.text == "f = x^2*y^3; g = x + "  # what was typed is kept, as typed
    assert (state.of, state.picked_of, state.point["y"]) == ("g", "g", 0.5)
    state, _ = typed(state, "f = x^2*y^3; g = x + 2*y", cache)
    assert (state.of, state.picked_of, state.point["y"]) == ("g", "g", 0.5)


def test_an_automatic_output_follows_the_text_and_a_picked_one_is_kept_while_it_fits(cache):
    automatic, _ = typed(ExplorerState(), SEED, cache)
    automatic, _ = typed(automatic, THREE_PATHS, cache)
    assert (automatic.of, automatic.wrt) == ("w", "t")  # z now feeds w
    picked, _ = typed(t.choose_output(automatic, "x"), THREE_PATHS, cache)
    picked, _ = typed(picked, THREE_PATHS.replace("1 - t", "2 - t"), cache)
    assert (picked.of, picked.picked_of) == ("x", "x")
    gone, _ = typed(picked, "w = u^2; u = sin(t)", cache)
    assert (gone.of, gone.picked_of) == ("w", None)


def test_a_picked_input_is_kept_while_the_output_depends_on_it(cache):
    state, _ = typed(ExplorerState(), "f = x^2*y^3", cache)
    state, _ = typed(t.choose_input(state, "y"), "f = x^2*y^4", cache)
    assert (state.wrt, state.picked_wrt) == ("y", "y")
    state, _ = typed(state, "f = x^2", cache)
    assert (state.wrt, state.picked_wrt) == ("x", None)


def test_a_picked_choice_shows_on_the_reading_shown_until_it_is_read_again(cache):
    state, reading = typed(ExplorerState(), "f = x^2*y^3; g = x + y", cache)
    picked = t.choose_output(state, "g")
    assert structure_key(reading) == StructureKey("f = x^2*y^3; g = x + y", "f", "x", frozenset())
    assert evaluate(picked, reading, cache).key.of == "g"
    assert evaluate(picked, reading, cache).derivation.of == "g"


def test_an_opened_session_counts_its_names_as_picked_and_ranges_its_values():
    state = t.opened(SEED, "z", None, {"t": 0.5}, cut=[["z", "y"]], max_paths=7, diagram="graph")
    assert (state.picked_of, state.picked_wrt) == ("z", None)
    assert dict(state.ranges) == {"t": (-2.5, 3.5)} and state.cut == {("z", "y")}
    assert (state.max_paths, state.diagram, state.labels) == (7, "graph", "both")
    assert state.roles is None  # the values were given for this very text


def test_values_carry_over_only_for_names_still_free_in_the_same_role(cache):
    state, _ = typed(ExplorerState(), "f = x^2*y^3", cache)
    state = t.set_value(state, "x", 2.0)
    state, _ = typed(state, "f = x^2*y^3 + y", cache)
    assert state.point["x"] == 2.0
    state, _ = typed(state, "f = x^2*y^3; x = s^2", cache)  # x is defined now: not the same x
    assert dict(state.point) == {"y": 1.0, "s": 1.0}


def test_an_equation_moves_the_point_onto_its_curve(cache):
    state, reading = typed(ExplorerState(), CIRCLE, cache)
    assert (state.of, state.wrt) == ("y", "x")
    assert state.point["x"] ** 2 + state.point["y"] ** 2 == pytest.approx(1.0)
    assert state.point["y"] != 0  # the nearest point, not straight below (a vertical tangent)
    assert isinstance(cache.get(relation_key(CIRCLE)), dict)
    assert evaluate(state, reading, cache).implicit.agree


def test_moving_the_point_and_refused_intents():
    state = t.opened("f = x^2", point={"x": 1.0})
    assert t.set_value(state, "x", math.nan) is state
    assert t.set_value(state, "x", 1.0) is state
    assert t.set_range(state, "x", 2.0, 2.0) is state
    assert t.set_range(state, "x", 0.0, math.inf) is state
    assert t.choose_output(state, "") is state
    assert t.set_view(state, diagram="tree") is state
    moved = t.set_value(state, "x", 9.0)
    assert moved.point["x"] == 9.0 and moved.ranges["x"] == (-2.0, 9.0)  # widened to hold it
    clamped = t.set_range(moved, "x", 0.0, 5.0)
    assert clamped.point["x"] == 5.0 and clamped.ranges["x"] == (0.0, 5.0)
    dragged = t.set_values(clamped, {"x": 7})
    assert dragged.point["x"] == 7.0 and dragged.ranges["x"] == (0.0, 5.0)
    assert state.point["x"] == 1.0  # every step made a new state; the first is as it was


def test_the_state_cannot_be_changed_in_place():
    point = {"x": 1.0}
    state = t.opened("f = x^2", point=point)
    point["x"] = 5.0
    assert state.point["x"] == 1.0  # a copy was taken
    with pytest.raises(TypeError):
        state.point["x"] = 2.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.text = "g = y"


def test_cut_edges_toggle_and_go_with_the_use_an_edit_removes(cache):
    state, _ = typed(ExplorerState(), SEED, cache)
    cut = t.toggle_cut(state, ("z", "y"))
    assert cut.cut == {("z", "y")} and t.toggle_cut(cut, ["z", "y"]).cut == frozenset()
    kept, reading = typed(cut, SEED + " + 0", cache)
    assert kept.cut == reading.cut == {("z", "y")}
    gone, reading = typed(cut, "z = x^2; x = t^2", cache)
    assert gone.cut == reading.cut == frozenset()


def test_one_structure_key_for_states_readings_and_whatever_shows_them(cache):
    state, reading = typed(ExplorerState(), SEED, cache)
    assert structure_key(reading) == (SEED, "z", "t", frozenset())
    assert evaluate(state, reading, cache).key == structure_key(reading)
    moved = t.set_value(state, "t", 0.3)
    assert evaluate(moved, reading, cache).key == structure_key(reading)  # numbers only
    assert evaluate(t.toggle_cut(state, ("z", "y")), reading, cache).key != structure_key(reading)


def test_a_large_composition_is_read_without_waiting_for_sympy(cache):
    state, reading = typed(ExplorerState(), LARGE, cache)
    assert reading.graph.composed_size(reading.of) > INLINE_SYMBOLIC_OPS
    assert reading.deferred and reading.symbolic is NOT_KNOWN and structure_key(reading) not in cache
    pending = evaluate(state, reading, cache)
    assert pending.symbolic_pending and pending.derivation.methods["symbolic"] is None
    cache.store(structure_key(reading), GAVE_UP)  # too slow in the child process
    given_up = evaluate(state, reading, cache)
    assert not given_up.symbolic_pending and given_up.derivation.methods["symbolic"] is None
    assert given_up.derivation.derivative == pending.derivation.derivative


def test_sympy_is_asked_once_per_structure(cache, monkeypatch):
    state, reading = typed(ExplorerState(), SEED, cache)
    from chainrule_gui.core.explorer import symbolic

    monkeypatch.setattr(symbolic, "symbolic_derivative", lambda *a: pytest.fail("SymPy asked again"))
    again = read_text(SEED, state, cache)
    assert again.symbolic == reading.symbolic == cache.get(structure_key(reading))


def test_the_symbolic_cache_is_bounded_by_size_least_recent_first():
    x = sp.Symbol("x")
    cache = SymbolicCache(size=50_000)
    keys = [StructureKey(f"f = x^{n}", "f", "x", frozenset()) for n in range(200)]
    for n, key in enumerate(keys):
        cache.store(key, sp.sin(x) ** n)
        assert cache.used <= 50_000
    assert keys[0] not in cache and keys[-1] in cache
    assert cache.get(keys[0]) is NOT_KNOWN
    big = StructureKey("f = " + "x + " * 600 + "x", "f", "x", frozenset())
    cache.store(big, sum(sp.Symbol(f"x{i}") for i in range(600)))
    assert len(cache) == 1 and cache.get(big) is not NOT_KNOWN  # larger than the cache: alone


def test_a_shared_subexpression_counts_once():
    x = sp.Symbol("x")
    inner = sp.sin(x) + sp.cos(x)
    assert expression_nodes(inner * inner + sp.exp(inner)) < 2 * expression_nodes(inner) + 6
    assert expression_nodes({"x": x, "y": None}) == 2


def test_a_session_maps_to_the_state_and_back(cache):
    session = Session(text=SEED, of="z", point={"t": 0.5}, ranges={"t": (-1.0, 2.0)}, cut=(("z", "y"),),
                      max_paths=50, diagram="operations", labels="numeric")
    assert Session.from_state(session.to_state()) == session
    state, _ = typed(session.to_state(), "z = x^2; x = s*t", cache)
    state = t.set_view(state, labels="symbolic")
    saved = Session.from_state(state)
    assert (saved.of, saved.wrt, saved.labels) == ("z", None, "symbolic")
    assert saved.point == {"t": 0.5, "s": 1.0} and saved.cut == ()  # z no longer uses y
