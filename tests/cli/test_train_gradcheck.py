"""``chainrule-gui train`` and ``gradcheck``: JSON shapes, progress bar, one-line errors."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from chainrule_gui.__main__ import main
from chainrule_gui.core.nn.model_file import load_model


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


ISSUE_EXAMPLE = ["train", "--dataset", "xor", "--samples", "200", "--layers", "2,8,8,1", "--activation",
                 "tanh", "--loss", "bce", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "32",
                 "--epochs", "60", "--seed", "0", "--json"]


def test_train_json_has_the_promised_fields(capsys):
    code, out, err = run(capsys, *ISSUE_EXAMPLE)
    assert code == 0, err
    obj = json.loads(out)
    assert obj["final_loss"] < 0.1
    assert obj["train_accuracy"] >= 0.95 and 0 <= obj["validation_accuracy"] <= 1
    assert len(obj["history"]) == 60
    assert [h["epoch"] for h in obj["history"]] == list(range(1, 61))
    assert all(len(h["grad_norms"]) == 3 for h in obj["history"])
    assert obj["history"][-1]["loss"] < obj["history"][0]["loss"]
    assert err == ""  # not a terminal: no progress bar


def test_train_is_reproducible_from_the_seed(capsys):
    first = json.loads(run(capsys, *ISSUE_EXAMPLE)[1])
    second = json.loads(run(capsys, *ISSUE_EXAMPLE)[1])
    assert first["history"] == second["history"]


def test_progress_bar_only_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(capsys, "train", "--dataset", "moons", "--epochs", "5", "--samples", "40")
    assert code == 0
    assert "\repoch 5/5 [" in err and "loss" in err
    assert "train accuracy" in out


def test_train_regression_has_no_accuracy_and_frozen_layers_report_null(capsys):
    code, out, err = run(capsys, "train", "--dataset", "sine", "--samples", "50", "--layers", "1,6,1",
                         "--freeze", "1", "--epochs", "3", "--json")
    assert code == 0, err
    obj = json.loads(out)
    assert "train_accuracy" not in obj
    assert obj["history"][0]["grad_norms"][0] is None and obj["history"][0]["grad_norms"][1] > 0


def test_train_saves_and_exports(capsys, tmp_path):
    model, script = tmp_path / "m.npz", tmp_path / "m.py"
    code, out, err = run(capsys, "train", "--preset", "xor-tanh", "--epochs", "2", "--save", str(model),
                         "--export-script", str(script))
    assert code == 0, err
    net, meta = load_model(model)
    assert net.spec.sizes == (2, 4, 1) and meta["training"]["optimizer"] == "adam"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 3


def test_divergence_is_one_error_line_and_exit_1(capsys):
    code, out, err = run(capsys, "train", "--dataset", "sine", "--optimizer", "sgd", "--lr", "8",
                         "--epochs", "50", "--json")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: Training stopped at step")
    obj = json.loads(out)
    assert obj["diverged"]["step"] > 0 and obj["final_loss"] is not None


def test_a_finite_loss_that_explodes_ends_the_run_as_exploding(capsys):
    """SGD on XOR at η = 50 stays finite while its loss climbs 0.7 → 35 → 137: not 200k steps on."""
    code, out, err = run(capsys, "train", "--preset", "xor-tanh", "--optimizer", "sgd", "--lr", "50",
                         "--epochs", "500", "--json")
    assert code == 1 and "exploding" in err and "Lower the learning rate" in err
    obj = json.loads(out)
    assert obj["diverged"]["kind"] == "exploding" and obj["diverged"]["step"] < 50
    assert obj["final_loss"] < 1.0  # the last good weights, not the climb


@pytest.mark.parametrize("argv", [
    ["train", "--dataset", "mnist"],
    ["train", "--dataset", "xor", "--layers", "3,8,1"],
    ["train", "--dataset", "xor", "--layers", "2,x,1"],
    ["train", "--dataset", "xor", "--activation", "swish"],
    ["train", "--dataset", "xor", "--loss", "hinge"],
    ["train", "--dataset", "xor", "--lr", "-1"],
    ["train", "--dataset", "xor", "--batch-size", "0"],
    ["train", "--dataset", "xor", "--epochs", "0"],
    ["train", "--dataset", "xor", "--optimizer", "lbfgs"],
    ["train", "--dataset", "xor", "--freeze", "7"],
    ["train", "--csv", "/nonexistent/data.csv"],
    ["train", "--preset", "seed-2-2-1", "--layers", "2,2,1"],
    ["train", "--preset", "nope"],
    ["train", "--layers", "2,8,1"],
    ["train", "--dataset", "xor", "--epochs", "many"],
    ["gradcheck"],
    ["gradcheck", "--layers", "2,4,1", "--loss", "softmax_ce"],
    ["gradcheck", "--layers", "2,4,3", "--activation", "softmax"],
    ["gradcheck", "--preset", "seed-2-2-1", "--batch-size", "0"],
])
def test_bad_options_print_one_error_line_and_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as raised:
        code = main(argv)
        raise SystemExit(code)
    out, err = capsys.readouterr()
    assert raised.value.code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_csv_errors_reach_the_command_line(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n")
    code, out, err = run(capsys, "train", "--csv", str(bad))
    assert code == 2 and err == "error: row 3, column 'b': 'x' is not a number\n"


def test_gradcheck_preset_json(capsys):
    code, out, err = run(capsys, "gradcheck", "--preset", "seed-2-2-1", "--json")
    assert code == 0, err
    obj = json.loads(out)
    assert obj["loss"] == pytest.approx(17.744715269032028, rel=1e-12)  # the seed's printed loss
    first = obj["layers"][0]
    assert np.array(first["dW"]).shape == (2, 2) and np.array(first["numeric_dW"]).shape == (2, 2)
    assert len(first["db"]) == 2
    assert all(layer["max_rel_error"] < 1e-6 for layer in obj["layers"])
    np.testing.assert_allclose(first["dW"], first["numeric_dW"], rtol=1e-8)


def test_gradcheck_random_batch_text(capsys):
    code, out, err = run(capsys, "gradcheck", "--layers", "3,5,4", "--activation", "sigmoid",
                         "--loss", "softmax_ce", "--seed", "2")
    assert code == 0, err
    assert "layer 1 (3→5, sigmoid)" in out and "all layers agree" in out


def test_console_script_entry_point():
    done = subprocess.run([sys.executable, "-m", "chainrule_gui", "gradcheck", "--preset",
                           "seed-sigmoid-1-1-1", "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sigmoid = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    y_hat = sigmoid(1.5 * sigmoid(0.5 * 1 + 0.1) + 0.2)
    assert json.loads(done.stdout)["loss"] == pytest.approx(0.5 * (y_hat - 0.8) ** 2, rel=1e-12)
