"""``chainrule-gui gradcheck``: backpropagation against central differences, per layer.

    chainrule-gui gradcheck --preset seed-2-2-1 --json
    chainrule-gui gradcheck --layers 2,8,1 --activation tanh --loss mse --seed 0

Computed on one batch: the preset's (or --dataset's) first rows, else a random batch drawn
from the seed.  ``--json`` prints ``{loss, layers: [{dW, db, numeric_dW, numeric_db,
max_rel_error, ...}]}`` with dW as nested lists in ``in × out`` order.  Exit 0 when every
layer passes (max relative error < 1e-6), 1 when one does not, 2 for bad options.

A check costs four forward passes per parameter, so its time grows with the square of the
network's size (64,256,256,10 took 8 minutes with no output): networks over
``--max-parameters`` (default 20,000, about 10 s) are refused before anything is computed.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from chainrule_gui.cli.network_args import EXIT_FAILED, add_network_options, build, dump_json, fail
from chainrule_gui.core.errors import ChainRuleError, ModelError
from chainrule_gui.core.nn.gradcheck import DEFAULT_ROWS
from chainrule_gui.core.nn.gradcheck import MAX_ROWS as MAX_BATCH

#: Parameters checked unless --max-parameters says otherwise (13,450 took 7 s here).
MAX_CHECK_PARAMETERS = 20_000


def add_parser(sub) -> None:
    p = sub.add_parser(
        "gradcheck", help="check backpropagation against finite differences",
        description="Compare every weight's and bias's backpropagated gradient with a central "
                    "difference, layer by layer, on one batch (float64).")
    add_network_options(p)
    p.add_argument("--batch-size", type=int, default=DEFAULT_ROWS, metavar="N",
                   help=f"rows in the batch: the data's first training rows (default {DEFAULT_ROWS})")
    p.add_argument("--l2", type=float, default=0.0, metavar="λ", help="include L2 decay in the loss")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--max-parameters", type=int, default=MAX_CHECK_PARAMETERS, metavar="N",
                   help=f"refuse a network with more parameters: the check's time grows with the square "
                        f"of the size (default {MAX_CHECK_PARAMETERS:,}, about 10 s)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        return _check(args)
    except ChainRuleError as exc:
        return fail(str(exc))


def _batch(args, network, dataset):
    from chainrule_gui.core.nn.gradcheck import check_batch

    if not 1 <= args.batch_size <= MAX_BATCH:
        raise ModelError(f"--batch-size must be from 1 to {MAX_BATCH}")
    seed = 0 if args.seed is None else args.seed
    if dataset is not None:  # the rows the Network tab's Gradient check button uses too
        return check_batch(network, dataset, args.batch_size)
    rng = np.random.default_rng(seed)
    n, k = args.batch_size, network.sizes[-1]
    X = rng.normal(size=(n, network.sizes[0]))
    if network.loss.name == "mse":
        Y = rng.normal(size=(n, k))
    elif network.loss.name == "bce":
        Y = (rng.random((n, k)) > 0.5).astype(float)
    else:
        Y = np.eye(k)[rng.integers(0, k, n)]
    return X, Y


def _check(args) -> int:
    from chainrule_gui.core.nn.gradcheck import gradient_check
    from chainrule_gui.core.nn.training import check_l2

    if args.max_parameters < 1:
        raise ModelError(f"--max-parameters must be a whole number of at least 1, not {args.max_parameters}")
    network, dataset, _ = build(args)
    count = network.spec.parameter_count
    if count > args.max_parameters:
        raise ModelError(f"this network has {count:,} parameters and the check nudges each of them "
                         f"(four forward passes apiece), which would take minutes; at most "
                         f"{args.max_parameters:,} are checked — use a smaller network or pass "
                         f"--max-parameters {count}")
    X, Y = _batch(args, network, dataset)
    network.loss.check_targets(Y)
    progress = _Progress() if sys.stderr.isatty() else None
    result = gradient_check(network, X, Y, l2=check_l2(args.l2), progress=progress)
    if progress is not None:
        progress.done()
    if args.json:
        sys.stdout.write(dump_json(result.to_json()))
    else:
        sys.stdout.write(_text(result, network, len(X)))
    return 0 if result.passed else EXIT_FAILED


class _Progress:
    """``gradient check: 12,288/85,002 parameters`` on stderr, redrawn at most 10 times a second."""

    def __init__(self):
        self.last = 0.0

    def __call__(self, done: int, total: int) -> bool:
        now = time.monotonic()
        if now - self.last >= 0.1 or done == total:
            self.last = now
            sys.stderr.write(f"\rgradient check: {done:,}/{total:,} parameters   ")
            sys.stderr.flush()
        return True

    def done(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def _text(result, network, rows: int) -> str:
    lines = [f"gradient check of {'-'.join(map(str, network.sizes))} ({network.loss.name}) on "
             f"{rows} row(s): loss {result.loss:.10g}",
             f"central differences, step {result.step:g}; pass: max relative error < {result.tolerance:g}"]
    for check, layer in zip(result.layers, network.layers):
        verdict = "ok" if check.passed else "FAILED"
        kinks = f"  ({check.kinks} entries at a ReLU kink left out)" if check.kinks else ""
        lines.append(f"layer {check.index + 1} ({layer.fan_in}→{layer.fan_out}, {layer.activation.name}): "
                     f"max relative error {check.max_rel_error:.2e}  {verdict}{kinks}")
    lines.append("all layers agree" if result.passed else "backprop and finite differences DISAGREE")
    return "\n".join(lines) + "\n"
