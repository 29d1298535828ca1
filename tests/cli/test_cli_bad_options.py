"""Any option value a person can type ends in one ``error:`` line and exit 2, never a traceback.

The named cases are the ones that raised before (str.isdigit() accepts '²', NumPy refused a
negative seed, islice refused a huge --max-paths, an empty --save saved nothing); the
Hypothesis test puts odd values into every numeric and list option of each command.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule_gui.__main__ import main


def run(capsys, argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's way out (our parser prints one error line first)
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "good.csv"
    path.write_text("a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n0,1,1\n", encoding="utf-8")
    return path


CASES = {
    "max-paths beyond any integer": ["explain", "y = x^2", "--at", "x=1", "--max-paths", "99999999999999999999"],
    "negative seed": ["train", "--layers", "2,8,1", "--dataset", "xor", "--seed", "-1", "--epochs", "1"],
    "superscript target": ["train", "--csv", "{csv}", "--target", "²", "--epochs", "1"],
    "superscript freeze": ["train", "--preset", "xor-tanh", "--freeze", "²", "--epochs", "1"],
    "superscript layer size": ["train", "--layers", "2,²,1", "--dataset", "xor", "--epochs", "1"],
    "empty --save": ["train", "--preset", "xor-tanh", "--save", "", "--epochs", "1"],
    "empty --export-script": ["train", "--preset", "xor-tanh", "--export-script", " ", "--epochs", "1"],
    "a preset with a seed it would ignore": ["train", "--preset", "xor-tanh", "--seed", "3", "--epochs", "1"],
    "gradcheck with a negative seed": ["gradcheck", "--layers", "2,4,1", "--seed", "-7"],
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_value_is_one_error_line(capsys, csv_file, name):
    argv = [a.replace("{csv}", str(csv_file)) for a in CASES[name]]
    code, out, err = run(capsys, argv)
    assert code == 2, (name, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err


ODD = ["-1", "0", "²", "٣", "1e400", "nan", "inf", "-inf", "", " ", "99999999999999999999", "1.5", "-0",
       "0x10", "1,²", ",", "1,,2", "x", "\u200b1"]
COMMANDS = {
    "explain": (["explain", "y = sin(u); u = x^2", "--at", "x=0.5"], ["--max-paths", "--at", "--of", "--wrt",
                                                                      "--order", "--cut"]),
    "train": (["train", "--dataset", "xor", "--layers", "2,4,1", "--epochs", "1", "--samples", "20"],
              ["--seed", "--samples", "--noise", "--classes", "--validation", "--lr", "--momentum", "--rho",
               "--beta1", "--beta2", "--eps", "--batch-size", "--l2", "--freeze", "--init-scale", "--layers"]),
    "gradcheck": (["gradcheck", "--dataset", "xor", "--layers", "2,3,1", "--samples", "8"],
                  ["--seed", "--layers", "--freeze", "--samples", "--noise", "--l2", "--init-scale"]),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(sorted(COMMANDS)), data=st.data())
def test_odd_values_in_any_option_never_raise(capsys, command, data):
    base, options = COMMANDS[command]
    option = data.draw(st.sampled_from(options))
    value = data.draw(st.sampled_from(ODD))
    code, out, err = run(capsys, base + [option, value])
    assert code in (0, 1, 2), (option, value, code)
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (option, value, err)
