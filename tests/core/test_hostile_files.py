"""Small hostile files cost little: a session or model description full of errors, an archive
whose directory lists thousands of entries, an NPY header declaring 10¹² elements or no NPY
at all — each is refused with the loader's own error, with little memory, without
building what the file describes."""

import io
import json
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.files.atomic import FileFormatError
from chainrule_gui.core.files.session import session_from_bytes
from chainrule_gui.core.nn.model_file import load_model
from tests.core.test_fuzz_files import GOOD_META, GOOD_SESSION, model_file


def cost(action):
    """(error raised, peak MB of Python allocations) of running ``action``.

    The peak is what separates a cheap refusal from building what the file describes, and,
    unlike seconds, it does not depend on how busy the machine is (time is measured in
    tests/benchmarks/reliability_report.py)."""
    tracemalloc.start()
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - the outcome is what is measured
        error = exc
    else:
        error = None
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return error, peak


@pytest.mark.parametrize("entries, words", [
    (440_000, "more than 100,000 values"),  # counted before parsing
    (20_000, "expression.cut: it has 20,000 entries; at most 500"),  # measured before the schema
])
def test_a_session_with_a_huge_cut_is_refused_cheaply(entries, words):
    obj = json.loads(json.dumps(GOOD_SESSION))
    obj["expression"]["cut"] = [["a", "b"]] * entries
    data = json.dumps(obj, separators=(",", ":")).encode()
    assert len(data) < 5 * 2**20  # under the size cap: it gets past the first gate
    error, peak = cost(lambda: session_from_bytes(data))
    assert isinstance(error, FileFormatError) and words in str(error), error
    assert peak < 100, peak  # 440,000 took 30–76 s and 4.6 GB


def npz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def test_a_model_description_full_of_errors_is_refused_cheaply(tmp_path):
    meta = json.loads(json.dumps(GOOD_META))
    meta["spec"]["layers"] = [{"units": "x", "activation": 0}] * 29_000
    text = json.dumps(meta)
    assert len(text) < 1_000_000
    path = tmp_path / "m.npz"
    path.write_bytes(model_file(text, np.zeros(13)))
    error, peak = cost(lambda: load_model(path))
    assert isinstance(error, ModelError) and "spec.layers" in str(error)
    assert peak < 150, peak  # was 5 s and 874 MB


def crafted_zip(entries: int) -> bytes:
    """An archive whose central directory lists ``entries`` empty files (written directly:
    zipfile would take minutes to write as many)."""
    records = []
    for i in range(entries):
        name = f"{i:07d}".encode()
        records.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0,
                                   len(name), 0, 0, 0, 0, 0, 0) + name)
    directory = b"".join(records)
    count = min(entries, 0xFFFF)
    return directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), 0, 0)


@pytest.mark.parametrize("entries, words", [(60_000, "lists 60,000 entries"),
                                            (70_000, "lists too many entries")])  # beyond 16 bits: zip64
def test_an_archive_listing_many_entries_is_refused_from_its_end_record(tmp_path, entries, words):
    path = tmp_path / "many.npz"
    path.write_bytes(crafted_zip(entries))
    error, peak = cost(lambda: load_model(path))
    assert isinstance(error, ModelError) and words in str(error), error
    assert peak < 5, peak  # its directory is never parsed (3 million entries took 27 s, 1.8 GB)


def header_only(shape, descr="<f8") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue() + b"\0" * 64


@pytest.mark.parametrize("params, words", [
    (header_only((10**12,)), "declares 7,629,395 MB"),
    (header_only((10**6, 10**6, 10**6)), "declares"),
    (b"not an npy file at all, just bytes", "params is not a NumPy array"),
    (b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f8'", "not a readable model file"),
    (header_only((3,), "|O"), "pickled Python objects"),
])
def test_a_lying_npy_member_is_refused_with_a_model_error(tmp_path, params, words):
    path = tmp_path / "m.npz"
    path.write_bytes(npz({"meta.npy": npy(np.array(json.dumps(GOOD_META))), "params.npy": params}))
    error, peak = cost(lambda: load_model(path))
    assert isinstance(error, ModelError), repr(error)
    assert words in str(error) and str(error).startswith("m.npz")
    assert peak < 20, peak
