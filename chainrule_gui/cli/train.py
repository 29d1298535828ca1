"""``chainrule-gui train``: train a network on the same core as the GUI, from a terminal.

    chainrule-gui train --dataset xor --samples 200 --layers 2,8,8,1 --activation tanh \\
        --loss bce --optimizer adam --lr 0.05 --batch-size 32 --epochs 300 --seed 0 --json

A progress bar goes to stderr when it is a terminal.  ``--json`` prints one object with
``final_loss``, ``train_accuracy``/``validation_accuracy`` (classification) and
``history`` (per epoch: mean mini-batch loss and each layer's gradient norm at the
epoch's last step; null for a frozen layer).  Bad options or files: one ``error:`` line
and exit 2; a run that diverges: one ``error:`` line and exit 1.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from chainrule_gui.cli.network_args import (
    EXIT_FAILED,
    add_network_options,
    build,
    dump_json,
    fail,
    finite_or_none,
)
from chainrule_gui.core.errors import ChainRuleError, ModelError

MAX_EPOCHS = 1_000_000


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train a neural network on a data set",
        description="Train a multilayer perceptron with backpropagation (NumPy, float64) and "
                    "report the loss, accuracy and per-layer gradient norms.")
    add_network_options(p)
    t = p.add_argument_group("training")
    t.add_argument("--optimizer", metavar="NAME", help="sgd, momentum, rmsprop or adam (default adam)")
    t.add_argument("--lr", type=float, metavar="η", help="learning rate (default 0.01)")
    t.add_argument("--momentum", type=float, metavar="μ", help="momentum's μ (default 0.9)")
    t.add_argument("--rho", type=float, metavar="ρ", help="RMSprop's decay (default 0.9)")
    t.add_argument("--beta1", type=float, metavar="β1", help="Adam's β₁ (default 0.9)")
    t.add_argument("--beta2", type=float, metavar="β2", help="Adam's β₂ (default 0.999)")
    t.add_argument("--eps", type=float, metavar="ε", help="RMSprop/Adam ε (default 1e-8)")
    t.add_argument("--batch-size", type=int, metavar="N", help="rows per step (default 32)")
    t.add_argument("--l2", type=float, metavar="λ",
                   help="L2 weight decay (default 0): on weights, not biases; the reported loss includes "
                        "(λ/2)·Σ‖W‖²; each weight's gradient gets λ·w before the optimizer (coupled, as "
                        "PyTorch's weight_decay on a weights-only group, not AdamW)")
    t.add_argument("--epochs", type=int, default=100, metavar="N", help="passes over the data (default 100)")
    out = p.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--save", metavar="FILE.npz", help="save the trained model")
    out.add_argument("--export-script", metavar="FILE.py", help="write a NumPy script of the trained network")
    out.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        return _train(args)
    except ChainRuleError as exc:
        return fail(str(exc))


def _config(args, defaults):
    from dataclasses import replace

    hyper = {k: getattr(args, k) for k in ("momentum", "rho", "beta1", "beta2", "eps")
             if getattr(args, k) is not None}
    return replace(defaults,
                   optimizer=args.optimizer or defaults.optimizer,
                   lr=defaults.lr if args.lr is None else args.lr,
                   batch_size=defaults.batch_size if args.batch_size is None else args.batch_size,
                   l2=defaults.l2 if args.l2 is None else args.l2,
                   hyper=hyper if args.optimizer or hyper else defaults.hyper)


def _train(args) -> int:
    from chainrule_gui.core.nn.training import Trainer

    if not 1 <= args.epochs <= MAX_EPOCHS:
        raise ModelError(f"--epochs must be from 1 to {MAX_EPOCHS}")
    for flag, value in (("--save", args.save), ("--export-script", args.export_script)):
        if value is not None and not value.strip():  # checked before training, not after
            raise ModelError(f"{flag} needs a file name (it was empty)")
    network, dataset, defaults = build(args)
    if dataset is None:
        raise ModelError("choose the data: --dataset NAME or --csv FILE (or a --preset)")
    for option, path in (("--save", args.save), ("--export-script", args.export_script)):
        _check_target(option, path)  # before training, not after it
    trainer = Trainer(network, dataset, _config(args, defaults))
    progress = _Progress(args.epochs) if sys.stderr.isatty() and not args.quiet else None
    history: list[dict] = []
    epoch_losses: list[float] = []
    fault = None
    started = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):  # a divergence is reported as a fault
        for snapshot in trainer.steps():
            if snapshot.fault is not None:
                fault = snapshot.fault
                break
            epoch_losses.append(snapshot.loss)
            if snapshot.epoch_end:
                history.append({"epoch": snapshot.epoch, "loss": float(np.mean(epoch_losses)),
                                "grad_norms": [finite_or_none(g) for g in snapshot.grad_norms]})
                epoch_losses.clear()
                if progress:
                    progress.show(snapshot.epoch, history[-1]["loss"])
                if snapshot.epoch >= args.epochs:
                    break
    seconds = time.perf_counter() - started
    fault = fault or trainer.check_weights()
    if progress:
        progress.done()
    result = trainer.evaluate()
    if args.save is not None:
        from chainrule_gui.core.nn.model_file import save_model

        save_model(args.save, network, training=_training_meta(trainer, dataset), step=trainer.step_count)
    if args.export_script is not None:
        _write_script(args.export_script, network, dataset)
    summary = _summary(trainer, dataset, result, history, seconds, fault)
    if args.json:
        sys.stdout.write(dump_json(summary))
    else:
        sys.stdout.write(_text(summary, trainer))
    if fault is not None:
        return fail(fault.message, EXIT_FAILED)
    return 0


def _check_target(option: str, path: str | None) -> None:
    from chainrule_gui.core.files.atomic import check_save_target

    if path:
        try:
            check_save_target(path)
        except OSError as exc:
            raise ModelError(f"{option} {path}: {exc.strerror or exc}") from None


def _training_meta(trainer, dataset) -> dict:
    opt = trainer.optimizer
    return {"optimizer": opt.name, "lr": opt.lr, **opt.hyper, "batch_size": trainer.batch_size,
            "l2": trainer.l2, "dataset": dataset.name, "epochs": trainer.epoch}


def _write_script(path, network, dataset) -> None:
    from chainrule_gui.core.files.atomic import atomic_write_text
    from chainrule_gui.core.nn.export import numpy_script

    try:
        atomic_write_text(path, numpy_script(network, dataset.X[:3]))
    except OSError as exc:
        raise ModelError(f"cannot write {path}: {exc.strerror or exc}") from None


def _summary(trainer, dataset, result, history, seconds, fault) -> dict:
    net = trainer.network
    out = {
        "network": "-".join(map(str, net.sizes)),
        "activations": [layer.activation.name for layer in net.layers],
        "loss_function": net.loss.name,
        "optimizer": trainer.optimizer.name,
        "dataset": dataset.name,
        "train_rows": len(trainer.X_train),
        "validation_rows": len(trainer.X_val),
        "epochs": trainer.epoch,
        "steps": trainer.step_count,
        "seconds": round(seconds, 4),
        "final_loss": finite_or_none(result["train_loss"]),
        "validation_loss": finite_or_none(result["validation_loss"]),
    }
    if dataset.task == "classification":
        out["train_accuracy"] = result["train_accuracy"]
        out["validation_accuracy"] = result["validation_accuracy"]
    out["diverged"] = None if fault is None else {"step": fault.step, "kind": fault.kind, "message": fault.message}
    out["history"] = history
    return out


def _text(summary: dict, trainer) -> str:
    lines = [f"trained {summary['network']} ({', '.join(summary['activations'])}; "
             f"{summary['loss_function']}, {trainer.optimizer.describe()}) on {summary['dataset']}: "
             f"{summary['train_rows']} training / {summary['validation_rows']} validation rows",
             f"{summary['epochs']} epochs, {summary['steps']} steps in {summary['seconds']:.2f} s"]
    lines.append(f"final loss       {summary['final_loss']:.6g}" if summary["final_loss"] is not None
                 else "final loss       not finite")
    if summary["validation_loss"] is not None:
        lines.append(f"validation loss  {summary['validation_loss']:.6g}")
    if "train_accuracy" in summary:
        lines.append(f"train accuracy   {summary['train_accuracy']:.1%}")
        if summary["validation_accuracy"] is not None:
            lines.append(f"validation acc.  {summary['validation_accuracy']:.1%}")
    if summary["history"]:
        norms = summary["history"][-1]["grad_norms"]
        shown = ", ".join(f"layer {i + 1} {'frozen' if g is None else f'{g:.3g}'}" for i, g in enumerate(norms))
        lines.append(f"gradient norms   {shown}")
    return "\n".join(lines) + "\n"


class _Progress:
    """``epoch 37/300 [#######.......] loss 0.1234`` on stderr, redrawn at most 10 times a second."""

    WIDTH = 30

    def __init__(self, total: int):
        self.total = total
        self.last = 0.0

    def show(self, epoch: int, loss: float) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and epoch < self.total:
            return
        self.last = now
        filled = int(self.WIDTH * epoch / self.total)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        sys.stderr.write(f"\repoch {epoch}/{self.total} [{bar}] loss {loss:.4g}   ")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
