"""Training: learning XOR, frozen layers, epochs and batches, live settings, divergence."""

import math

import numpy as np
import pytest

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.datasets import generate
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.spec import spec_from_sizes
from chainrule_gui.core.nn.training import CHECKPOINT_EVERY, TrainConfig, Trainer


def xor_trainer(**config):
    data = generate("xor", samples=64, noise=0.0, validation_fraction=0.0, seed=3)
    net = Network.initialized(spec_from_sizes((2, 8, 1), "tanh", "bce", seed=0))
    return Trainer(net, data, TrainConfig(**{"optimizer": "adam", "lr": 0.05, "batch_size": 16, **config}))


def test_xor_reaches_full_training_accuracy():
    trainer = xor_trainer()
    first = trainer.evaluate()["train_accuracy"]
    for _ in trainer.steps(400):
        pass
    result = trainer.evaluate()
    assert first < 0.9
    assert result["train_accuracy"] == 1.0
    assert result["train_loss"] < 0.1


def test_backprop_forward_matches_the_plain_forward_pass():
    trainer = xor_trainer()
    snap = trainer.step()
    last = snap.layers[-1]
    before = trainer.network.params + trainer.update  # the weights that produced the batch
    net = Network(trainer.network.spec, before)
    rows, _ = trainer.last_batch()
    np.testing.assert_allclose(net.forward(rows), last.a, rtol=1e-13)


def test_the_last_batch_before_any_step_is_empty():
    # Found by mypy: the buffer of the last batch was None until the first step (and again
    # after a larger batch size), and last_batch() failed with a TypeError there.
    trainer = xor_trainer()
    rows, targets = trainer.last_batch()
    assert rows.shape == (0, 2) and targets.shape == (0, 1)
    trainer.step()
    trainer.set_batch_size(32)
    rows, targets = trainer.last_batch()
    assert rows.shape == (0, 2) and targets.shape == (0, 1)
    trainer.step()
    rows, targets = trainer.last_batch()
    assert rows.shape == (32, 2) and targets.shape == (32, 1)


def test_frozen_layers_do_not_change_and_nothing_below_is_computed():
    data = generate("circles", samples=80, noise=0.05, validation_fraction=0.0, seed=1)
    spec = spec_from_sizes((2, 6, 6, 1), "tanh", "bce", seed=2, frozen=(1,))
    net = Network.initialized(spec)
    frozen_before = net.layers[0].augmented.copy()
    trainable_before = net.layers[1].augmented.copy()
    trainer = Trainer(net, data, TrainConfig("adam", 0.05, 16))
    *_, snap = trainer.steps(50)
    np.testing.assert_array_equal(net.layers[0].augmented, frozen_before)
    assert not np.allclose(net.layers[1].augmented, trainable_before)
    records = snap.layers
    assert records[0].frozen and records[0].dW is None and records[0].delta is None
    assert records[0].update is None
    assert records[1].dW is not None and records[1].delta is not None


def test_frozen_layer_above_a_trainable_one_passes_delta_but_gets_no_update():
    data = generate("moons", samples=60, noise=0.05, validation_fraction=0.0, seed=1)
    net = Network.initialized(spec_from_sizes((2, 5, 5, 1), "tanh", "bce", seed=4, frozen=(2,)))
    middle = net.layers[1].augmented.copy()
    first = net.layers[0].augmented.copy()
    trainer = Trainer(net, data, TrainConfig("sgd", 0.5, 20))
    *_, snap = trainer.steps(20)
    np.testing.assert_array_equal(net.layers[1].augmented, middle)
    assert not np.allclose(net.layers[0].augmented, first)
    assert snap.layers[1].delta is not None and snap.layers[1].dW is None
    assert trainer.network.trainable_runs() == [(net.layers[0].start, net.layers[0].stop),
                                                (net.layers[2].start, net.layers[2].stop)]


def test_freezing_live_stops_updates():
    trainer = xor_trainer()
    for _ in trainer.steps(5):
        pass
    trainer.set_frozen(0, True)
    frozen = trainer.network.layers[0].augmented.copy()
    for _ in trainer.steps(5):
        pass
    np.testing.assert_array_equal(trainer.network.layers[0].augmented, frozen)


def test_an_epoch_visits_every_training_row_once():
    data = generate("blobs", samples=50, noise=0.0, validation_fraction=0.2, seed=0, classes=3)
    net = Network.initialized(spec_from_sizes((2, 4, 3), "relu", "softmax_ce", seed=0))
    trainer = Trainer(net, data, TrainConfig("sgd", 0.0001, 16))
    seen, ends = [], []
    for snap in trainer.steps(trainer.steps_per_epoch):
        seen.append(trainer.last_batch()[0])
        ends.append(snap.epoch_end)
    assert ends == [False, False, True] and snap.epoch == 1
    assert [len(s) for s in seen] == [16, 16, 8]
    rows = np.concatenate(seen)
    assert sorted(map(tuple, rows)) == sorted(map(tuple, data.X[data.train]))


