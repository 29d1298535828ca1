"""Options shared by ``train`` and ``gradcheck``: the network, the data, the preset.

Every value a user types is checked here or by the core, and any problem becomes one
:class:`ModelError` sentence (printed as ``error: …``, exit 2).
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from chainrule_gui.core.nn.datasets import GENERATED
from chainrule_gui.core.nn.initializers import INITIALIZERS
from chainrule_gui.core.nn.losses import LOSSES
from chainrule_gui.core.nn.presets import PRESETS

EXIT_USAGE = 2
EXIT_FAILED = 1


def add_network_options(p: argparse.ArgumentParser) -> None:
    net = p.add_argument_group("network")
    net.add_argument("--preset", metavar="NAME", help=f"a ready-made network and data: {', '.join(PRESETS)}")
    net.add_argument("--layers", metavar="N,N,...",
                     help="unit counts from input to output, e.g. 2,8,8,1 (default: input, 8, 8, output)")
    net.add_argument("--activation", metavar="NAME",
                     help=f"hidden-layer activation: {', '.join(HIDDEN_ACTIVATIONS)} (default tanh)")
    net.add_argument("--output-activation", metavar="NAME",
                     help=f"output activation: {', '.join(ACTIVATIONS)} (default: what the loss expects)")
    net.add_argument("--loss", metavar="NAME",
                     help=f"{', '.join(LOSSES)} (default: bce for two classes, softmax_ce for more, "
                          "mse for regression)")
    net.add_argument("--init", metavar="NAME", help=f"{', '.join(INITIALIZERS)} "
                     "(default: he for ReLU, xavier otherwise)")
    net.add_argument("--init-scale", type=float, metavar="S", help="standard deviation for --init normal")
    net.add_argument("--freeze", metavar="L,L,...", help="1-based layers that do not learn, e.g. 1")
    net.add_argument("--seed", type=_seed, metavar="N",
                     help=f"seed for weights, data and shuffling, 0 to {MAX_SEED} (default 0)")
    data = p.add_argument_group("data")
    data.add_argument("--dataset", metavar="NAME", help=f"{', '.join(GENERATED)}")
    data.add_argument("--csv", metavar="FILE", help="import a data set from a CSV file of numbers")
    data.add_argument("--target", metavar="COLUMN", help="the CSV column to predict (default: the last)")
    data.add_argument("--samples", type=int, metavar="N", help="generated samples (default 200)")
    data.add_argument("--noise", type=float, metavar="X", help="noise standard deviation (default 0.1)")
    data.add_argument("--classes", type=int, metavar="K", help="classes for spiral and blobs (default 2)")
    data.add_argument("--validation", type=float, metavar="F",
                      help="share of rows held out for validation (default 0.2)")


MAX_SEED = 2**32 - 1


def _seed(text: str) -> int:
    """A seed NumPy accepts (a negative one raised inside NumPy's generator)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"the seed must be a whole number from 0 to {MAX_SEED}, not {text!r}")
    return value


def build(args: argparse.Namespace):
    """(network, dataset, TrainConfig defaults) from the options, or ModelError."""
    from chainrule_gui.core.nn.csv_import import load_csv
    from chainrule_gui.core.nn.datasets import generate
    from chainrule_gui.core.nn.network import Network
    from chainrule_gui.core.nn.presets import get_preset
    from chainrule_gui.core.nn.spec import parse_sizes, spec_from_sizes

    seed = 0 if args.seed is None else args.seed
    if args.preset:
        # A preset's network and data are its own: an option it would ignore is refused, not
        # silently dropped (``--preset xor-tanh --seed 7`` trained seed 0).
        fixed = (("--layers", args.layers), ("--activation", args.activation),
                 ("--output-activation", args.output_activation), ("--loss", args.loss),
                 ("--init", args.init), ("--init-scale", args.init_scale), ("--seed", args.seed),
                 ("--dataset", args.dataset), ("--csv", args.csv), ("--target", args.target),
                 ("--samples", args.samples), ("--noise", args.noise), ("--classes", args.classes),
                 ("--validation", args.validation))
        clashing = [flag for flag, value in fixed if value is not None]
        if clashing:
            raise ModelError(f"--preset fixes the network and data; drop {', '.join(clashing)}")
        network, dataset, config = get_preset(args.preset).build()
        for number in _numbers(args.freeze):
            _check_layer(number, network)
            network.set_frozen(number - 1, True)
        return network, dataset, config
    if args.dataset and args.csv:
        raise ModelError("choose either --dataset or --csv, not both")
    if args.csv:
        dataset = load_csv(args.csv, target=args.target, seed=seed,
                           validation_fraction=_fraction(args.validation))
    elif args.dataset:
        dataset = generate(args.dataset, 200 if args.samples is None else args.samples,
                           0.1 if args.noise is None else args.noise, _fraction(args.validation), seed,
                           2 if args.classes is None else args.classes)
    else:
        dataset = None
    if args.layers:
        sizes = parse_sizes(args.layers)
    elif dataset is not None:
        sizes = (dataset.n_features, 8, 8, dataset.target_width)
    else:
        raise ModelError("give --preset NAME, or --layers N,N,... (with --dataset or --csv to train)")
    loss = args.loss or _default_loss(dataset, sizes[-1])
    spec = spec_from_sizes(sizes, args.activation or "tanh", loss, args.output_activation, args.init,
                           seed, tuple(_numbers(args.freeze)),
                           1.0 if args.init_scale is None else args.init_scale)
    from chainrule_gui.core.nn.training import TrainConfig

    return Network.initialized(spec), dataset, TrainConfig()


def _default_loss(dataset, outputs: int) -> str:
    if dataset is None:
        return "mse" if outputs == 1 else "softmax_ce"
    if dataset.task == "regression":
        return "mse"
    return "bce" if dataset.n_classes == 2 and outputs == 1 else "softmax_ce"


def _fraction(value: float | None) -> float:
    return 0.2 if value is None else value


def _numbers(text: str | None) -> list[int]:
    if not text:
        return []
    out = []
    for part in text.split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit()):  # '²'.isdigit() is true
            raise ModelError(f"--freeze takes 1-based layer numbers such as 1 or 1,2, not {text!r}")
        out.append(int(part))
    return out


def _check_layer(number: int, network) -> None:
    if not 1 <= number <= len(network.layers):
        raise ModelError(f"cannot freeze layer {number}: the network has layers 1 to {len(network.layers)}")


def dump_json(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def finite_or_none(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def fail(message: str, code: int = EXIT_USAGE) -> int:
    sys.stderr.write(f"error: {message}\n")
    return code
