"""Saving writes the person's *file* and reading opens only files: a symbolic link is written
through, a hard link and the permissions are kept, a folder, named pipe or device is refused
with the person's path named, names up to the system's limit save, and a named pipe or
/dev/zero under a session's or model's name is refused at once instead of hanging."""

import os
import stat
import threading

import pytest

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.files.atomic import FileFormatError, read_limited
from chainrule_gui.core.files.session import Session, load_session, save_session
from chainrule_gui.core.nn.model_file import load_model, save_model
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.spec import spec_from_sizes

posix = pytest.mark.skipif(os.name != "posix", reason="links, modes and FIFOs as POSIX has them")


def no_leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


@posix
def test_a_symbolic_link_is_written_through_to_its_file(tmp_path):
    real = tmp_path / "kept" / "s.json"
    real.parent.mkdir()
    save_session(Session(text="y = x"), real)
    link = tmp_path / "s.json"
    link.symlink_to(real)
    save_session(Session(text="y = 2*x"), link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_session(real).text == "y = 2*x"
    assert no_leftovers(tmp_path) and no_leftovers(real.parent)


@posix
def test_a_dangling_symbolic_link_creates_the_file_it_names(tmp_path):
    link = tmp_path / "s.json"
    link.symlink_to(tmp_path / "there.json")
    save_session(Session(text="y = x"), link)
    assert link.is_symlink() and load_session(tmp_path / "there.json").text == "y = x"


@posix
def test_a_hard_link_is_kept_and_both_names_see_the_save(tmp_path):
    first = tmp_path / "a.json"
    save_session(Session(text="y = x"), first)
    second = tmp_path / "b.json"
    os.link(first, second)
    save_session(Session(text="y = 3*x + 1"), first)
    assert os.stat(first).st_ino == os.stat(second).st_ino and os.stat(first).st_nlink == 2
    assert load_session(second).text == "y = 3*x + 1"
    save_session(Session(text="y = x"), second)  # shorter: the rest is cut off, not left behind
    assert load_session(first).text == "y = x"
    assert no_leftovers(tmp_path)


@posix
def test_the_files_permissions_are_kept(tmp_path):
    path = tmp_path / "s.json"
    save_session(Session(text="y = x"), path)
    os.chmod(path, 0o664)
    save_session(Session(text="y = 2*x"), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o664


@posix
def test_a_new_file_gets_the_umask_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        save_session(Session(text="y = x"), tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o644


@posix
@pytest.mark.parametrize("make, words", [
    (lambda p: os.mkfifo(p), "named pipe"),
    (lambda p: p.mkdir(), "folder"),
])
def test_a_non_file_at_the_path_is_refused_naming_the_path(tmp_path, make, words):
    path = tmp_path / "target.json"
    make(path)
    with pytest.raises(OSError) as info:
        save_session(Session(text="y = x"), path)
    assert info.value.filename == str(path) and words in info.value.strerror
    assert not path.is_file() and no_leftovers(tmp_path)


@posix
def test_a_device_is_refused_not_replaced(tmp_path):
    link = tmp_path / "out.npz"
    link.symlink_to("/dev/null")
    network = Network.initialized(spec_from_sizes((2, 3, 1)))
    with pytest.raises(ModelError, match="out.npz: that is a device"):
        save_model(link, network)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_name_of_255_bytes_saves_and_an_error_names_the_users_file(tmp_path):
    name = "é" * 122 + ".json"  # 249 bytes in UTF-8: legal, longer than the old temporary allowed
    assert len(os.fsencode(name)) <= 255
    save_session(Session(text="y = x"), tmp_path / name)
    assert load_session(tmp_path / name).text == "y = x"
    save_session(Session(text="y = 2*x"), tmp_path / name)
    assert no_leftovers(tmp_path)
    too_long = tmp_path / ("n" * 300 + ".json")
    with pytest.raises(OSError) as info:
        save_session(Session(text="y = x"), too_long)
    assert info.value.filename == str(too_long)


def test_a_missing_folder_names_the_users_file(tmp_path):
    path = tmp_path / "no such folder" / "s.json"
    with pytest.raises(FileNotFoundError) as info:
        save_session(Session(text="y = x"), path)
    assert info.value.filename == str(path)


def finishes(action, seconds=5.0):
    """Run ``action`` on a thread; its outcome, or a failure if it is still blocked."""
    outcome = {}

    def run():
        try:
            outcome["value"] = action()
        except BaseException as exc:  # noqa: BLE001 - the outcome is what is tested
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the loader blocked"
    return outcome


@posix
@pytest.mark.parametrize("loader, error", [(load_session, FileFormatError), (load_model, ModelError)])
def test_a_fifo_is_refused_at_once(tmp_path, loader, error):
    path = tmp_path / "file"
    os.mkfifo(path)
    outcome = finishes(lambda: loader(path))
    assert isinstance(outcome.get("error"), error) and "named pipe" in str(outcome["error"])


@posix
@pytest.mark.parametrize("loader, error", [(load_session, FileFormatError), (load_model, ModelError),
                                           (read_limited, FileFormatError)])
def test_a_link_to_dev_zero_is_refused_without_reading(tmp_path, loader, error):
    path = tmp_path / "file"
    path.symlink_to("/dev/zero")
    outcome = finishes(lambda: loader(path))
    assert isinstance(outcome.get("error"), error) and "device" in str(outcome["error"])


@posix
def test_a_hard_linked_file_that_cannot_be_written_keeps_the_new_content_beside_it(tmp_path, monkeypatch):
    from chainrule_gui.core.files import atomic as files

    first = tmp_path / "a.json"
    save_session(Session(text="y = x"), first)
    os.link(first, tmp_path / "b.json")

    def disk_full(target, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_write_in_place", disk_full)
    with pytest.raises(OSError) as info:
        save_session(Session(text="y = 5*x"), first)
    assert info.value.filename == str(first) and "No space left" in info.value.strerror
    kept = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(kept) == 1 and kept[0].name in info.value.strerror
    assert '"text": "y = 5*x"' in kept[0].read_text()
