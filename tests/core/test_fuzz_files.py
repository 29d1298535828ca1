"""Hypothesis: whatever a session, model or CSV file holds, its loader answers with the file
or with its own error (a sentence), never with another exception."""

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.files.atomic import FileFormatError
from chainrule_gui.core.files.session import Session, session_from_bytes
from chainrule_gui.core.nn.csv_import import read_csv_text
from chainrule_gui.core.nn.model_file import load_model

GOOD_SESSION = json.loads(Session(text="z = x^2 + sin(x*y)\nx = t^2\ny = e^t", of="z", wrt="t",
                                  point={"t": 0.5}, ranges={"t": (-1.0, 2.0)}).to_json())
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                    st.sampled_from(["z", "t", "x", "__import__('os')", "9^9^9", "sinn(t)", "tree", "both"]))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=12)


def paths(obj, prefix=()):
    """Every place in a JSON object: (path of keys) for dicts' values and lists' items."""
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from paths(value, prefix + (key,))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield from paths(value, prefix + (index,))


ALL_PATHS = list(paths(GOOD_SESSION))[1:]


def mutated(path, value):
    obj = json.loads(json.dumps(GOOD_SESSION))
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@settings(max_examples=600)
@given(place=st.sampled_from(ALL_PATHS), value=JSON_VALUES, extra=st.one_of(st.none(), st.text(max_size=10)))
def test_a_session_with_any_value_anywhere_loads_or_is_refused(place, value, extra):
    obj = mutated(place, value)
    if extra is not None:
        obj[extra] = 1
    data = json.dumps(obj, allow_nan=True).encode()
    for allow in (False, True):
        try:
            session_from_bytes(data, allow_text_errors=allow)
        except FileFormatError as error:
            assert str(error)


@settings(max_examples=600)
@given(st.binary(max_size=300))
def test_any_bytes_as_a_session_load_or_are_refused(data):
    try:
        session_from_bytes(data)
    except FileFormatError as error:
        assert str(error)


def model_file(meta_text: str, params) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in (("meta.npy", np.array(meta_text)), ("params.npy", params)):
            member = io.BytesIO()
            np.save(member, array, allow_pickle=False)
            archive.writestr(name, member.getvalue())
    return buffer.getvalue()


GOOD_META = {"format": "chainrule-gui model", "version": 1,
             "spec": {"input_size": 2, "layers": [{"units": 3, "activation": "tanh", "frozen": False},
                                                  {"units": 1, "activation": "identity", "frozen": False}],
                      "loss": "mse", "init": "xavier", "init_scale": 1.0, "seed": 0, "name": ""},
             "training": {"optimizer": "sgd", "lr": 0.1}, "step": 0}
META_PATHS = list(paths(GOOD_META))[1:]


@settings(max_examples=400)
@given(place=st.sampled_from(META_PATHS), value=JSON_VALUES,
       count=st.sampled_from([13, 12, 0, 14]), fill=st.sampled_from([0.5, np.nan, np.inf]))
def test_a_model_with_any_value_anywhere_loads_or_is_refused(tmp_path_factory, place, value, count, fill):
    meta = json.loads(json.dumps(GOOD_META))
    target = meta
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    path = tmp_path_factory.mktemp("m") / "m.npz"
    path.write_bytes(model_file(json.dumps(meta, allow_nan=True), np.full(count, fill)))
    try:
        load_model(path)
    except ModelError as error:
        assert str(error).startswith("m.npz")


@settings(max_examples=600)
@given(st.text(alphabet="0123456789.,;\t\n\"'=+-@eE naifx\x00", max_size=200))
def test_any_csv_text_reads_or_is_refused(text):
    try:
        names, values = read_csv_text(text)
    except ModelError as error:
        assert str(error)
    else:
        assert values.shape[1] == len(names) and np.isfinite(values).all()


# -- the container: the zip and NPY bytes themselves, not only what they hold ---------------------
GOOD_MODEL = model_file(json.dumps(GOOD_META), np.full(13, 0.5))


