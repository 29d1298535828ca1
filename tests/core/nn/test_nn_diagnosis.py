"""The vanishing/exploding diagnosis reads real training records."""

import numpy as np

from chainrule_gui.core.nn.datasets import generate
from chainrule_gui.core.nn.diagnosis import diagnose
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.presets import get_preset
from chainrule_gui.core.nn.snapshot import LayerRecord
from chainrule_gui.core.nn.spec import spec_from_sizes
from chainrule_gui.core.nn.training import TrainConfig, Trainer


def test_deep_sigmoid_net_is_diagnosed_as_vanishing():
    net, data, config = get_preset("vanishing-sigmoid").build()
    snap = Trainer(net, data, config).step()
    kinds = {d.kind: d for d in diagnose(snap.layers, config.lr)}
    assert "vanishing" in kinds
    assert "ReLU" in kinds["vanishing"].advice and "He" in kinds["vanishing"].advice
    norms = snap.grad_norms
    assert norms[0] < 1e-2 * norms[-1]


def test_a_healthy_relu_net_has_no_vanishing_message():
    data = generate("circles", samples=200, noise=0.05, seed=0)
    net = Network.initialized(spec_from_sizes((2, 16, 16, 1), "relu", "bce", seed=0))
    trainer = Trainer(net, data, TrainConfig("adam", 0.01, 32))
    *_, snap = trainer.steps(5)
    kinds = {d.kind for d in diagnose(snap.layers)}
    assert not kinds & {"vanishing", "exploding"}


def record(index, grad_norm, update_ratio=1e-3, activation="tanh"):
    a = np.ones((4, 3))
    return LayerRecord(index, activation, False, a, a, a, a, a[0], a, a[0], None, grad_norm, 0.0, 1.0,
                       update_ratio, update_ratio)


def test_exploding_is_named_from_the_norms():
    found = {d.kind: d for d in diagnose((record(0, 50.0), record(1, 2.0), record(2, 0.1)))}
    assert "exploding" in found and "10⁺³" in found["exploding"].message
    assert "Lower the learning rate" in found["exploding"].advice


def test_large_steps_are_flagged():
    net = Network.initialized(spec_from_sizes((1, 8, 1), "tanh", "mse", seed=1))
    snap = Trainer(net, generate("sine", 50), TrainConfig("sgd", 20.0, 50)).step()
    found = {d.kind: d for d in diagnose(snap.layers, 20.0)}
    assert "oversized" in found and "(now 20)" in found["oversized"].advice


def test_tiny_learning_rate_is_diagnosed_as_stalled():
    data = generate("moons", samples=100, seed=0)
    net = Network.initialized(spec_from_sizes((2, 8, 1), "tanh", "bce", seed=0))
    snap = Trainer(net, data, TrainConfig("sgd", 1e-9, 32)).step()
    found = {d.kind: d for d in diagnose(snap.layers)}
    assert "stalled" in found and "Raise the learning rate" in found["stalled"].advice
    assert np.isfinite(snap.loss)
    assert "stalled" not in {d.kind for d in diagnose(snap.layers, loss=1e-5)}  # converged, not stuck
