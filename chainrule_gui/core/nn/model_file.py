"""Save and open a model: one ``.npz`` holding the parameters and a JSON description.

Layout (format version 1):

- ``params``: float64 vector, layer by layer ``[W_l; b_l]`` row-major (see network.py)
- ``meta``: a JSON string ``{"format": "chainrule-gui model", "version": 1,
  "spec": {...}, "training": {...}, "step": N}``

A model file may come from someone else, so opening it goes through every gate before
anything is used, like a session (core/session.py):

a regular file (a named pipe or a device is refused before it is read) within the size cap
→ a zip whose directory, read from its end record before any of it is parsed, lists
exactly ``meta.npy`` and ``params.npy`` → their unpacked sizes bounded before anything is
unpacked (a zip bomb is refused, not inflated) → each member's NPY header: a plain dtype
(never unpickled) and a shape that fits in the member (a header declaring 10¹² elements is
refused, not allocated) → strict JSON (no NaN/Infinity, no 1e400, no duplicate keys, bounded depth)
→ format and version (older versions migrated, newer ones refused) → schema (no
unknown keys, right types and ranges) → meaning (the spec builds a network, the
parameter vector has its length, every weight is finite).

Writing builds the whole file in memory and replaces the target atomically, so a crash
never leaves half a model.
"""

from __future__ import annotations

import io
import math
import os
import struct
import zipfile
from collections.abc import Callable
from itertools import islice
from pathlib import Path

import numpy as np

from chainrule_gui import __version__
from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.files.atomic import (
    FileFormatError,
    atomic_write_bytes,
    dump_json,
    load_strict_json,
    open_regular,
    oversized,
)
from chainrule_gui.core.nn.activations import ACTIVATIONS
from chainrule_gui.core.nn.datasets import MAX_CLASSES, MAX_SAMPLES
from chainrule_gui.core.nn.initializers import INITIALIZERS
from chainrule_gui.core.nn.losses import LOSSES
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.optimizers import OPTIMIZERS
from chainrule_gui.core.nn.spec import MAX_LAYERS, MAX_UNITS, LayerSpec, NetworkSpec

FORMAT = "chainrule-gui model"
VERSION = 1
MAX_META_CHARS = 1_000_000
#: Largest model file we open, and largest a member may unpack to (bytes): 32 M weights.
MAX_MODEL_BYTES = 256 * 1024 * 1024
MEMBERS = {"meta.npy", "params.npy"}
#: Largest zip directory we parse (entries, bytes); ours, two entries, takes about 150 bytes.
#: A few more entries are parsed so that the refusal can name them.
MAX_DIRECTORY_ENTRIES = 16
MAX_DIRECTORY_BYTES = 8192
#: Schema errors looked at before reporting the first: one is enough to refuse, and a
#: description with a million bad entries must not cost a million error objects.
MAX_SCHEMA_ERRORS = 20

