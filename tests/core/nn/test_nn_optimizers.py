"""Each optimizer's updates against values worked out by hand for one weight.

A 1-1 identity network with MSE on one example (x = 2, y = 0) has L = ½(2w + b)², so
∂L/∂w = 2(2w + b) and ∂L/∂b = 2w + b.  With w = 1, b = 0 the first gradient is g = 4.
"""

import math

import numpy as np
import pytest

from chainrule_gui.core.nn.datasets import single_example
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.spec import LayerSpec, NetworkSpec
from chainrule_gui.core.nn.training import TrainConfig, Trainer


def one_weight(optimizer, lr, **hyper):
    spec = NetworkSpec(1, (LayerSpec(1, "identity"),), loss="mse")
    net = Network(spec)
    net.set_weights([(np.array([[1.0]]), np.array([0.0]))])
    trainer = Trainer(net, single_example("x=2", [2.0], [0.0]), TrainConfig(optimizer, lr, 1, hyper=hyper))
    return trainer, net.layers[0]


def test_sgd():
    trainer, layer = one_weight("sgd", 0.1)
    trainer.step()  # g_w = 4, g_b = 2
    assert layer.W[0, 0] == pytest.approx(1 - 0.1 * 4)
    assert layer.b[0] == pytest.approx(0 - 0.1 * 2)
    trainer.step()  # now 2w + b = 2·0.6 − 0.2 = 1: g_w = 2
    assert layer.W[0, 0] == pytest.approx(0.6 - 0.1 * 2)


def test_momentum():
    trainer, layer = one_weight("momentum", 0.1, momentum=0.9)
    trainer.step()  # v = 4, w = 1 − 0.4 = 0.6;  b: v = 2, b = −0.2
    assert layer.W[0, 0] == pytest.approx(0.6)
    trainer.step()  # g_w = 2(1.2 − 0.2) = 2;  v = 0.9·4 + 2 = 5.6;  w = 0.6 − 0.56
    assert layer.W[0, 0] == pytest.approx(0.04)
    assert trainer.optimizer.state_at(0)["velocity b"] == pytest.approx(5.6)


def test_rmsprop():
    trainer, layer = one_weight("rmsprop", 0.01, rho=0.9, eps=1e-8)
    trainer.step()  # s = 0.1·16 = 1.6;  w = 1 − 0.01·4/(√1.6 + 1e-8)
    w1 = 1 - 0.01 * 4 / (math.sqrt(1.6) + 1e-8)
    assert layer.W[0, 0] == pytest.approx(w1, rel=1e-14)
    b1 = 0 - 0.01 * 2 / (math.sqrt(0.4) + 1e-8)
    g = 2 * (2 * w1 + b1)
    s = 0.9 * 1.6 + 0.1 * g * g
    trainer.step()
    assert layer.W[0, 0] == pytest.approx(w1 - 0.01 * g / (math.sqrt(s) + 1e-8), rel=1e-14)
    assert trainer.optimizer.state_at(0)["mean square s"] == pytest.approx(s, rel=1e-14)


def test_adam():
    trainer, layer = one_weight("adam", 0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    trainer.step()
    # t = 1: m = 0.4, v = 0.016, m̂ = 4, v̂ = 16: the first step is η·sign(g) (up to ε)
    assert layer.W[0, 0] == pytest.approx(1 - 0.1 * 4 / (4 + 1e-8), rel=1e-14)
    w1, b1 = layer.W[0, 0], layer.b[0]
    g = 2 * (2 * w1 + b1)
    m = 0.9 * 0.4 + 0.1 * g
    v = 0.999 * 0.016 + 0.001 * g * g
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    trainer.step()
    assert layer.W[0, 0] == pytest.approx(w1 - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8), rel=1e-12)
    state = trainer.optimizer.state_at(0)
    assert state["m̂"] == pytest.approx(m_hat, rel=1e-12)
    assert state["v̂"] == pytest.approx(v_hat, rel=1e-12)


def test_hyperparameters_change_between_steps():
    trainer, layer = one_weight("momentum", 0.1, momentum=0.9)
    trainer.step()
    trainer.set_optimizer_settings(momentum=0.0)
    trainer.set_learning_rate(0.5)
    trainer.step()  # plain SGD now: v = 0·4 + 2 = 2, w = 0.6 − 0.5·2
    assert layer.W[0, 0] == pytest.approx(-0.4)
