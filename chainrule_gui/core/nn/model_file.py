"""Save and open a model: one ``.npz`` holding the parameters and a JSON description.

Layout (format version 1):

- ``params``: float64 vector, layer by layer ``[W_l; b_l]`` row-major (see network.py)
- ``meta``: a JSON string ``{"format": "chainrule-gui model", "version": 1,
  "spec": {...}, "training": {...}, "step": N}``

Opening never unpickles (``allow_pickle=False``) and checks everything a hand-edited or
foreign file could get wrong: the format tag, a newer version, the JSON, the spec, the
parameter count, non-finite numbers.  Writing goes to a temporary file that replaces the
target only when complete, so a crash never leaves half a model.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.spec import LayerSpec, NetworkSpec

FORMAT = "chainrule-gui model"
VERSION = 1
MAX_META_CHARS = 1_000_000


def spec_to_dict(spec: NetworkSpec) -> dict:
    return {"input_size": spec.input_size,
            "layers": [{"units": l.units, "activation": l.activation, "frozen": l.frozen}
                       for l in spec.layers],
            "loss": spec.loss, "init": spec.init, "init_scale": spec.init_scale, "seed": spec.seed,
            "name": spec.name}


def spec_from_dict(data: object) -> NetworkSpec:
    if not isinstance(data, dict):
        raise ModelError("the model's description has no network specification")
    known = {"input_size", "layers", "loss", "init", "init_scale", "seed", "name"}
    unknown = set(data) - known
    if unknown:
        raise ModelError(f"the model's specification has unknown field(s): {', '.join(sorted(unknown))}")
    layers = data.get("layers")
    if not isinstance(layers, list) or not all(isinstance(l, dict) for l in layers):
        raise ModelError("the model's specification has no list of layers")
    try:
        spec = NetworkSpec(
            input_size=_whole(data.get("input_size"), "input_size"),
            layers=tuple(LayerSpec(_whole(l.get("units"), "units"), str(l.get("activation", "")),
                                   bool(l.get("frozen", False))) for l in layers),
            loss=str(data.get("loss", "")), init=str(data.get("init", "xavier")),
            init_scale=float(data.get("init_scale", 1.0)), seed=_whole(data.get("seed", 0), "seed"),
            name=str(data.get("name", "")))
    except (TypeError, ValueError) as exc:
        raise ModelError(f"the model's specification is malformed ({exc})") from None
    return spec.validated()


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(f"the model's {what} must be a whole number, not {value!r}")
    return value


def save_model(path: str | os.PathLike, network: Network, training: dict | None = None,
               step: int = 0) -> None:
    """Write ``network`` (architecture, frozen flags, weights) to ``path`` (.npz)."""
    spec = network.spec
    for layer, layer_spec in zip(network.layers, spec.layers):
        if layer.frozen != layer_spec.frozen:
            spec = spec.with_frozen(layer.index, layer.frozen)
    meta = {"format": FORMAT, "version": VERSION, "spec": spec_to_dict(spec),
            "training": training or {}, "step": int(step)}
    text = json.dumps(meta, allow_nan=False, ensure_ascii=False)
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise ModelError(f"cannot write to {directory}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, params=network.params, meta=np.array(text))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ModelError(f"cannot save {path.name}: {exc.strerror or exc}") from None


def load_model(path: str | os.PathLike) -> tuple[Network, dict]:
    """(network, meta) from a model file, or ModelError saying what is wrong with it."""
    name = Path(path).name
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "meta" not in archive.files or "params" not in archive.files:
                raise ModelError(f"{name} is not a Chain Rule Explorer model (no meta/params inside)")
            meta_array = archive["meta"]
            params = archive["params"]
    except ModelError:
        raise
    except FileNotFoundError:
        raise ModelError(f"{name} does not exist") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelError(f"{name} is not a readable model file ({exc.__class__.__name__})") from None
    if meta_array.dtype.kind != "U" or meta_array.ndim != 0:
        raise ModelError(f"{name}: the model description is not text")
    text = str(meta_array)
    if len(text) > MAX_META_CHARS:
        raise ModelError(f"{name}: the model description is too long")
    try:
        meta = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ModelError(f"{name}: the model description is not valid JSON ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelError(f"{name} is not a Chain Rule Explorer model")
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelError(f"{name}: unknown model format version {version!r}")
    if version > VERSION:
        raise ModelError(f"{name} was saved by a newer Chain Rule Explorer (format {version}); "
                         f"this one reads format {VERSION} — please update")
    spec = spec_from_dict(meta.get("spec"))
    if params.dtype.kind != "f" or params.ndim != 1:
        raise ModelError(f"{name}: the parameters are not a vector of numbers")
    if params.size != spec.parameter_count:
        raise ModelError(f"{name}: the network {'-'.join(map(str, spec.sizes))} needs "
                         f"{spec.parameter_count} parameters, the file has {params.size}")
    if not np.all(np.isfinite(params)):
        raise ModelError(f"{name}: some weights are not finite numbers (NaN or infinity)")
    network = Network(spec, params.astype(np.float64))
    return network, meta


def _reject_constant(token: str):
    raise ValueError(f"{token} is not allowed")


def is_finite_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