_WHOLE = {"type": "integer"}
_FRACTION = {"type": "number", "minimum": 0, "exclusiveMaximum": 1}
META_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "version", "spec"],
    "properties": {
        "format": {"const": FORMAT},
        "version": _WHOLE,
        "saved_by": {"type": "string", "maxLength": 200},
        "step": {"type": "integer", "minimum": 0},
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["input_size", "layers"],
            "properties": {
                "input_size": {"type": "integer", "minimum": 1, "maximum": MAX_UNITS},
                "layers": {
                    "type": "array", "minItems": 1, "maxItems": MAX_LAYERS,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["units", "activation"],
                        "properties": {
                            "units": {"type": "integer", "minimum": 1, "maximum": MAX_UNITS},
                            "activation": {"enum": sorted(ACTIVATIONS)},
                            "frozen": {"type": "boolean"},
                        },
                    },
                },
                "loss": {"enum": sorted(LOSSES)},
                "init": {"enum": sorted(INITIALIZERS)},
                "init_scale": {"type": "number", "exclusiveMinimum": 0, "maximum": 1e6},
                "seed": {"type": "integer", "minimum": 0, "maximum": 2**32 - 1},
                "name": {"type": "string", "maxLength": 200},
            },
        },
        # Where the data came from (the editor's data settings), so reopening trains on the
        # same rows; a model saved before this was added simply has none.
        "data": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "maxLength": 64},
                "samples": {"type": "integer", "minimum": 1, "maximum": MAX_SAMPLES},
                "noise": {"type": "number", "minimum": 0, "maximum": 10},
                "validation": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                "classes": {"type": "integer", "minimum": 2, "maximum": MAX_CLASSES},
                "seed": {"type": "integer", "minimum": 0, "maximum": 2**32 - 1},
                "csv_path": {"type": "string", "maxLength": 4096},
                "target": {"type": "string", "maxLength": 200},
                "x": {"type": "array", "maxItems": MAX_UNITS, "items": {"type": "number"}},
                "y": {"type": "array", "maxItems": MAX_UNITS, "items": {"type": "number"}},
            },
        },
        "training": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "optimizer": {"enum": list(OPTIMIZERS)},
                "lr": {"type": "number", "exclusiveMinimum": 0, "maximum": 1e4},
                "momentum": _FRACTION, "rho": _FRACTION, "beta1": _FRACTION, "beta2": _FRACTION,
                "eps": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                "batch_size": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
                "l2": {"type": "number", "minimum": 0, "maximum": 1e4},
                "dataset": {"type": "string", "maxLength": 200},
                "epochs": {"type": "integer", "minimum": 0},
            },
        },
    },
}

#: Migrations from version N to N + 1, applied in order (none yet: version 1 is the first).
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


def spec_to_dict(spec: NetworkSpec) -> dict:
    return {"input_size": spec.input_size,
            "layers": [{"units": layer.units, "activation": layer.activation, "frozen": layer.frozen}
                       for layer in spec.layers],
            "loss": spec.loss, "init": spec.init, "init_scale": spec.init_scale, "seed": spec.seed,
            "name": spec.name}


def spec_from_dict(data: dict) -> NetworkSpec:
    """A validated spec from the (schema-checked) ``spec`` object of a model file."""
    spec = NetworkSpec(
        input_size=data["input_size"],
        layers=tuple(LayerSpec(layer["units"], layer["activation"], layer.get("frozen", False))
                     for layer in data["layers"]),
        loss=data.get("loss", "mse"), init=data.get("init", "xavier"),
        init_scale=float(data.get("init_scale", 1.0)), seed=data.get("seed", 0), name=data.get("name", ""))
    return spec.validated()


def model_bytes(network: Network, training: dict | None = None, step: int = 0,
                data: dict | None = None) -> bytes:
    """The complete ``.npz`` file of ``network`` (architecture, frozen flags, weights),
    with the training settings and, when given, the data settings it was trained with."""
    spec = network.spec
    for layer, layer_spec in zip(network.layers, spec.layers):
        if layer.frozen != layer_spec.frozen:
            spec = spec.with_frozen(layer.index, layer.frozen)
    meta = {"format": FORMAT, "version": VERSION, "saved_by": f"chainrule-gui {__version__}",
            "spec": spec_to_dict(spec), "training": dict(training or {}), "step": int(step)}
    if data is not None:
        meta["data"] = dict(data)
    buffer = io.BytesIO()
    np.savez(buffer, params=np.asarray(network.params, dtype=np.float64), meta=np.array(dump_json(meta)))
    return buffer.getvalue()


def save_model(path: str | os.PathLike, network: Network, training: dict | None = None,
               step: int = 0, data: dict | None = None) -> None:
    """Write ``network`` to ``path`` (.npz) atomically: the old file stays whole until then."""
    content = model_bytes(network, training, step, data)
    try:
        atomic_write_bytes(path, content)
    except OSError as exc:
        raise ModelError(f"cannot save {Path(path).name}: {exc.strerror or exc}") from None


