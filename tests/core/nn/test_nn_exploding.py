"""A loss that explodes while every number stays finite (issue #11): SGD on XOR at η = 50
climbed 0.7 → 35 → 137 and trained on for 200k steps, and the diagnosis blamed vanishing
gradients.  It must pause with good weights, as for NaN, and say "lower the learning rate"."""

import math

import numpy as np

from chainrule_gui.core.nn.datasets import generate
from chainrule_gui.core.nn.diagnosis import diagnose
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.presets import get_preset
from chainrule_gui.core.nn.spec import spec_from_sizes
from chainrule_gui.core.nn.training import EXPLODING_FACTOR, TrainConfig, Trainer


def xor_at(lr, optimizer="sgd", batch_size=16):
    network, data, _ = get_preset("xor-tanh").build()
    return Trainer(network, data, TrainConfig(optimizer, lr, batch_size))


def test_a_finite_loss_that_explodes_stops_training_with_good_weights():
    trainer = xor_at(50.0)
    start = trainer.evaluate()["train_loss"]
    snaps = list(trainer.steps(2000))
    fault = snaps[-1].fault
    assert fault is not None and fault.kind == "exploding", "η = 50 must trip the guard"
    assert len(snaps) < 50  # within a few dozen steps, not 200k
    assert all(math.isfinite(s.loss) for s in snaps)  # nothing overflowed: the guard is not NaN's
    assert "exploding" in fault.message and "lower the learning rate" in fault.message.lower()
    # the weights went back to a checkpoint whose loss is that of the start, not the climb
    assert trainer.evaluate()["train_loss"] <= 3 * start
    assert np.all(np.isfinite(trainer.network.params))
    # lowered, the same weights train on without tripping it again
    trainer.clear_fault()
    trainer.set_learning_rate(0.5)
    assert all(s.fault is None for s in trainer.steps(500))


def test_healthy_and_noisy_training_is_not_called_exploding():
    cases = [xor_at(0.03, "adam"), xor_at(0.5, "sgd", batch_size=1)]
    for name in ("spiral-relu", "vanishing-sigmoid", "sine-regression", "seed-2-2-1", "seed-sigmoid-1-1-1"):
        network, data, config = get_preset(name).build()
        cases.append(Trainer(network, data, config))
    data = generate("circles", samples=300, noise=0.3, seed=0)  # noisy labels, one row a step
    cases.append(Trainer(Network.initialized(spec_from_sizes((2, 16, 1), "tanh", "bce", seed=0)), data,
                         TrainConfig("sgd", 0.1, 1)))
    for trainer in cases:
        for snapshot in trainer.steps(3000):
            assert snapshot.fault is None, (trainer.network.spec.name, snapshot.fault)


def test_raising_l2_is_not_mistaken_for_an_explosion():
    trainer = xor_at(0.03, "adam")
    list(trainer.steps(300))
    trainer.set_l2(9.0)  # the penalty is part of the loss: it jumps, by the user's choice
    assert all(s.fault is None for s in trainer.steps(200))


def test_the_diagnosis_of_a_rising_loss_is_exploding_not_vanishing():
    trainer = xor_at(50.0)
    seen = []
    for snapshot in trainer.steps(2000):
        if snapshot.fault is not None:
            break
        if snapshot.step >= 2:
            seen.append(diagnose(snapshot.layers, 50.0, snapshot.loss, trainer.smoothed_loss, trainer.loss_low))
    rising = [d for found in seen for d in found if d.kind == "exploding"]
    assert rising, "the climb is reported before the guard trips"
    assert "Lower the learning rate" in rising[-1].advice and "now 50" in rising[-1].advice
    last = {d.kind for d in seen[-1]}
    assert "exploding" in last and "vanishing" not in last
    assert trainer.exploding_threshold == EXPLODING_FACTOR * trainer.loss_low
