"""``chainrule-gui explain``: the tree, the paths, the total and its five checks, as text.

    chainrule-gui explain "z = x^2 + sin(x*y); x = t^2; y = e^t" --at t=1
"""

from __future__ import annotations

import argparse
import json
import sys

from chainrule_gui.core.errors import ChainRuleError, ChoiceError, ParseError
from chainrule_gui.core.expressions.printing import to_text
from chainrule_gui.core.language.lookalikes import with_lookalike_notes

EXIT_ERROR = 2
DEFAULT_CLI_MAX_PATHS = 100
SIMPLIFY_TIMEOUT = 5.0


def add_parser(sub) -> None:
    p = sub.add_parser(
        "explain",
        help="differentiate definitions and show the chain rule at work",
        description="Differentiate the output of some definitions with respect to an input: "
        "the tree diagram with a local partial on each edge, every path with its product, the sum, "
        "and the same number from reverse mode, forward mode, SymPy and finite differences.",
    )
    p.add_argument("text", metavar="TEXT",
                   help='definitions, separated by ";" or newlines, e.g. "z = x^2 + sin(x*y); x = t^2; y = e^t"')
    p.add_argument("--of", metavar="NAME[,NAME...]", help="output(s) to differentiate (default: the only one)")
    p.add_argument("--wrt", metavar="NAME[,NAME...]", help="input(s) to differentiate by (default: the only one, "
                   "setting aside a likely target such as the y of yhat - y)")
    p.add_argument("--at", metavar="NAME=VALUE[,...]", action="append", default=[],
                   help="the point: a value for every input, e.g. t=1 or x=pi/4,y=2")
    p.add_argument("--order", type=int, choices=(1, 2), default=1, help="1 (default) or 2 for second derivatives")
    p.add_argument("--implicit", action="store_true",
                   help="read every equation as an implicit relation F = lhs - rhs = 0")
    p.add_argument("--max-paths", type=int, default=DEFAULT_CLI_MAX_PATHS, metavar="N",
                   help=f"list at most N paths (default {DEFAULT_CLI_MAX_PATHS}); they are always counted")
    p.add_argument("--cut", metavar="PARENT:CHILD", action="append", default=[],
                   help="stop the gradient on an edge, e.g. --cut z:y (repeatable)")
    p.add_argument("--no-simplify", action="store_true", help="skip SymPy simplification of the result")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--latex", action="store_true", help="print the derivation as LaTeX")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        output = explain(args)
    except ParseError as exc:
        return _fail(f"{exc.line}:{exc.column}: {exc.message}")
    except ChainRuleError as exc:
        return _fail(str(exc))
    sys.stdout.write(output)
    return 0


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return EXIT_ERROR


#: The most paths ``--max-paths`` lists one by one (the count is exact however many there are).
MAX_LISTED_PATHS = 1_000_000


def explain(args: argparse.Namespace) -> str:
    from chainrule_gui.core.graph.chain_graph import build_chain_graph
    from chainrule_gui.core.language.program import parse_program

    if not 0 <= args.max_paths <= MAX_LISTED_PATHS:
        raise ChoiceError(f"--max-paths must be from 0 to {MAX_LISTED_PATHS:,} (paths are counted, "
                          "not listed, beyond it)")
    program = parse_program(args.text, implicit=args.implicit)
    graph = build_chain_graph(program)
    point = parse_point(args.at, program.inputs)
    if program.relation is not None:
        return _explain_implicit(args, graph, point)
    outputs = _names(args.of) or [_default_output(graph)]
    for o in outputs:
        graph.require_name(o, "output")
    inputs = _names(args.wrt) or [_default_input(graph, outputs)]
    cut = _parse_cut(args.cut)
    if args.order == 2:
        return _explain_second(args, graph, outputs, inputs, point, cut)
    if len(outputs) == 1 and len(inputs) == 1:
        return _explain_first(args, graph, outputs[0], inputs[0], point, cut)
    return _explain_jacobian(args, graph, outputs, inputs, point, cut)


# -- choices ---------------------------------------------------------------------------
def _names(value: str | None) -> list[str]:
    if not value:
        return []
    names = [n.strip() for n in value.split(",")]
    if any(not n for n in names):
        raise ChoiceError(f"empty name in {value!r}; separate names with commas, e.g. x,y")
    return names


def _default_output(graph) -> str:
    """The only output, as the GUI would choose it; several are for the user to pick."""
    from chainrule_gui.core.graph.choices import unambiguous_output

    chosen, outputs = unambiguous_output(graph)
    if chosen is not None:
        return chosen
    if not outputs:
        raise ChoiceError("there is no output to differentiate: define one, e.g. z = x^2")
    raise ChoiceError(f"there are several outputs; choose one with --of: {', '.join(outputs)}")