def load_model(path: str | os.PathLike) -> tuple[Network, dict]:
    """(network, meta) from a model file, or ModelError naming the problem and the place."""
    name = Path(path).name
    try:
        handle = open_regular(path, MAX_MODEL_BYTES)
    except FileFormatError as exc:
        raise ModelError(f"{name}: {exc}") from None
    with handle:
        meta_array, params = _read_members(handle, name)
    if meta_array.dtype.kind != "U" or meta_array.ndim != 0:
        raise ModelError(f"{name}: the model description is not text")
    text = str(meta_array)
    if len(text) > MAX_META_CHARS:
        raise ModelError(f"{name}: the model description is too long")
    try:
        meta = load_strict_json(text.encode("utf-8", "surrogatepass"))
    except FileFormatError as exc:
        raise ModelError(f"{name}: the model description is not valid JSON ({exc})") from None
    except UnicodeEncodeError:
        raise ModelError(f"{name}: the model description is not text") from None
    meta = _current_version(meta, name)
    _validate_schema(meta, name)
    try:
        spec = spec_from_dict(meta["spec"])
    except ModelError as exc:
        raise ModelError(f"{name}: the network in the file cannot be built: {exc}") from None
    if params.dtype.kind != "f" or params.ndim != 1:
        raise ModelError(f"{name}: the parameters are not a vector of numbers "
                         f"(found {params.dtype} with shape {params.shape})")
    if params.size != spec.parameter_count:
        raise ModelError(f"{name}: the network {'-'.join(map(str, spec.sizes))} needs "
                         f"{spec.parameter_count} parameters, the file has {params.size}")
    finite = np.isfinite(params)
    if not finite.all():
        where = _parameter_place(spec, int(np.argmin(finite)))
        raise ModelError(f"{name}: some weights are not finite numbers (NaN or infinity), "
                         f"the first at {where}")
    return Network(spec, params.astype(np.float64)), meta


