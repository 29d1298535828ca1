"""Model files from other people: every gate of the loader refuses with the problem and the
place, nothing is unpickled or inflated, and a save killed midway leaves a model that loads."""

import io
import json
import zipfile

import numpy as np
import pytest

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.files.atomic import remove_stale_temporaries
from chainrule_gui.core.nn import model_file
from chainrule_gui.core.nn.model_file import load_model, save_model
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.spec import spec_from_sizes
from tests.reliability.faults import kill_during_save


def small_net():
    return Network.initialized(spec_from_sizes((2, 5, 3), "relu", "softmax_ce", seed=7))


def good_meta_and_params(tmp_path):
    path = tmp_path / "good.npz"
    save_model(path, small_net(), training={"optimizer": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999,
                                            "eps": 1e-8, "batch_size": 32, "l2": 0.0, "dataset": "xor"}, step=3)
    with np.load(path) as archive:
        return str(archive["meta"]), archive["params"]


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def write_zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def refused(tmp_path, meta_text, params, words) -> str:
    path = tmp_path / "bad.npz"
    write_zip(path, {"meta.npy": npy(np.array(meta_text)), "params.npy": npy(params)})
    with pytest.raises(ModelError) as info:
        load_model(path)
    message = str(info.value)
    assert words in message, message
    assert message.startswith("bad.npz")  # every message names the file
    return message


def test_a_saved_model_passes_every_gate(tmp_path):
    meta, params = good_meta_and_params(tmp_path)
    network, loaded = load_model(tmp_path / "good.npz")
    assert loaded["training"]["lr"] == 0.01 and loaded["saved_by"].startswith("chainrule-gui")
    np.testing.assert_array_equal(network.params, params)


@pytest.mark.parametrize("edit, words", [
    (lambda t: t.replace('"lr": 0.01', '"lr": NaN'), "NaN"),
    (lambda t: t.replace('"lr": 0.01', '"lr": Infinity'), "Infinity"),
    (lambda t: t.replace('"lr": 0.01', '"lr": 1e400'), "too large to be a finite number"),
    (lambda t: t.replace('"step": 3', '"step": ' + "9" * 5000), "cannot be read as JSON"),
    (lambda t: t.replace('"step": 3', '"step": 3, "step": 4'), "appears twice"),
    (lambda t: t.replace('"step": 3', '"step": ' + "[" * 1000 + "]" * 1000), "nests brackets"),
    (lambda t: t.replace('"step": 3', '"step": 3, "on_load": "__import__(\'os\')"'),
     "not valid at the top level: unknown key"),
    (lambda t: t.replace('"lr": 0.01', '"lr": 0.01, "exec": "rm -rf"'), "training: unknown key"),
    (lambda t: t.replace('"version": 1', '"version": 7'), "newer Chain Rule Explorer"),
    (lambda t: t.replace('"version": 1', '"version": "1"'), "unknown model format version"),
    (lambda t: t.replace('"format": "chainrule-gui model"', '"format": "keras"'), "not a Chain Rule Explorer model"),
    (lambda t: t.replace('"lr": 0.01', '"lr": -1'), "training.lr"),
    (lambda t: t.replace('"batch_size": 32', '"batch_size": 0.5'), "training.batch_size"),
    (lambda t: t.replace('"activation": "relu"', '"activation": "__import__"'), "spec.layers.0.activation"),
    (lambda t: t.replace('"units": 5', '"units": 100000'), "spec.layers.0.units"),
    (lambda t: t.replace('"seed": 7', '"seed": -1'), "spec.seed"),
    (lambda t: "{not json", "not valid JSON"),
    (lambda t: "[1, 2]", "not a Chain Rule Explorer model"),
])
def test_bad_descriptions_are_refused_with_the_place(tmp_path, edit, words):
    meta, params = good_meta_and_params(tmp_path)
    assert edit(meta) != meta
    refused(tmp_path, edit(meta), params, words)


@pytest.mark.parametrize("params, words", [
    (lambda p: np.where(np.arange(p.size) == 7, np.nan, p), "the first at layer 1, W[1, 2]"),
    (lambda p: np.where(np.arange(p.size) == p.size - 1, np.inf, p), "layer 2, b[2]"),
    (lambda p: p[:-1], "needs 33 parameters, the file has 32"),
    (lambda p: np.concatenate([p, p]), "needs 33 parameters, the file has 66"),
    (lambda p: p.reshape(3, 11), "not a vector of numbers"),
    (lambda p: p.astype(np.int64), "not a vector of numbers"),
    (lambda p: p.astype(np.complex128), "not a vector of numbers"),
    (lambda p: np.array(["1.0"] * p.size), "not a vector of numbers"),
])
def test_bad_weights_are_refused_with_the_place(tmp_path, params, words):
    meta, good = good_meta_and_params(tmp_path)
    refused(tmp_path, meta, params(good), words)


def test_a_pickle_inside_is_never_loaded(tmp_path):
    meta, params = good_meta_and_params(tmp_path)
    path = tmp_path / "pickled.npz"
    np.savez(path, params=params, meta=np.array([{"format": "chainrule-gui model"}], dtype=object))
    with pytest.raises(ModelError, match="pickled Python objects, which are never opened"):
        load_model(path)


def test_extra_members_are_refused(tmp_path):
    meta, params = good_meta_and_params(tmp_path)
    path = tmp_path / "extra.npz"
    write_zip(path, {"meta.npy": npy(np.array(meta)), "params.npy": npy(params), "run_me.py": b"print(1)"})
    with pytest.raises(ModelError, match="unknown entries run_me.py"):
        load_model(path)


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    meta, params = good_meta_and_params(tmp_path)
    path = tmp_path / "bomb.npz"
    huge = np.zeros(4_000_000)  # 32 MB of zeros deflate to ~30 kB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.npy", npy(np.array(meta)))
        archive.writestr("params.npy", npy(huge))
    assert path.stat().st_size < 200_000
    monkeypatch.setattr(model_file, "MAX_MODEL_BYTES", 8 * 1024 * 1024)
    with pytest.raises(ModelError, match="would unpack to 30.5 MB"):
        load_model(path)


def test_a_huge_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.npz"
    with open(path, "wb") as handle:
        handle.seek(model_file.MAX_MODEL_BYTES + 1)
        handle.write(b"0")
    with pytest.raises(ModelError, match="huge.npz: the file is too large"):
        load_model(path)


def test_not_a_zip_and_missing_files(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ModelError, match="not a readable model file"):
        load_model(junk)
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "none.npz")
    with pytest.raises(ModelError, match="cannot read|not a readable|is a folder"):
        load_model(tmp_path)  # a folder


def test_killed_during_save_the_model_always_loads(tmp_path):
    result = kill_during_save("model", tmp_path, rounds=8)
    assert result["loaded"] == result["rounds"], result["errors"]  # never half-written
    remove_stale_temporaries(tmp_path, "model.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_the_file_written_is_plain_json_inside(tmp_path):
    path = tmp_path / "m.npz"
    save_model(path, small_net(), training={"lr": 0.5})
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["meta.npy", "params.npy"]
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(str(archive["meta"]))
    assert meta["format"] == "chainrule-gui model" and meta["training"] == {"lr": 0.5}