def _default_input(graph, outputs: list[str]) -> str:
    """The input the GUI would choose when that is unambiguous (the only one, or the only one
    besides a likely target such as the y of yhat - y); otherwise the user picks."""
    from chainrule_gui.core.graph.choices import unambiguous_input

    chosen, candidates = unambiguous_input(graph, outputs)
    if chosen is not None:
        return chosen
    if not candidates:
        raise ChoiceError(f"{', '.join(outputs)} depends on no input, so there is nothing to "
                          "differentiate by")
    raise ChoiceError(f"there are several inputs; choose one with --wrt: {', '.join(candidates)}")


def _parse_cut(specs: list[str]) -> list[tuple[str, str]]:
    edges = []
    for spec in specs:
        parts = spec.split(":")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise ChoiceError(f"--cut {spec!r} should look like PARENT:CHILD, e.g. z:y")
        edges.append((parts[0].strip(), parts[1].strip()))
    return edges


def split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses: "x=log(8, 2),y=1" → 2 parts."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def parse_point(specs: list[str], inputs: tuple[str, ...]) -> dict[str, float]:
    """Values for the inputs from ``--at`` texts; each value may be an expression (pi/4)."""
    from chainrule_gui.core.language.point import constant_value

    point: dict[str, float] = {}
    for spec in specs:
        for item in split_top_level(spec):
            if "=" not in item:
                raise ChoiceError(f"--at {item.strip()!r} should look like NAME=VALUE, e.g. t=1")
            name, value_text = (s.strip() for s in item.split("=", 1))
            if name not in inputs:
                choices = ", ".join(inputs) or "none"
                raise ChoiceError(with_lookalike_notes(
                    f"--at {name}: {name!r} is not an input (the inputs are: {choices})", [name, *inputs]))
            if name in point:
                raise ChoiceError(f"--at gives {name} twice")
            point[name] = constant_value(value_text, f"the value of {name}")
    missing = [n for n in inputs if n not in point]
    if missing:
        raise ChoiceError(with_lookalike_notes("give a value for every input with --at; missing: "
                                               + ", ".join(missing) + f" (e.g. --at {missing[0]}=1)", missing))
    return point


# -- the four kinds of answer --------------------------------------------------------------
def _simplified(args, expr):
    if expr is None or args.no_simplify:
        return None
    from chainrule_gui.core.calculus.sympy_worker import simplify_bounded

    return simplify_bounded(expr, timeout=SIMPLIFY_TIMEOUT)


