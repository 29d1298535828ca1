"""Backprop against central differences for every activation × loss (float64)."""

import numpy as np
import pytest

from chainrule_gui.core.nn.gradcheck import TOLERANCE, gradient_check
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.presets import get_preset
from chainrule_gui.core.nn.spec import LayerSpec, NetworkSpec, spec_from_sizes

HIDDEN = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"]
OUTPUTS = {"mse": ["identity", "sigmoid", "tanh", "relu", "softmax"],
           "bce": ["identity", "sigmoid"],
           "softmax_ce": ["softmax", "identity"]}
CASES = [(hidden, loss, out) for hidden in HIDDEN for loss, outs in OUTPUTS.items() for out in outs]


def batch_for(loss, rng, n, k):
    if loss == "mse":
        return rng.normal(size=(n, k))
    if loss == "bce":
        return (rng.random((n, k)) > 0.5).astype(float)
    return np.eye(k)[rng.integers(0, k, n)]


@pytest.mark.parametrize(("hidden", "loss", "output"), CASES)
def test_backprop_matches_central_differences(hidden, loss, output):
    rng = np.random.default_rng(len(hidden) * 7 + len(loss))
    spec = spec_from_sizes((3, 5, 4, 3), hidden, loss, output_activation=output, seed=11)
    net = Network.initialized(spec)
    X = rng.normal(size=(6, 3))
    check = gradient_check(net, X, batch_for(loss, rng, 6, 3), l2=0.01)
    for layer in check.layers:
        assert layer.max_rel_error < TOLERANCE, (layer.index, layer.max_rel_error)
        # the comparison is not vacuous: gradients are there and sizeable
        assert np.abs(layer.dW).max() > 1e-6
        clean = ~layer.kink_mask[:-1]  # entries whose nudge crossed a ReLU kink are flagged
        assert clean.mean() > 0.9
        np.testing.assert_allclose(layer.dW[clean], layer.numeric_dW[clean], rtol=1e-5, atol=1e-9)
    assert check.passed


def test_a_deliberately_wrong_gradient_is_caught(monkeypatch):
    from chainrule_gui.core.nn import activations

    spec = spec_from_sizes((2, 4, 1), "tanh", "mse", seed=1)
    net = Network.initialized(spec)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))

    def wrong(self, g, z, a, scratch, mask):  # forgets the square in 1 − tanh²
        np.subtract(1.0, a, out=scratch)
        np.multiply(g, scratch, out=g)

    monkeypatch.setattr(activations.Tanh, "scale_by_derivative", wrong)
    check = gradient_check(net, X, Y)
    assert not check.layers[0].passed
    assert check.layers[0].max_rel_error > 1e-2
    assert check.layers[1].passed  # the output layer's gradient does not go through tanh′


def test_relu_kinks_are_flagged_not_hidden():
    # b1 = 0 and an input of zeros put every hidden pre-activation exactly on the kink.
    spec = NetworkSpec(2, (LayerSpec(3, "relu"), LayerSpec(1, "identity")), loss="mse", seed=0)
    net = Network.initialized(spec)
    X = np.zeros((1, 2))
    check = gradient_check(net, X, np.ones((1, 1)))
    assert check.kinks > 0
    assert check.layers[0].kinks > 0
    assert check.layers[0].kink_mask[-1].all()  # each bias b1_j nudges z_j across 0


def test_seed_preset_checks_clean():
    net, data, _ = get_preset("seed-2-2-1").build()
    check = gradient_check(net, data.X, data.values)
    assert check.passed
    assert check.kinks == 0
    assert check.to_json()["layers"][0]["dW"] == check.layers[0].dW.tolist()


def test_check_batch_is_the_first_training_rows_and_progress_can_stop_a_check():
    from chainrule_gui.core.nn.gradcheck import DEFAULT_ROWS, GradCheckCancelled, check_batch, gradient_check
    from chainrule_gui.core.nn.presets import get_preset

    network, data, _ = get_preset("xor-tanh").build()
    X, Y = check_batch(network, data)
    np.testing.assert_array_equal(X, data.X[data.train[:DEFAULT_ROWS]])
    assert Y.shape == (DEFAULT_ROWS, 1)
    seen = []
    result = gradient_check(network, X, Y, progress=lambda done, total: seen.append((done, total)) or True)
    assert seen[0] == (0, network.params.size) and seen[-1] == (network.params.size, network.params.size)
    assert result.passed
    with pytest.raises(GradCheckCancelled):
        gradient_check(network, X, Y, progress=lambda done, total: False)
