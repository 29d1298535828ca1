"""The command line's files and limits: a save never replaces what is not a file, writes
through a link, takes a name of 250 bytes; a network too large to save cannot be built; a
gradient check too large to finish in seconds is refused with one ``error:`` line."""

import os
import stat
import time

import pytest

from chainrule_gui.__main__ import main
from chainrule_gui.core.nn.model_file import MAX_META_CHARS, MAX_MODEL_BYTES, load_model
from chainrule_gui.core.nn.spec import MAX_LAYERS, MAX_UNITS

posix = pytest.mark.skipif(os.name != "posix", reason="links and FIFOs as POSIX has them")
TRAIN = ["train", "--dataset", "xor", "--samples", "40", "--layers", "2,3,1", "--loss", "bce", "--epochs", "2"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_too_large_gradient_check_is_refused_at_once(capsys):
    started = time.perf_counter()
    code, out, err = run(capsys, "gradcheck", "--layers", "64,256,256,10")  # ran 8 minutes, silent
    assert time.perf_counter() - started < 10
    assert code == 2 and out == ""
    assert err.startswith("error: this network has 85,002 parameters") and "--max-parameters 85002" in err


def test_max_parameters_lets_a_person_choose_a_longer_check(capsys):
    code, _, err = run(capsys, "gradcheck", "--layers", "2,8,1", "--max-parameters", "10")
    assert code == 2 and "33 parameters" in err
    code, out, _ = run(capsys, "gradcheck", "--layers", "2,8,1", "--max-parameters", "33")
    assert code == 0 and "all layers agree" in out


def test_a_network_too_large_to_save_cannot_be_built(capsys):
    started = time.perf_counter()
    code, _, err = run(capsys, "train", "--dataset", "xor", "--layers", "2,4096,4096,4096,1", "--epochs", "1")
    assert code == 2 and "at most 30,000,000 fit in a model file" in err
    assert time.perf_counter() - started < 5  # refused before any weight is drawn


def test_what_can_be_built_can_be_saved_and_opened():
    from chainrule_gui.core.nn.spec import MAX_PARAMETERS

    # The largest parameter vector, its NPY header and the largest description fit the cap.
    assert MAX_PARAMETERS * 8 + 4 * MAX_META_CHARS + 4096 <= MAX_MODEL_BYTES
    assert MAX_UNITS * (MAX_UNITS + 1) * MAX_LAYERS > MAX_PARAMETERS  # so the cap is needed


@posix
def test_save_refuses_a_named_pipe_before_training(capsys, tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    code, out, err = run(capsys, *TRAIN, "--save", str(fifo))
    assert code == 2 and out == ""
    assert err.strip() == f"error: --save {fifo}: that is a named pipe (FIFO), not a file; choose another name"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # not turned into a regular file


@posix
def test_save_refuses_a_device_and_leaves_it_a_device(capsys, tmp_path):
    link = tmp_path / "out.npz"
    link.symlink_to("/dev/null")  # what --save /dev/full did, without touching a real device
    code, _, err = run(capsys, *TRAIN, "--save", str(link))
    assert code == 2 and "that is a device" in err
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


@posix
def test_save_writes_through_a_link_and_takes_a_long_name(capsys, tmp_path):
    name = "m" * 246 + ".npz"  # 250 bytes: legal, and longer than the old temporary allowed
    real = tmp_path / "kept" / name
    real.parent.mkdir()
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    for target in (real, link):
        code, _, err = run(capsys, *TRAIN, "--save", str(target))
        assert code == 0, err
    assert link.is_symlink() and load_model(real)[0].sizes == (2, 3, 1)
    assert sorted(p.name for p in real.parent.iterdir()) == [name]


def test_a_longer_check_shows_its_progress_on_a_terminal(capsys, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(capsys, "gradcheck", "--layers", "2,16,16,1", "--seed", "0")
    assert code == 0 and "all layers agree" in out
    assert "gradient check: 0/337 parameters" in err and err.rstrip().endswith("gradient check: 337/337 parameters")


def test_max_parameters_must_be_positive(capsys):
    code, _, err = run(capsys, "gradcheck", "--layers", "2,3,1", "--max-parameters", "0")
    assert code == 2 and err.startswith("error: --max-parameters must be a whole number of at least 1")