def _read_members(handle, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(meta, params) arrays from the open file, each gate passed before its cost is paid."""
    try:
        _check_directory(handle, name)
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            _check_members(infos, name)
            arrays = {info.filename: _read_npy(archive, info, name) for info in infos}
    except ModelError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError) as exc:
        raise ModelError(f"{name} is not a readable model file ({_why_unreadable(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - whatever a damaged archive makes zipfile or NumPy raise
        raise ModelError(f"{name} is not a readable model file ({_why_unreadable(exc)})") from None
    return arrays["meta.npy"], arrays["params.npy"]


def _check_directory(handle, name: str) -> None:
    """Refuse an archive whose directory is not two small entries, from its end record alone:
    Python's zipfile reads every entry of the directory first (3 million took 27 s, 1.8 GB)."""
    size = handle.seek(0, os.SEEK_END)
    tail_size = min(size, 22 + 65535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    # As zipfile finds it: the record with no comment, else the last signature in the tail.
    at = tail_size - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise zipfile.BadZipFile("no end of central directory")
    _, _, _, _, entries, directory_size, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
    if at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07" or entries > MAX_DIRECTORY_ENTRIES \
            or directory_size > MAX_DIRECTORY_BYTES:
        raise ModelError(f"{name} is not a Chain Rule Explorer model (its archive lists "
                         f"{f'{entries:,}' if entries != 0xFFFF else 'too many'} entries; a model has "
                         f"{len(MEMBERS)})")
    handle.seek(0)


def _check_members(infos, name: str) -> None:
    """Exactly our two members, whose unpacked sizes are bounded."""
    names = {info.filename for info in infos}
    if names != MEMBERS or len(infos) != len(MEMBERS):
        unknown = sorted(names - MEMBERS)
        detail = f"unknown entries {', '.join(unknown[:5])}" if unknown else "no meta/params inside"
        raise ModelError(f"{name} is not a Chain Rule Explorer model ({detail})")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_MODEL_BYTES:
        raise ModelError(f"{name} would unpack to {unpacked / 2**20:.1f} MB; a model is at most "
                         f"{MAX_MODEL_BYTES / 2**20:.0f} MB")


def _read_npy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> np.ndarray:
    """One member's array, after its header: a plain dtype whose declared size fits the member."""
    member = info.filename.removesuffix(".npy")
    with archive.open(info) as stream:
        try:
            version = np.lib.format.read_magic(stream)
        except ValueError:
            raise ModelError(f"{name}: {member} is not a NumPy array (.npy): the file is damaged "
                             "or was not saved by Chain Rule Explorer") from None
        if version == (1, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version in ((2, 0), (3, 0)):
            shape, _fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ModelError(f"{name}: {member} is in an unknown NPY version {version}")
        if dtype.hasobject:
            raise ModelError(f"{name}: {member} holds pickled Python objects, which are never opened "
                             "because they can run code")
        declared = math.prod(shape) * dtype.itemsize
        if member == "meta" and declared > 4 * MAX_META_CHARS:  # 4 bytes a character
            raise ModelError(f"{name}: the model description is too long")
        if declared > info.file_size:
            raise ModelError(f"{name}: {member} declares {declared / 2**20:,.0f} MB of data but holds "
                             f"{info.file_size / 2**20:,.1f} MB")
    with archive.open(info) as stream:
        return np.lib.format.read_array(stream, allow_pickle=False)


def _why_unreadable(exc: BaseException) -> str:
    """What went wrong opening the archive, in words."""
    if isinstance(exc, zipfile.BadZipFile):
        return "it is not a .npz archive: damaged, cut short, or another kind of file"
    if isinstance(exc, EOFError):
        return "it ends too early: the file was cut short"
    if isinstance(exc, ValueError) and "allow_pickle" in str(exc):
        return "it holds pickled Python objects, which are never opened because they can run code"
    if isinstance(exc, IsADirectoryError):
        return "that is a folder"
    if isinstance(exc, PermissionError):
        return "you do not have permission to read it"
    if isinstance(exc, MemoryError):
        return "it asks for more memory than there is"
    return f"{type(exc).__name__}: {str(exc)[:120]}"


def _current_version(meta, name: str) -> dict:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelError(f"{name} is not a Chain Rule Explorer model (its description has no "
                         f"'format': {FORMAT!r})")
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelError(f"{name}: unknown model format version {version!r}")
    if version > VERSION:
        raise ModelError(f"{name} was saved by a newer Chain Rule Explorer (format {version}); "
                         f"this one reads format {VERSION} — please update")
    while version < VERSION:
        meta = MIGRATIONS[version](meta)
        version += 1
        meta["version"] = version
    return meta


def _validate_schema(meta: dict, name: str) -> None:
    from jsonschema import Draft202012Validator

    too_long = oversized(meta, META_SCHEMA)
    if too_long:
        raise ModelError(f"{name}: the model description is not valid at {too_long[0]}: {too_long[1]}")
    errors = sorted(islice(Draft202012Validator(META_SCHEMA).iter_errors(meta), MAX_SCHEMA_ERRORS),
                    key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        error = errors[0]
        place = ".".join(str(p) for p in error.absolute_path) or "the top level"
        message = error.message
        if error.validator == "additionalProperties":
            message = message.replace("Additional properties are not allowed", "unknown key")
        raise ModelError(f"{name}: the model description is not valid at {place}: {message[:200]}")


def _parameter_place(spec: NetworkSpec, index: int) -> str:
    """"layer 2, W[0, 3]" for a position in the flat parameter vector."""
    sizes = spec.sizes
    start = 0
    for number, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:]), start=1):
        w_count = fan_in * fan_out
        if index < start + w_count:
            row, column = divmod(index - start, fan_out)
            return f"layer {number}, W[{row}, {column}]"
        if index < start + w_count + fan_out:
            return f"layer {number}, b[{index - start - w_count}]"
        start += w_count + fan_out
    return f"parameter {index}"
