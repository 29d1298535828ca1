"""Hypothesis: whatever a session, model or CSV file holds, its loader answers with the file
or with its own error (a sentence), never with another exception."""

import io
import json
import zipfile

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.files import FileFormatError
from chainrule_gui.core.nn.csv_import import read_csv_text
from chainrule_gui.core.nn.model_file import load_model
from chainrule_gui.core.session import Session, session_from_bytes

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
