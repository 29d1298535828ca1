"""``chainrule-gui explain``: plain text, JSON, LaTeX, and one-line errors with exit code 2."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from chainrule_gui import __version__
from chainrule_gui.__main__ import main

SEED = "z = x^2 + sin(x*y); x = t^2; y = e^t"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def explain_json(capsys, *argv):
    code, out, err = run(capsys, "explain", *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_json_for_the_seed_example(capsys):
    obj = explain_json(capsys, SEED, "--at", "t=1")
    assert obj["of"] == "z" and obj["wrt"] == "t" and obj["at"] == {"t": 1.0}
    assert math.isclose(obj["value"], 1 + math.sin(math.e))
    assert obj["path_count"] == 2
    assert [p["nodes"] for p in obj["paths"]] == [["z", "x", "t"], ["z", "y", "t"]]
    first = obj["paths"][0]
    assert first["factors"] == ["2*x + y*cos(x*y)", "2*t"]
    assert math.isclose(math.prod(first["factor_values"]), first["product"])
    assert set(obj["methods"]) == {"paths", "reverse", "forward", "symbolic", "finite_difference"}
    assert all(math.isclose(v, obj["derivative"], rel_tol=1e-6) for v in obj["methods"].values())
    assert obj["agree"] is True
    assert "exp" in obj["derivative_expr"] and "cos" in obj["derivative_expr"]


def test_three_paths_example(capsys):
    obj = explain_json(capsys, "w = x*exp(y/z); x = t^2; y = 1 - t; z = 1 + 2*t", "--at", "t=0.5")
    assert obj["path_count"] == 3 and obj["agree"]


def test_plain_text_shows_tree_paths_sum_and_checks(capsys):
    code, out, _ = run(capsys, "explain", SEED, "--at", "t=1")
    assert code == 0
    assert "∂z/∂x = 2*x + y*cos(x*y)" in out and "dx/dt = 2*t" in out
    assert "1. z → x → t" in out and "2. z → y → t" in out
    assert "sum of the path products" in out
    assert "All compared methods agree (5 of 5 compared)" in out


def test_latex(capsys):
    code, out, _ = run(capsys, "explain", SEED, "--at", "t=1", "--latex")
    assert code == 0
    assert out.startswith(r"\begin{align*}") and r"\frac{\partial z}{\partial x}" in out
    assert r"\end{align*}" in out


def test_point_values_may_be_expressions(capsys):
    obj = explain_json(capsys, "f = sin(x)", "--at", "x=pi/3")
    assert math.isclose(obj["derivative"], 0.5)


def test_jacobian_with_several_outputs_and_inputs(capsys):
    obj = explain_json(capsys, "u = x*y; v = x + y; f1 = u^2 + v; f2 = sin(u)*v",
                       "--of", "f1,f2", "--wrt", "x,y", "--at", "x=0.5,y=2")
    jac = obj["jacobian"]
    assert len(jac) == 2 and len(jac[0]) == 2
    assert math.isclose(jac[0][0], 5.0) and math.isclose(jac[0][1], 2.0)
    assert obj["jacobian_factors"]["via"] == ["u", "v"]
    assert obj["agree"]


def test_second_order(capsys):
    obj = explain_json(capsys, "y = sin(u); u = x^2", "--at", "x=0.7", "--order", "2")
    expected = 2 * math.cos(0.49) - 4 * 0.49 * math.sin(0.49)
    assert math.isclose(obj["derivative"], expected)
    assert len(obj["terms"]) == 2 and obj["agree"]


def test_hessian(capsys):
    obj = explain_json(capsys, "f = x^2*y^3", "--wrt", "x,y", "--at", "x=1,y=2", "--order", "2")
    assert obj["hessian"] == [[16.0, 24.0], [24.0, 12.0]]


def test_implicit(capsys):
    obj = explain_json(capsys, "x^2 + y^2 = 1", "--at", "x=0.6,y=0.8")
    assert math.isclose(obj["derivative"], -0.75) and obj["derivative_expr"] == "-x/y"
    obj = explain_json(capsys, "y = x^3", "--implicit", "--of", "y", "--wrt", "x", "--at", "x=2,y=8")
    assert math.isclose(obj["derivative"], 12.0)


def test_cut_edge(capsys):
    obj = explain_json(capsys, SEED, "--at", "t=1", "--cut", "z:y")
    assert obj["path_count"] == 1 and obj["cut"] == [["z", "y"]] and obj["agree"]


def test_cut_edge_at_second_order(capsys):
    """--cut holds the value fixed at second order too: the same as the composition with y
    replaced by the number it was at t = 1 (e), and every method agrees."""
    obj = explain_json(capsys, SEED, "--at", "t=1", "--cut", "z:y", "--order", "2")
    frozen = explain_json(capsys, f"z = x^2 + sin(x*{math.e!r}); x = t^2", "--at", "t=1", "--order", "2")
    assert obj["agree"] and obj["cut"] == [["z", "y"]]
    assert math.isclose(obj["derivative"], frozen["derivative"], rel_tol=1e-9)
    assert [t["value"] for t in obj["terms"]] == pytest.approx([t["value"] for t in frozen["terms"]])
    whole = explain_json(capsys, SEED, "--at", "t=1", "--order", "2")
    assert not math.isclose(obj["derivative"], whole["derivative"], rel_tol=1e-3)


@pytest.mark.parametrize("argv, words", [
    (["explain", "z = sinn(x)", "--at", "x=1"], "1:5: unknown function 'sinn'; did you mean sin?"),
    (["explain", SEED], "missing: t"),
    (["explain", SEED, "--at", "q=1"], "'q' is not an input"),
    (["explain", "z = x*y", "--at", "x=1,y=2"], "several inputs; choose one with --wrt: x, y"),
    (["explain", "a = x; b = x", "--at", "x=1"], "several outputs; choose one with --of: a, b"),
    (["explain", SEED, "--at", "t=1", "--wrt", "x"], "differentiate with respect to an input"),
    (["explain", "z = log(x - 3); x = t^2", "--at", "t=1"], "log of a negative number"),
    (["explain", "x^2 + y^2 = 1", "--at", "x=0.6,y=0.7"], "not on the curve"),
    (["explain", SEED, "--at", "t=__import__('os')"], "cannot be read"),
    (["explain", SEED, "--at", "t=1", "--order", "3"], "invalid choice"),
    (["explain", SEED, "--at", "t=1", "--cut", "zy"], "PARENT:CHILD"),
    (["frobnicate"], "invalid choice"),
])
def test_errors_are_one_line_with_exit_code_2(capsys, argv, words):
    try:
        code, out, err = run(capsys, *argv)
    except SystemExit as exc:  # argparse-level errors
        code = exc.code
        out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert words in lines[0]
    assert "Traceback" not in err


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"chainrule-gui {__version__}"


def test_module_and_script_entry_points():
    done = subprocess.run([sys.executable, "-m", "chainrule_gui", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and __version__ in done.stdout
    script = Path(sys.executable).with_name("chainrule-gui")
    assert script.exists(), "install the package (the README's test command does) to get the script"
    done = subprocess.run([str(script), "explain", SEED, "--at", "t=1", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["agree"] is True
    done = subprocess.run([str(script), "explain", "z = (", "--at", "t=1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("error: 1:5:")


# -- labels that name the right thing ----------------------------------------------------
SPHERE = "x^2 + y^2 + z^2 = 1"


def test_implicit_json_names_the_partials_by_their_variables(capsys):
    """With three variables ∂F/∂z is F_z (it was labelled F_y); y is said to be held fixed."""
    obj = explain_json(capsys, SPHERE, "--of", "z", "--wrt", "x", "--at", "x=0.6,y=0,z=0.8")
    assert obj["F_x"]["reverse"] == pytest.approx(1.2) and obj["F_z"]["reverse"] == pytest.approx(1.6)
    assert "F_y" not in obj and obj["held_fixed"] == ["y"]
    assert math.isclose(obj["derivative"], -0.75)
    assert [p["nodes"] for p in obj["paths"]] == [["F", "x"]]  # not the internal "_F"
    # Swapped roles on a circle: F_y is still ∂F/∂y.
    obj = explain_json(capsys, "x^2 + y^2 = 1", "--of", "x", "--wrt", "y", "--at", "x=0.6,y=0.8")
    assert obj["F_y"]["reverse"] == pytest.approx(1.6) and obj["F_x"]["reverse"] == pytest.approx(1.2)


def test_implicit_text_and_latex_name_every_variable(capsys):
    code, out, _ = run(capsys, "explain", SPHERE, "--of", "z", "--wrt", "x", "--at", "x=0.6,y=0,z=0.8")
    assert code == 0
    assert "F(x, y, z(x)) = 0, holding y fixed" in out
    assert "∂F/∂z = 1.6" in out and "∂z/∂x = -x/z" in out
    code, out, _ = run(capsys, "explain", SPHERE, "--of", "z", "--wrt", "x", "--at", "x=0.6,y=0,z=0.8", "--latex")
    assert code == 0
    assert r"F(x, y, z) &=" in out and r"\frac{\partial z}{\partial x}" in out
    code, out, _ = run(capsys, "explain", "x^2 + y^2 = 1", "--at", "x=0.6,y=0.8", "--latex")
    assert r"F(x, y) &=" in out and r"\frac{dy}{dx}" in out  # two variables: an ordinary derivative


def test_second_order_json_unsimplified_expression_is_the_second_derivative(capsys):
    obj = explain_json(capsys, "y = sin(u); u = x^2", "--at", "x=0.7", "--order", "2", "--no-simplify")
    second = obj["derivative_expr_unsimplified"]
    assert "sin" in second and second == obj["derivative_expr"]
    assert obj["first_derivative_expr"] == "2*x*cos(x**2)"
    # The paths are the first derivative's, and their products sum to it.
    assert math.isclose(sum(p["product"] for p in obj["paths"]), obj["first_derivative"])


def test_second_order_text_does_not_list_other_inputs_as_moving(capsys):
    code, out, _ = run(capsys, "explain", "f = x^2*y^3", "--wrt", "x,y", "--at", "x=1,y=2", "--order", "2")
    assert code == 0 and "where dy/dx" not in out


def test_a_finite_difference_across_a_singularity_says_why(capsys):
    """sqrt(x²) at x = 1e-6: the default step straddles 0; the check says so instead of "disagree"."""
    obj = explain_json(capsys, "y = sqrt(u); u = x^2", "--at", "x=1e-6")
    assert obj["agreement"]["finite_difference"] is None and obj["agree"] is True
    assert any(n.startswith("sqrt(u) is not smooth within ±") for n in obj["notes"])
    code, out, _ = run(capsys, "explain", "y = sqrt(u); u = x^2", "--at", "x=1e-6")
    assert code == 0 and "note: sqrt(u) is not smooth" in out and "DISAGREE" not in out
    code, out, _ = run(capsys, "explain", "y = sqrt(u); u = x^2", "--at", "x=1e-6", "--latex")
    assert code == 0 and "\n% note: sqrt(u) is not smooth" in out  # a comment: kept, never typeset


def test_the_input_is_chosen_as_the_window_chooses_it_when_unambiguous(capsys):
    """A loss's target is set aside: w is the one input left; with two left the user picks."""
    obj = explain_json(capsys, "L = (yhat - y)^2; yhat = 2*w", "--at", "y=1,w=2")
    assert obj["wrt"] == "w" and math.isclose(obj["derivative"], 2 * (4 - 1) * 2)
    code, _, err = run(capsys, "explain", "L = (yhat - y)^2; yhat = w*x", "--at", "y=1,w=2,x=1")
    assert code == 2 and "choose one with --wrt: w, x, y" in err
    # An equation in x and y reads as y(x), whichever is typed first.
    assert explain_json(capsys, "y^2 + x^2 = 1", "--at", "x=0.6,y=0.8")["wrt"] == "x"
