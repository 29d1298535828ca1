"""Model files, the exported NumPy script, the training log and the smoothing."""

import json
import subprocess
import sys

import numpy as np
import pytest

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.export import numpy_script
from chainrule_gui.core.nn.history import TrainingLog, debiased_ema
from chainrule_gui.core.nn.model_file import load_model, save_model
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.spec import spec_from_sizes


def small_net(**kw):
    return Network.initialized(spec_from_sizes((2, 5, 3), "relu", "softmax_ce", seed=7, **kw))


def test_model_round_trip_keeps_architecture_weights_and_frozen_flags(tmp_path):
    net = small_net()
    net.set_frozen(0, True)
    path = tmp_path / "model.npz"
    save_model(path, net, training={"optimizer": "adam", "lr": 0.01}, step=12)
    again, meta = load_model(path)
    assert again.spec.sizes == (2, 5, 3)
    assert [layer.activation.name for layer in again.layers] == ["relu", "softmax"]
    assert again.layers[0].frozen and not again.layers[1].frozen
    np.testing.assert_array_equal(again.params, net.params)
    assert meta["version"] == 1 and meta["step"] == 12 and meta["training"]["lr"] == 0.01
    assert not list(tmp_path.glob("*.tmp"))


def _write(path, meta, params):
    np.savez(path, params=params, meta=np.array(json.dumps(meta) if isinstance(meta, dict) else meta))


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda m, p: (dict(m, version=99), p), "newer Chain Rule Explorer"),
    (lambda m, p: (dict(m, format="other"), p), "not a Chain Rule Explorer model"),
    (lambda m, p: (m, p[:-1]), "needs 33 parameters, the file has 32"),
    (lambda m, p: (m, np.where(np.arange(p.size) == 0, np.nan, p)), "not finite"),
    (lambda m, p: ("{not json", p), "not valid JSON"),
    (lambda m, p: (dict(m, spec=dict(m["spec"], loss="hinge")), p), "spec.loss: 'hinge' is not one of"),
    (lambda m, p: (dict(m, spec=dict(m["spec"], extra=1)), p), "spec: unknown key"),
    (lambda m, p: (dict(m, spec=dict(m["spec"], input_size="2")), p), "spec.input_size: '2' is not of type"),
])
def test_bad_model_files_are_refused_with_a_reason(tmp_path, mutate, message):
    net = small_net()
    path = tmp_path / "model.npz"
    save_model(path, net)
    with np.load(path) as archive:
        meta, params = json.loads(str(archive["meta"])), archive["params"]
    meta, params = mutate(meta, params)
    bad = tmp_path / "bad.npz"
    _write(bad, meta, params)
    with pytest.raises(ModelError, match=message):
        load_model(bad)


def test_not_a_model_at_all(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_text("hello")
    with pytest.raises(ModelError, match="not a readable model file"):
        load_model(junk)
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "nothing.npz")
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, params=np.zeros(3), meta=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ModelError):
        load_model(pickled)


def test_exported_script_reproduces_the_outputs(tmp_path):
    net = small_net()
    example = np.array([[0.3, -1.2], [2.0, 0.5]])
    script = tmp_path / "net.py"
    script.write_text(numpy_script(net, example))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    np.testing.assert_allclose(np.array(json.loads(done.stdout)), net.forward(example), rtol=1e-15)


def test_training_log_csv_has_every_step_and_sampled_columns():
    log = TrainingLog(layer_count=2)
    log.add_losses([1, 2, 3], [0.5, 0.4, 0.3])
    log.add_row({"step": 2, "epoch": 0, "train_loss": 0.35, "validation_loss": 0.45, "grad_norm_1": 0.1,
                 "grad_norm_2": 0.2})
    lines = log.to_csv().splitlines()
    assert lines[0].startswith("step,epoch,loss,train_loss,validation_loss,train_accuracy,validation_accuracy,"
                               "grad_norm_1")
    assert len(lines) == 4
    assert lines[2].split(",")[:5] == ["2", "0", "0.4", "0.35", "0.45"]
    assert lines[1].split(",")[3] == ""
    np.testing.assert_array_equal(log.train.x, [2])  # the loss plot's dot
    np.testing.assert_array_equal(log.train.y, [0.35])


def test_debiased_ema_matches_the_definition_and_starts_at_the_first_value():
    rng = np.random.default_rng(0)
    y = rng.random(3000) + 1
    for w in (0.5, 0.9, 0.999):
        m, expected = 0.0, []
        for t, v in enumerate(y, start=1):
            m = w * m + (1 - w) * v
            expected.append(m / (1 - w ** t))
        np.testing.assert_allclose(debiased_ema(y, w), expected, rtol=1e-12)
    assert debiased_ema(y, 0.99)[0] == pytest.approx(y[0])  # debiased: no climb from 0
    with_nan = y.copy()
    with_nan[5] = np.nan
    smoothed = debiased_ema(with_nan, 0.9)
    assert np.isnan(smoothed[5]) and np.isfinite(smoothed[6])


def test_peak_series_keeps_spikes_and_stays_small():
    from chainrule_gui.core.nn.history import PeakSeries

    series = PeakSeries(limit=64)
    y = np.random.default_rng(0).random(10_000)
    y[5000] = 50.0
    y[100:200] = np.nan  # a gap (frozen layer, log of zero) stays a gap, silently
    for start in range(0, 10_000, 137):
        series.extend(np.arange(start, min(start + 137, 10_000)) + 1, y[start:start + 137])
    x, shown = series.xy()
    assert len(x) <= 2 * 64 + 2 * series.block
    assert np.nanmax(shown) == 50.0 and np.nanmin(shown) == np.nanmin(y)
    assert x[0] == 1 and x[-1] <= 10_000


def test_the_smoothing_survives_losses_at_the_top_of_the_float_range():
    """A run about to diverge logs losses near 1e308: the smoothed curve stays finite (and
    exact), instead of turning inf for the rest of the run."""
    values = np.concatenate([np.full(50, 1.0), np.full(5, 1e306), np.full(8000, 1.0)])
    with np.errstate(over="raise", invalid="raise"):
        smoothed = debiased_ema(values, 0.9)
    ema, m = [], 0.0
    for i, v in enumerate(values):
        m = 0.9 * m + 0.1 * v
        ema.append(m / (1 - 0.9 ** (i + 1)))
    assert np.all(np.isfinite(smoothed))
    np.testing.assert_allclose(smoothed, ema, rtol=1e-9)
    assert smoothed[-1] == pytest.approx(1.0)  # the spike has decayed away
