"""Generated data sets and CSV import, including every error a file can cause."""

import numpy as np
import pytest

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.csv_import import load_csv
from chainrule_gui.core.nn.datasets import GENERATED, generate


@pytest.mark.parametrize("name", GENERATED)
def test_generated_sets_are_seeded_and_split(name):
    a = generate(name, samples=101, noise=0.1, validation_fraction=0.3, seed=5)
    b = generate(name, samples=101, noise=0.1, validation_fraction=0.3, seed=5)
    c = generate(name, samples=101, noise=0.1, validation_fraction=0.3, seed=6)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    assert len(a.X) == 101 and len(a.validation) == 30 and len(a.train) == 71
    assert not set(a.train) & set(a.validation)
    assert np.all(np.isfinite(a.X))


def test_blobs_take_several_classes_and_encode_one_hot():
    data = generate("blobs", samples=90, classes=4, seed=0)
    assert data.n_classes == 4 and set(data.labels) == {0, 1, 2, 3}
    Y = data.targets("softmax_ce", 4)
    assert Y.shape == (90, 4) and np.all(Y.sum(axis=1) == 1)


def test_xor_labels_follow_the_quadrants_without_noise():
    data = generate("xor", samples=200, noise=0.0)
    assert np.all(data.labels == (data.X[:, 0] * data.X[:, 1] > 0))


def test_noise_moves_points():
    calm = generate("circles", samples=50, noise=0.0, seed=1)
    noisy = generate("circles", samples=50, noise=0.3, seed=1)
    assert np.abs(calm.X - noisy.X).mean() > 0.1


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(name="mnist"), "unknown data set"), (dict(name="xor", samples=2), "samples"),
    (dict(name="xor", noise=-1), "noise"), (dict(name="xor", validation_fraction=1.0), "validation"),
    (dict(name="spiral", classes=1), "classes"),
])
def test_bad_generator_arguments(kwargs, message):
    with pytest.raises(ModelError, match=message):
        generate(**kwargs)


def test_csv_with_header_and_named_target(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("a,label,b\n0,1,5\n1,0,6\n2,1,7\n3,0,8\n")
    data = load_csv(path, target="label", validation_fraction=0.0, standardize=False)
    assert data.feature_names == ("a", "b")
    assert data.task == "classification" and data.n_classes == 2
    np.testing.assert_array_equal(data.X, [[0, 5], [1, 6], [2, 7], [3, 8]])
    np.testing.assert_array_equal(data.labels, [1, 0, 1, 0])


def test_csv_without_header_regression_and_standardized():
    data = load_csv(text="1;2.5\n2;3.7\n3;4.1\n4;9.25\n", validation_fraction=0.25)
    assert data.task == "regression"
    assert data.feature_names == ("column 1",)
    np.testing.assert_allclose(data.values[:, 0], [2.5, 3.7, 4.1, 9.25])
    assert abs(data.X.mean()) < 1e-12 and data.X.std() == pytest.approx(1.0)
    assert len(data.validation) == 1


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("x,y\n1,2\n3,abc\n", r"row 3, column 'y': 'abc' is not a number"),
    ("x,y\n1,2\n,4\n", r"row 3, column 'x' is empty or missing"),
    ("x,y\n1,2\n3,NA\n", r"row 3, column 'y' is empty or missing"),
    ("x,y\n1,2\n3,4,5\n", "row 3 has 3 value"),
    ("x,y\n1\n2,3\n", "row 2 has 1 value"),
    ("x\n1\n2\n", "at least one input column"),
    ("x,y\n1,2\n", "at least 2 are needed"),
    ("x,y\n1,inf\n2,3\n", "not a finite number"),
])
def test_csv_errors_name_the_cell(text, message):
    with pytest.raises(ModelError, match=message):
        load_csv(text=text)


def test_csv_target_errors_and_file_errors(tmp_path):
    text = "a,b\n1,0\n2,1\n3,0\n"
    with pytest.raises(ModelError, match="no column named 'c'; the columns are: a, b"):
        load_csv(text=text, target="c")
    with pytest.raises(ModelError, match="no column 5"):
        load_csv(text=text, target=5)
    with pytest.raises(ModelError, match="only one value"):
        load_csv(text="a,b\n1,0\n2,0\n", task="classification")
    with pytest.raises(ModelError, match="cannot read missing.csv"):
        load_csv(tmp_path / "missing.csv")
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x82")
    with pytest.raises(ModelError, match="not a text file"):
        load_csv(binary)


def test_csv_is_never_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    text = f"x,y\n1,0\n__import__('pathlib').Path('{marker}').touch(),1\n"
    with pytest.raises(ModelError, match="is not a number"):
        load_csv(text=text)
    assert not marker.exists()