def _dump(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _explain_first(args, graph, of, wrt, point, cut) -> str:
    from chainrule_gui.core.calculus.derivation import derive
    from chainrule_gui.core.output import report
    from chainrule_gui.core.output.latex import derivation_latex

    d = derive(graph, of, wrt, point, max_paths=args.max_paths, cut=cut)
    simplified = _simplified(args, d.derivative_expr)
    if args.json:
        return _dump(report.derivation_json(d, simplified))
    if args.latex:
        return derivation_latex(graph, d, simplified)
    return report.derivation_text(graph, d, simplified)


def _explain_jacobian(args, graph, outputs, inputs, point, cut) -> str:
    from chainrule_gui.core.calculus.derivation import derive
    from chainrule_gui.core.calculus.jacobian import jacobian
    from chainrule_gui.core.output import report

    if cut:
        raise ChoiceError("--cut works with one --of and one --wrt")
    j = jacobian(graph, outputs, inputs, point)
    d = derive(graph, outputs[0], inputs[0], point, max_paths=args.max_paths)
    if args.json:
        obj = report.derivation_json(d, _simplified(args, d.derivative_expr))
        obj.update({
            "of": outputs,
            "wrt": inputs,
            "jacobian": report.matrix_json(j.J_h),
            "jacobian_exprs": None if j.exprs is None else [[to_text(e) for e in row] for row in j.exprs],
            "jacobian_factors": {"via": list(j.via), "J_f": report.matrix_json(j.J_f),
                                 "J_g": report.matrix_json(j.J_g)},
            "jacobian_methods": {k: report.matrix_json(v) for k, v in j.methods.items()},
            "jacobian_agreement": dict(j.agreement),
            "agree": d.agree and j.agree,
        })
        return _dump(obj)
    if args.latex:
        from chainrule_gui.core.output.latex import derivation_latex

        return derivation_latex(graph, d) + _jacobian_latex(j)
    return report.jacobian_text(j)


def _jacobian_latex(j) -> str:
    import sympy as sp

    def mat(m):
        return sp.latex(sp.Matrix(m).applyfunc(lambda v: sp.Float(v, 6)))

    return (r"\[ J_h = J_f J_g = " + mat(j.J_f) + mat(j.J_g) + " = " + mat(j.J_h) + r" \]" + "\n")


def _explain_second(args, graph, outputs, inputs, point, cut) -> str:
    from chainrule_gui.core.calculus.derivation import derive
    from chainrule_gui.core.calculus.second_order import derive_second, hessian
    from chainrule_gui.core.output import report
    from chainrule_gui.core.output.latex import second_latex

    if len(outputs) != 1:
        raise ChoiceError("--order 2 needs a single output (--of); a Hessian is of a scalar")
    of = outputs[0]
    second = derive_second(graph, of, inputs[0], point, cut=cut)
    h = hessian(graph, of, inputs, point, cut=cut) if len(inputs) > 1 else None
    if args.json:
        first = derive(graph, of, inputs[0], point, max_paths=args.max_paths, cut=cut)
        obj = report.derivation_json(first)
        simplified = _simplified(args, second.second_expr)
        best = simplified if simplified is not None else second.second_expr
        obj.update({
            "order": 2,
            "wrt": inputs if h is not None else inputs[0],
            "first_derivative": report.finite_or_none(second.first),
            "derivative": report.finite_or_none(second.second),
            "derivative_expr": None if best is None else to_text(best),
            # "paths" stay the first derivative's (the second has no such path list)
            "derivative_expr_unsimplified": None if second.second_expr is None else to_text(second.second_expr),
            "first_derivative_expr": obj["derivative_expr_unsimplified"],
            "terms": [{"label": t.label, "outer": to_text(t.outer), "value": report.finite_or_none(t.value)}
                      for t in second.terms],
            "methods": {k: report.finite_or_none(v) for k, v in second.methods.items()},
            "agreement": dict(second.agreement),
            "agree": second.agree and (h is None or h.agree),
            "notes": list(second.notes),
        })
        if h is not None:
            obj["hessian"] = report.matrix_json(h.matrix)
            obj["hessian_symmetric"] = h.symmetric
            obj["hessian_agreement"] = dict(h.agreement)
        return _dump(obj)
    if args.latex:
        return second_latex(graph, second)
    text = report.second_text(graph, second)
    if cut:
        text += "\ncut edges (values held fixed): " + ", ".join(f"{p} → {c}" for p, c in cut)
    return text + ("\n" + report.hessian_text(h) if h is not None else "")


def _explain_implicit(args, graph, point) -> str:
    from chainrule_gui.core.calculus.implicit import implicit_derivative
    from chainrule_gui.core.graph.chain_graph import display_name
    from chainrule_gui.core.output import report
    from chainrule_gui.core.output.latex import implicit_latex

    if args.order != 1:
        raise ChoiceError("implicit differentiation here is first order; drop --order 2")
    variables = [n for n in graph.inputs]
    wrt = _names(args.wrt)
    of = _names(args.of)
    if len(wrt) > 1 or len(of) > 1:
        raise ChoiceError("implicit differentiation takes one --of and one --wrt")
    from chainrule_gui.core.graph.choices import unambiguous_relation_choice

    # As the GUI reads it (y as a function of x), where that is the only reading.
    of, wrt = unambiguous_relation_choice(variables, of[0] if of else None, wrt[0] if wrt else None)
    if of is None and wrt is None:
        raise ChoiceError(f"the equation has the variables {', '.join(variables)}; choose the curve's "
                          "variables with --of (dependent) and --wrt (independent)")
    if of is None or wrt is None:
        raise ChoiceError("choose the dependent variable with --of and the independent one with --wrt")
    d = implicit_derivative(graph, of, wrt, point)
    if args.json:
        obj = {
            "of": d.of, "wrt": d.wrt, "at": d.point, "value": report.finite_or_none(d.point[d.of]),
            "implicit": True,
            "F": to_text(d.F_expr), "residual": report.finite_or_none(d.residual),
            "derivative": report.finite_or_none(d.derivative),
            "derivative_expr": None if d.derivative_expr is None else to_text(d.derivative_expr),
            # Named by the variables (F_x, F_z, …): with three variables, or --of x --wrt y,
            # fixed names "F_x"/"F_y" would label ∂F/∂z as F_y.
            f"F_{d.wrt}": {k: report.finite_or_none(v[0]) for k, v in d.partials.items()},
            f"F_{d.of}": {k: report.finite_or_none(v[1]) for k, v in d.partials.items()},
            "held_fixed": [n for n in graph.inputs if n not in (d.of, d.wrt)],
            "paths": [dict(report.path_json(p), nodes=[display_name(n) for n in p.nodes]) for p in d.F_wrt.paths],
            "path_count": d.F_wrt.path_count,
            "methods": {k: report.finite_or_none(v) for k, v in d.methods.items()},
            "agreement": dict(d.agreement), "agree": d.agree, "notes": list(d.notes),
        }
        return _dump(obj)
    if args.latex:
        return implicit_latex(d)
    return report.implicit_text(d)
