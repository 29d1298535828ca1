"""Which output to differentiate, by which input, and which point values carry over.

The GUI and the command line choose the same way:

* a fresh start differentiates an *output* (a defined name nothing else uses, the first
  typed) with respect to the first input it depends on that is not a *likely target* — the
  y in ``L = (yhat - y)^2``, which a loss compares a prediction with, is data, not
  something one trains (:func:`likely_targets`);
* an equation (``x^2 + y^2 = 1``) reads as y as a function of x when it has both,
  otherwise as its second variable as a function of its first;
* when the text changes, :func:`follow_choice` keeps what the person *picked* (in a
  chooser, by clicking a Jacobian entry, or through a session or example that names it)
  while it still fits the new text, and chooses afresh otherwise — an automatic choice is
  never kept just because its name survived an edit (``z`` after ``w = …z…`` is typed
  above it would hide the new output ``w``).

Pure functions on a :class:`~.chain_graph.ChainGraph`; nothing here knows Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from chainrule_gui.core.graph.chain_graph import ChainGraph
from chainrule_gui.core.language.program import Program

#: Names that say "the value to predict" whatever the expressions around them.
TARGET_NAMES = frozenset({"target", "targets", "label", "labels", "y_true", "ytrue"})
#: name + suffix defined elsewhere (yhat, y_hat, y_pred) marks name as that prediction's target.
PREDICTION_SUFFIXES = ("hat", "_hat", "Hat", "pred", "_pred")


@dataclass(frozen=True)
class Choice:
    """The output and input being differentiated, and which of the two the person picked.

    ``of_was_output``: ``of`` was an output (used by nothing) in the text it was chosen
    for; when something starts using it the problem has grown above it, and even a
    picked ``of`` gives way to the new output.  ``implicit``: chosen for an equation
    (True) or for definitions (False), whose free names play different roles; None for
    names given with a text (a session, an example), which fit either.
    """

    of: str | None = None
    wrt: str | None = None
    of_picked: bool = False
    wrt_picked: bool = False
    of_was_output: bool = False
    implicit: bool | None = None

    @classmethod
    def named(cls, of: str | None, wrt: str | None) -> Choice:
        """What a session or an example names: picked where given, free where None."""
        return cls(of, wrt, of_picked=of is not None, wrt_picked=wrt is not None)

    def pick_output(self, name: str) -> Choice:
        # On an equation the two are both variables: the latest pick wins over an older one.
        return Choice(name, self.wrt, True, self.wrt_picked and self.wrt != name, False, self.implicit)

    def pick_input(self, name: str) -> Choice:
        return Choice(self.of, name, self.of_picked and self.of != name, True, self.of_was_output, self.implicit)


# -- a fresh start ------------------------------------------------------------------------
def default_output(graph: ChainGraph) -> str | None:
    """The first output typed (a name nothing else uses), else the first definition."""
    program = graph.program
    return program.outputs[0] if program.outputs else next(iter(program.definitions), None)


def likely_targets(program: Program) -> frozenset[str]:
    """Inputs that read as the value a model is compared with, where the text tells.

    An input is a likely target when it is subtracted from (or has subtracted from it) a
    defined name — the residual ``yhat - y`` of a loss; when it weighs the log of a
    prediction, as the label y in ``y*log(p)``; when a defined name is it plus a prediction
    suffix (``yhat``, ``y_pred``); or when it is called ``target`` or ``label``.
    """
    inputs = set(program.inputs)
    defined = set(program.definitions)
    targets = {n for n in inputs if n.lower() in TARGET_NAMES}
    targets |= {n for n in inputs if any(n + s in defined for s in PREDICTION_SUFFIXES)}
    for definition in program.definitions.values():
        for node in definition.expr.walk():
            if node.op == "sub":
                names = {a.variable() for a in node.args if a.op == "name"}
                if len(names) == 2 and names & defined:
                    targets |= names & inputs
            elif node.op == "mul":
                # A label weighting the log of a prediction: the y of y*log(p) in cross-entropy.
                left, right = node.args
                for a, b in ((left, right), (right, left)):
                    if a.op == "name" and a.name in inputs and b.op == "log" and b.names() & defined:
                        targets.add(a.name)
    return frozenset(targets)


def ranked_inputs(graph: ChainGraph, outputs: Iterable[str | None]) -> list[str]:
    """The inputs the outputs depend on (None: no output), in typed order, likely targets last."""
    named = [o for o in outputs if o is not None]
    used = set().union(*(graph.inputs_of(o) for o in named)) if named else set()
    targets = likely_targets(graph.program)
    below = [n for n in graph.inputs if n in used]
    return [n for n in below if n not in targets] + [n for n in below if n in targets]


def default_input(graph: ChainGraph, of: str | None) -> str | None:
    ranked = ranked_inputs(graph, [of])
    return ranked[0] if ranked else None


# -- without asking: what a caller that cannot ask (the command line) may choose ------------
def unambiguous_output(graph: ChainGraph) -> tuple[str | None, list[str]]:
    """(the output to use without asking, or None; every output): the only one there is."""
    outputs = list(graph.outputs)
    return (default_output(graph) if len(outputs) == 1 else None), outputs


def unambiguous_input(graph: ChainGraph, outputs: Iterable[str]) -> tuple[str | None, list[str]]:
    """(the input to use without asking, or None; every candidate, best first).

    Without asking means: the only input, or the only one left once likely targets are
    set aside (``L = (yhat - y)^2; yhat = 2*w`` is differentiated by w, not y).
    """
    ranked = ranked_inputs(graph, outputs)
    targets = likely_targets(graph.program)
    preferred = [n for n in ranked if n not in targets]
    if len(preferred) == 1:
        return preferred[0], ranked
    if len(ranked) == 1:
        return ranked[0], ranked
    return None, ranked


def relation_choice(variables: list[str], of: str | None = None,
                    wrt: str | None = None) -> tuple[str | None, str | None]:
    """Complete (dependent, independent) for an equation in ``variables``; a given name stays.

    With neither given and both x and y present, the textbook reading: y as a function of x.
    """
    if of is None and wrt is None and {"x", "y"} <= set(variables):
        return "y", "x"
    if wrt is None:
        wrt = next((v for v in variables if v != of), None)
    if of is None:
        of = next((v for v in variables if v != wrt), None)
    return of, wrt


def unambiguous_relation_choice(variables: list[str], of: str | None = None,
                                wrt: str | None = None) -> tuple[str | None, str | None]:
    """:func:`relation_choice` where it is the only reading: with neither name given, only
    for an equation in exactly two variables; (None, None) otherwise, and None for a name
    that cannot be completed (an equation in one variable)."""
    if of is None and wrt is None and len(variables) != 2:
        return None, None
    return relation_choice(variables, of, wrt)


# -- following the text ------------------------------------------------------------------
def follow_choice(graph: ChainGraph, previous: Choice | None = None) -> Choice:
    """The choice for ``graph``'s text, given the one made for the text before it.

    A picked name is kept while it still fits: ``of`` while it is still defined (and, if
    it was an output, still one), ``wrt`` while it is still an input that ``of`` depends
    on; for an equation, while both are still its variables and differ.  Everything else
    is chosen as a fresh start would; a kept name stays picked, a replaced one is not.
    """
    previous = previous or Choice()
    program = graph.program
    if program.relation is not None:
        variables = list(graph.inputs)
        same_kind = previous.implicit is not False
        of = previous.of if previous.of_picked and same_kind and previous.of in variables else None
        wrt = previous.wrt if previous.wrt_picked and same_kind and previous.wrt in variables else None
        if of is not None and of == wrt:
            wrt = None
        kept_of, kept_wrt = of is not None, wrt is not None
        of, wrt = relation_choice(variables, of, wrt)
        return Choice(of, wrt, kept_of, kept_wrt, False, implicit=True)
    of = previous.of if previous.of_picked and previous.implicit is not True else None
    if of is not None and (of not in program.definitions
                           or (previous.of_was_output and of not in program.outputs)):
        of = None
    kept_of = of is not None
    if of is None:
        of = default_output(graph)
    if of is None:
        return Choice()
    wrt = previous.wrt if previous.wrt_picked and previous.implicit is not True else None
    kept_wrt = wrt is not None and wrt in graph.inputs_of(of)
    if not kept_wrt:
        wrt = default_input(graph, of)
    return Choice(of, wrt, kept_of, kept_wrt, of_was_output=of in program.outputs, implicit=False)


def choose_output_input(graph: ChainGraph, of: str | None, wrt: str | None) -> tuple[str | None, str | None]:
    """(of, wrt) for ``graph``: the names given, where they fit, and fresh choices otherwise."""
    choice = follow_choice(graph, Choice.named(of, wrt))
    return choice.of, choice.wrt


# -- point values -------------------------------------------------------------------------
_Value = TypeVar("_Value")


def input_roles(program: Program) -> dict[str, str]:
    """Each free name's role: an input of definitions, or a variable of an equation."""
    role = "variable" if program.relation is not None else "input"
    return {name: role for name in program.inputs}


def carried_values(values: Mapping[str, _Value], old_roles: Mapping[str, str] | None,
                   new_roles: Mapping[str, str]) -> dict[str, _Value]:
    """The values that carry over to a new text: names still there in the same role.

    ``old_roles`` None means the values were given for the new text itself (a session or
    an example): every one that names a free name of it is kept.  A name that became
    defined, or went from an equation's variable to an input, starts afresh — the x of
    the circle is not the x of ``f = x^2*y^3``.
    """
    if old_roles is None:
        return {n: v for n, v in values.items() if n in new_roles}
    return {n: v for n, v in values.items() if n in new_roles and old_roles.get(n) == new_roles[n]}