def load_bytes(tmp_path_factory, data: bytes):
    path = tmp_path_factory.mktemp("c") / "c.npz"
    path.write_bytes(data)
    try:
        load_model(path)
    except ModelError as error:
        assert str(error).startswith("c.npz") or "c.npz" in str(error)


@settings(max_examples=400)
@given(edits=st.lists(st.tuples(st.integers(0, len(GOOD_MODEL) - 1), st.binary(min_size=1, max_size=8)),
                      min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.integers(0, len(GOOD_MODEL))))
def test_a_model_file_with_any_bytes_overwritten_loads_or_is_refused(tmp_path_factory, edits, cut):
    data = bytearray(GOOD_MODEL)
    for at, new in edits:
        data[at:at + len(new)] = new
    load_bytes(tmp_path_factory, bytes(data[:cut] if cut is not None else data))


DESCRS = st.sampled_from(["<f8", ">f8", "<f4", "<f2", "<i8", "|b1", "<c16", "|O", "<U5", "|S3", "|V8",
                          "<M8[s]", "<f16", "bogus", [("a", "<f8")], "<f8 "])
SHAPES = st.one_of(st.tuples(st.integers(0, 10**13)), st.lists(st.integers(0, 10**6), max_size=4).map(tuple),
                   st.just(()), st.sampled_from([(-1,), (13,), (1, 13), (13, 1)]))


def npy_member(descr, shape, fortran, tail: bytes, version) -> bytes:
    header = {"descr": descr, "fortran_order": fortran, "shape": shape}
    buffer = io.BytesIO()
    try:
        np.lib.format.write_array_header_1_0(buffer, header) if version == 1 else \
            np.lib.format.write_array_header_2_0(buffer, header)
    except Exception:  # noqa: BLE001 - numpy refuses some headers: write one by hand then
        text = repr(header).encode("latin1", "replace")
        buffer = io.BytesIO(b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text)
    return buffer.getvalue() + tail


@settings(max_examples=400)
@given(member=st.sampled_from(["meta.npy", "params.npy"]), descr=DESCRS, shape=SHAPES, fortran=st.booleans(),
       tail=st.binary(max_size=200), version=st.sampled_from([1, 2]))
def test_a_model_with_any_npy_header_loads_or_is_refused(tmp_path_factory, member, descr, shape, fortran, tail,
                                                         version):
    members = {"meta.npy": None, "params.npy": None}
    with zipfile.ZipFile(io.BytesIO(GOOD_MODEL)) as archive:
        for name in members:
            members[name] = archive.read(name)
    members[member] = npy_member(descr, shape, fortran, tail, version)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    load_bytes(tmp_path_factory, buffer.getvalue())


@pytest.mark.filterwarnings("ignore:Duplicate name")
@settings(max_examples=300)
@given(members=st.lists(st.tuples(st.sampled_from(["meta.npy", "params.npy", "meta", "x.npy", "../params.npy",
                                                   "params.npy/", ""]),
                                  st.binary(max_size=100)), max_size=5),
       compression=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2]),
       comment=st.binary(max_size=40), prefix=st.binary(max_size=40))
def test_any_zip_as_a_model_loads_or_is_refused(tmp_path_factory, members, compression, comment, prefix):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.comment = comment
        for name, data in members:
            if name:
                archive.writestr(name, data)
    load_bytes(tmp_path_factory, prefix + buffer.getvalue())


# -- what the app writes, it can open ---------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(tail=st.from_regex(r"[a-zA-Z0-9_]{0,20}", fullmatch=True), length=st.integers(0, 300),
       value=st.floats(-1e9, 1e9), low=st.floats(-1e9, 0), cut=st.booleans())
def test_a_session_the_app_writes_it_opens_again(tail, length, value, low, cut):
    name = "q" + tail + "x" * length  # any length the parser reads (a 64-character cap made such work unopenable)
    text = f"z = u*2 + 1\nu = sin({name})"
    session = Session(text=text, of="z", wrt=name, point={name: value}, ranges={name: (low, low + 1.0)},
                      cut=(("z", "u"),) if cut else ())
    assert session_from_bytes(session.to_json().encode()) == session
