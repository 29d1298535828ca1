"""Messages say what is true in the person's terms (issue: "messages that mislead").

Each case was a message that named the wrong cause or the wrong number: the CLI and the core
are driven as a person uses them, and the sentence is read back.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from chainrule_gui.__main__ import main
from chainrule_gui.core.errors import ModelError, ParseError
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program
from chainrule_gui.core.nn.csv_import import load_csv
from chainrule_gui.core.output.export_numpy import gradient_module


def explain_error(capsys, *argv) -> str:
    code = main(["explain", *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    return err.strip()


def test_nesting_is_counted_in_what_was_typed():
    text = "y = " + "sin(" * 34 + "x" + ")" * 34
    with pytest.raises(ParseError) as caught:
        parse_program(text)
    message = caught.value.message
    assert "parentheses and function calls deep" in message and "100" not in message
    assert "split it into definitions" in message


def test_a_base_near_one_is_not_printed_as_one(capsys):
    err = explain_error(capsys, "y = x^(1e300)", "--at", "x=1.0000001")
    assert "1.0000001^1e+300 is too large" in err and " 1^1e+300" not in err


def test_a_negative_base_is_printed_in_parentheses(capsys):
    err = explain_error(capsys, "y = (-8)^(1/3) + x", "--at", "x=1")
    assert "(-8)^0.333333" in err and " -8^0.333333" not in err and "(-8^" not in err


def test_a_cyrillic_letter_is_named_as_such(capsys):
    err = explain_error(capsys, "y = х + 1", "--at", "x=1")  # the х is Cyrillic
    assert "Cyrillic letter ha" in err and "not the Latin x" in err
    err = explain_error(capsys, "y = х + 1")
    assert "missing: х" in err and "Cyrillic letter ha" in err


def test_a_numpy_export_of_names_python_reads_as_one_runs(tmp_path):
    """ｘ and x (and ﬁ and fi) are two names here and one name to Python (NFKC)."""
    graph = build_chain_graph(parse_program("y = ｘ*x + ﬁ*fi"))
    point = {"ｘ": 1.0, "x": 2.0, "ﬁ": 3.0, "fi": 4.0}
    script = tmp_path / "gradient.py"
    script.write_text(gradient_module(graph, "y", point), encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "y = 14.0"  # 1*2 + 3*4
    grads = sorted(float(line.split("=")[1].split()[0]) for line in lines[1:])
    assert grads == [1.0, 2.0, 3.0, 4.0]  # ∂y/∂ｘ = x, ∂y/∂x = ｘ, ∂y/∂ﬁ = fi, ∂y/∂fi = ﬁ


def test_huge_csv_inputs_are_standardised_not_overflowed():
    text = "a,b,label\n1e308,2,0\n-1e308,4,1\n5e307,6,0\n7,8,1\n"
    data = load_csv(text=text)
    assert np.all(np.isfinite(data.X))
    np.testing.assert_allclose(data.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X.std(axis=0), 1)


def test_a_huge_regression_target_is_refused_with_its_column():
    with pytest.raises(ModelError, match="target column 'y' holds values up to 1e\\+200"):
        load_csv(text="a,y\n1,1e200\n2,2.5\n3,0.5\n4,1.5\n")


def test_training_on_huge_csv_inputs_uses_every_column(capsys, tmp_path):
    """Standardising 1e308 overflowed: a column became all zeros (or NaN, and the divergence
    guard then blamed the learning rate)."""
    import json
    import warnings

    path = tmp_path / "huge.csv"
    path.write_text("a,b,label\n1e308,2,0\n-1e308,4,1\n5e307,6,0\n7,8,1\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # an overflow anywhere fails the test
        code = main(["train", "--csv", str(path), "--epochs", "20", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert np.isfinite(json.loads(out)["final_loss"])
