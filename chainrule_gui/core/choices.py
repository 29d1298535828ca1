"""Sensible default choices of output and input for a program (used by the GUI)."""

from __future__ import annotations

from chainrule_gui.core.chain_graph import ChainGraph


def choose_output_input(graph: ChainGraph, of: str | None, wrt: str | None) -> tuple[str | None, str | None]:
    """Keep the previous choice while it still makes sense; otherwise pick sensible defaults."""
    program = graph.program
    if program.relation is not None:
        variables = list(graph.inputs)
        if wrt not in variables and of not in variables and {"x", "y"} <= set(variables):
            wrt, of = "x", "y"  # the textbook reading of a relation: y as a function of x
        if wrt not in variables:
            wrt = variables[0] if variables else None
        if of not in variables or of == wrt:
            rest = [v for v in variables if v != wrt]
            of = rest[0] if rest else None
        return of, wrt
    if of not in program.definitions:
        of = program.outputs[0] if program.outputs else (next(iter(program.definitions), None))
    if of is None:
        return None, None
    below = [n for n in graph.inputs if n in graph.inputs_of(of)]
    if wrt not in below:
        wrt = below[0] if below else None
    return of, wrt