def test_learning_rate_changes_live_without_reset():
    trainer = xor_trainer(optimizer="sgd", lr=0.1)
    for _ in trainer.steps(3):
        pass
    before = trainer.network.params.copy()
    trainer.set_learning_rate(0.2)
    trainer.step()
    assert trainer.step_count == 4
    np.testing.assert_allclose(before - trainer.network.params, 0.2 * trainer.backprop.grad, rtol=1e-9, atol=1e-15)


def test_switching_optimizer_keeps_the_weights():
    trainer = xor_trainer()
    for _ in trainer.steps(3):
        pass
    weights = trainer.network.params.copy()
    trainer.set_optimizer("momentum", momentum=0.5)
    assert trainer.optimizer.name == "momentum" and trainer.optimizer.hyper["momentum"] == 0.5
    np.testing.assert_array_equal(trainer.network.params, weights)


def test_divergence_stops_training_and_leaves_finite_weights():
    data = generate("sine", samples=64, noise=0.1, validation_fraction=0.0, seed=0)
    data = type(data)(data.name, data.X, None, data.values * 10, data.train, data.validation,
                      data.feature_names)
    net = Network.initialized(spec_from_sizes((1, 16, 1), "relu", "mse", seed=0))
    trainer = Trainer(net, data, TrainConfig("sgd", 5.0, 16))
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point of the test
        snaps = list(trainer.steps(20))
    fault = snaps[-1].fault
    assert fault is not None, "lr = 5 must trip the guard within 20 steps"
    assert len(snaps) < 20
    assert np.all(np.isfinite(net.params))
    assert fault.restored_step == 0
    assert "learning rate" in fault.message and "lower" in fault.message.lower()
    assert trainer.fault is fault
    # the weights are usable: a small learning rate trains on from there
    trainer.set_learning_rate(0.001)
    trainer.clear_fault()
    assert all(math.isfinite(s.loss) for s in trainer.steps(20))


def test_a_stale_snapshot_says_so():
    trainer = xor_trainer()
    old = trainer.step()
    trainer.step()
    with pytest.raises(ModelError, match="trainer has taken another step"):
        _ = old.layers  # reading them is what must raise


def test_records_hold_norms_and_ratios():
    trainer = xor_trainer(optimizer="sgd", lr=0.1)
    snap = trainer.step()
    for record in snap.layers:
        assert record.grad_norm == pytest.approx(np.linalg.norm(record.dW))
        assert record.weight_norm == pytest.approx(np.linalg.norm(record.W))
        W_before = record.W + record.update[:-1]
        assert record.update_ratio == pytest.approx(np.linalg.norm(0.1 * record.dW) / np.linalg.norm(W_before))


def test_l2_decay_adds_lambda_w_to_weight_gradients_only():
    plain, decayed = xor_trainer(optimizer="sgd"), xor_trainer(optimizer="sgd", l2=0.1)
    a, b = plain.step(), decayed.step()
    for ra, rb in zip(a.layers, b.layers):
        W_before = rb.W + rb.update[:-1]
        np.testing.assert_allclose(rb.dW, ra.dW + 0.1 * W_before, rtol=1e-12)
        np.testing.assert_allclose(rb.db, ra.db, rtol=1e-12)
    penalty = 0.5 * 0.1 * sum(float((r.W + r.update[:-1]).ravel() @ (r.W + r.update[:-1]).ravel())
                              for r in b.layers)
    assert b.loss == pytest.approx(a.loss + penalty, rel=1e-12)


@pytest.mark.parametrize(("change", "message"), [
    (dict(lr=0), "learning rate"), (dict(lr=float("nan")), "learning rate"),
    (dict(batch_size=0), "batch size"), (dict(l2=-1), "L2"), (dict(optimizer="adagrad"), "unknown optimizer"),
    (dict(hyper={"beta1": 1.5}), "β₁"), (dict(hyper={"momentum": 0.9}), "has no setting"),
])
def test_bad_settings_are_model_errors(change, message):
    with pytest.raises(ModelError, match=message):
        xor_trainer(**change)


def test_mismatched_data_and_network_say_what_to_change():
    data = generate("spiral", samples=30, classes=3)
    with pytest.raises(ModelError, match="3 output units"):
        Trainer(Network.initialized(spec_from_sizes((2, 4, 2), "relu", "softmax_ce")), data)
    with pytest.raises(ModelError, match="input layer has 3"):
        Trainer(Network.initialized(spec_from_sizes((3, 4, 3), "relu", "softmax_ce")), data)
    with pytest.raises(ModelError, match="regression"):
        Trainer(Network.initialized(spec_from_sizes((1, 4, 1), "relu", "bce")), generate("sine", 20))


