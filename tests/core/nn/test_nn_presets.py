"""The presets reproduce the seed documents' numbers.

Expected values come from a re-implementation of each seed's code in this file, written
as the documents write it — not from our core and not pasted.
"""

import numpy as np
import pytest

from chainrule_gui.core.nn.presets import PRESETS, get_preset
from chainrule_gui.core.nn.training import Trainer


def seed_2_2_1_reference():
    """The first seed's code, line by line (000_*.txt)."""
    np.random.seed(42)
    X = np.array([[1.0, 2.0]])
    y = np.array([[10.0]])
    W1 = np.random.randn(2, 2)
    b1 = np.random.randn(1, 2)
    W2 = np.random.randn(2, 1)
    b2 = np.random.randn(1, 1)
    z1 = X.dot(W1) + b1
    a1 = np.maximum(0, z1)
    z2 = a1.dot(W2) + b2
    loss = 0.5 * np.mean((z2 - y) ** 2)
    m = X.shape[0]
    dL_dz2 = z2 - y
    dL_dW2 = a1.T.dot(dL_dz2) / m
    dL_db2 = np.sum(dL_dz2, axis=0, keepdims=True) / m
    da1_dz1 = (z1 > 0).astype(float)
    dL_da1 = dL_dz2.dot(W2.T)
    dL_dz1 = dL_da1 * da1_dz1
    dL_dW1 = X.T.dot(dL_dz1) / m
    dL_db1 = np.sum(dL_dz1, axis=0, keepdims=True) / m
    return dict(W1=W1, b1=b1, W2=W2, b2=b2, z1=z1, a1=a1, z2=z2, loss=loss, dW1=dL_dW1, db1=dL_db1,
                dW2=dL_dW2, db2=dL_db2, dz1=dL_dz1, dz2=dL_dz2)


def sigmoid_chain_reference():
    """The second seed's toy backprop (001_*.txt)."""
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def sigmoid_prime(z):
        s = sigmoid(z)
        return s * (1 - s)

    x = np.array([1.0])
    W1 = np.array([[0.5]])
    b1 = np.array([0.1])
    z1 = W1 @ x + b1
    a1 = sigmoid(z1)
    W2 = np.array([[1.5]])
    b2 = np.array([0.2])
    z2 = W2 @ a1 + b2
    y_hat = sigmoid(z2)
    y_true = np.array([0.8])
    loss = 0.5 * (y_hat - y_true) ** 2
    dL_dz2 = (y_hat - y_true) * sigmoid_prime(z2)
    dL_dW2 = dL_dz2 * a1.T
    dL_db2 = dL_dz2
    dL_dz1 = (W2.T @ dL_dz2) * sigmoid_prime(z1)
    dL_dW1 = dL_dz1 * x.T
    dL_db1 = dL_dz1
    return dict(loss=loss[0], y_hat=y_hat[0], dW1=dL_dW1, db1=dL_db1, dW2=dL_dW2, db2=dL_db2)


def test_seed_2_2_1_weights_loss_and_gradients():
    ref = seed_2_2_1_reference()
    net, data, config = get_preset("seed-2-2-1").build()
    layer1, layer2 = net.layers
    np.testing.assert_array_equal(layer1.W, ref["W1"])
    np.testing.assert_array_equal(layer1.b, ref["b1"][0])
    np.testing.assert_array_equal(layer2.W, ref["W2"])
    np.testing.assert_array_equal(layer2.b, ref["b2"][0])
    np.testing.assert_allclose(net.forward(data.X), ref["z2"], rtol=1e-15)
    snap = Trainer(net, data, config).step()
    assert snap.loss == pytest.approx(ref["loss"], rel=1e-14)
    first, second = snap.layers
    np.testing.assert_allclose(first.dW, ref["dW1"], rtol=1e-14)
    np.testing.assert_allclose(first.db, ref["db1"][0], rtol=1e-14)
    np.testing.assert_allclose(second.dW, ref["dW2"], rtol=1e-14)
    np.testing.assert_allclose(second.db, ref["db2"][0], rtol=1e-14)
    np.testing.assert_allclose(first.delta, ref["dz1"], rtol=1e-14)
    np.testing.assert_allclose(second.delta, ref["dz2"], rtol=1e-14)
    np.testing.assert_allclose(first.z, ref["z1"], rtol=1e-15)
    np.testing.assert_allclose(first.a, ref["a1"], rtol=1e-15)
    # and the SGD step went downhill from the seed's weights by exactly η·∇
    np.testing.assert_allclose(first.W, ref["W1"] - config.lr * ref["dW1"], rtol=1e-14)


def test_seed_sigmoid_chain():
    ref = sigmoid_chain_reference()
    net, data, config = get_preset("seed-sigmoid-1-1-1").build()
    assert net.forward(data.X)[0, 0] == pytest.approx(ref["y_hat"], rel=1e-14)
    snap = Trainer(net, data, config).step()
    assert snap.loss == pytest.approx(ref["loss"], rel=1e-13)
    first, second = snap.layers
    assert first.dW[0, 0] == pytest.approx(ref["dW1"][0], rel=1e-13)
    assert first.db[0] == pytest.approx(ref["db1"][0], rel=1e-13)
    assert second.dW[0, 0] == pytest.approx(ref["dW2"][0], rel=1e-13)
    assert second.db[0] == pytest.approx(ref["db2"][0], rel=1e-13)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_and_trains_a_step(name):
    net, data, config = get_preset(name).build()
    snap = Trainer(net, data, config).step()
    assert np.isfinite(snap.loss)
    assert len(snap.layers) == len(net.layers)