def test_an_overflowing_update_is_caught_and_rolled_back():
    trainer = xor_trainer(optimizer="sgd", lr=0.1)
    for _ in trainer.steps(CHECKPOINT_EVERY + 5):
        pass
    good = trainer._checkpoint[1].copy()
    trainer.network.params[3] = np.inf  # as if an update had overflowed
    fault = trainer.check_weights()
    assert fault is not None and fault.restored_step == CHECKPOINT_EVERY
    np.testing.assert_array_equal(trainer.network.params, good)
    assert trainer.check_weights() is None


def test_the_gather_path_trains_exactly_like_the_permute_path(monkeypatch):
    from chainrule_gui.core.nn import training

    permuted = xor_trainer(batch_size=12)
    monkeypatch.setattr(training, "GATHER_ABOVE_BYTES", 0)
    gathered = xor_trainer(batch_size=12)
    assert gathered._gather and not permuted._gather
    for a, b in zip(permuted.steps(30), gathered.steps(30)):
        assert a.loss == b.loss
    np.testing.assert_array_equal(permuted.network.params, gathered.network.params)


def test_a_larger_batch_size_drops_the_old_record_instead_of_reading_empty_buffers():
    trainer = xor_trainer(batch_size=8)
    trainer.step()
    trainer.set_batch_size(32)
    assert trainer.last_snapshot is None
    snap = trainer.step()
    assert snap.batch_rows == 32 and len(snap.layers[0].z) == 32


def test_the_step_loss_includes_the_l2_penalty_of_frozen_layers_too():
    """One loss figure: with a full batch, step k + 1's loss is the loss of all rows after
    step k, L2 penalty of every weight (frozen or not) included — as evaluate() reports it."""
    data = generate("xor", samples=40, noise=0.0, validation_fraction=0.0, seed=3)
    net = Network.initialized(spec_from_sizes((2, 6, 1), "tanh", "bce", seed=0, frozen=(1,)))
    trainer = Trainer(net, data, TrainConfig("sgd", 0.1, 40, l2=0.5))
    trainer.step()
    after_first = trainer.evaluate()["train_loss"]
    assert trainer.step().loss == pytest.approx(after_first, rel=1e-12)


def test_l2_is_coupled_weight_decay_on_weights_only_as_the_docs_say():
    """README/user guide: λ·w joins the gradient of weights (not biases) before Adam sees
    it — PyTorch's Adam(weight_decay=λ) on a weights-only group, not AdamW."""
    data = generate("xor", samples=16, noise=0.0, validation_fraction=0.0, seed=3)
    net = Network.initialized(spec_from_sizes((2, 3, 1), "tanh", "bce", seed=0))
    before = net.params.copy()
    lam, lr, b1, b2, eps = 0.3, 0.01, 0.9, 0.999, 1e-8
    trainer = Trainer(net, data, TrainConfig("adam", lr, 16, l2=lam))
    loss = trainer.step().loss
    grad = trainer.backprop.grad.copy()  # the gradient the optimizer used, decay included
    plain = Trainer(Network(net.spec, before.copy()), data, TrainConfig("adam", lr, 16))
    plain_loss = plain.step().loss
    g = plain.backprop.grad.copy()
    mask = net.weight_mask
    np.testing.assert_allclose(grad, g + lam * mask * before, rtol=1e-12, atol=1e-15)
    assert loss == pytest.approx(plain_loss + 0.5 * lam * float(np.sum(mask * before ** 2)), rel=1e-12)
    coupled = g + lam * mask * before  # Adam's first step on the coupled gradient
    m, v = (1 - b1) * coupled, (1 - b2) * coupled ** 2
    expected = before - lr * (m / (1 - b1)) / (np.sqrt(v / (1 - b2)) + eps)
    np.testing.assert_allclose(net.params, expected, rtol=1e-10, atol=1e-14)


def test_a_network_takes_a_parameter_vector_without_copying_it():
    """A reader handed a private copy of the weights (the GUI, by the training thread) uses it
    as it is; every layer then reads it, and the views of W and b are not copies."""
    net = Network.initialized(spec_from_sizes((2, 3, 1), "tanh", "bce", seed=0))
    given = np.arange(net.params.size, dtype=float)
    net.use_params(given)
    assert net.params is given
    (W1, b1), (W2, b2) = net.weight_views()
    assert all(np.shares_memory(a, given) for a in (W1, b1, W2, b2))
    np.testing.assert_array_equal(W1, given[:6].reshape(2, 3))
    np.testing.assert_array_equal(b1, given[6:9])
    np.testing.assert_array_equal(net.forward(np.zeros((1, 2))), Network(net.spec, given).forward(np.zeros((1, 2))))
    with pytest.raises(ModelError):
        net.use_params(np.zeros(3))
