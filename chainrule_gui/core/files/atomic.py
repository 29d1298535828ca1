"""Writing and reading files safely: atomic saves and strict, bounded JSON.

A file written in place and interrupted (a crash, a full disk, a killed process) is left
half-written; measured here, 20 of 20 kills mid-write corrupted the file.  So every save
goes to a temporary file in the same folder, is flushed to disk, and then replaces the
target in one step (``os.replace``): the target is always either the old or the new file.
The save is of the person's *file*, not of the name: a symbolic link is written through to
the file it names, the file keeps its permissions, a file with other hard links is updated
in place (see :func:`atomic_write_bytes`), and a folder, named pipe or device at the path is
refused rather than replaced.

Reading opens only regular files, without blocking (a named pipe or ``/dev/zero`` under a
session's name would hang or fill memory), and refuses one over its size cap before reading.

Python's ``json`` accepts ``NaN``, ``Infinity`` and duplicate keys, reads ``1e400`` as
infinity and recurses without limit; :func:`load_strict_json` refuses all of these with a
message that names the place.
"""

from __future__ import annotations

import errno
import glob
import json
import math
import os
import re
import secrets
import stat
import time
from pathlib import Path

from chainrule_gui.core.errors import ChainRuleError

#: Largest session or model description we read (bytes).
MAX_JSON_BYTES = 5 * 1024 * 1024
#: Deepest nesting of brackets we read.
MAX_JSON_DEPTH = 64
#: Most lists, objects and items we read in one file (a model's data keeps up to 8,192
#: numbers; a session a few thousand).
MAX_JSON_VALUES = 100_000
#: A temporary of an atomic save untouched this long belongs to a save that was killed.
STALE_TEMPORARY_S = 600.0


class FileFormatError(ChainRuleError):
    """A file cannot be used; the message names the problem and the place in the file."""


class FileTooLargeError(FileFormatError):
    """The file is over the reader's size cap (found before it was read)."""


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that the file is never seen half-written.

    Errors are ``OSError`` whose ``filename`` is ``path`` (never the temporary) and whose
    ``strerror`` is the reason.  A path that is a symbolic link is written through to its
    file.  A file with several hard links is written in place, so every name sees the new
    content — after a complete copy is on disk beside it, so even then the new content
    exists whole; that copy is removed once the file is written.
    """
    target = Path(path)
    try:
        _atomic_write(Path(os.path.realpath(target)), data)
    except OSError as exc:
        # The person chose ``path``: name it, not the temporary or the link's target.
        raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from None


def check_save_target(path: str | os.PathLike) -> None:
    """OSError (naming ``path``) if a save to ``path`` would be refused because something
    other than a file is there: asked before long work whose result goes there."""
    try:
        _existing_file(Path(os.path.realpath(path)))
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None


def _existing_file(target: Path) -> os.stat_result | None:
    """The stat of the regular file at ``target``, None if there is none, OSError if a
    folder, named pipe, device or socket is there (replacing it is never what was meant)."""
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(existing.st_mode):
        raise OSError(errno.EISDIR if stat.S_ISDIR(existing.st_mode) else errno.EINVAL,
                      f"that is {_kind(existing.st_mode)}, not a file; choose another name")
    return existing


def _atomic_write(target: Path, data: bytes) -> None:
    directory = target.parent
    existing = _existing_file(target)
    temp = _write_temporary(directory, target.name, data, existing)
    if existing is not None and existing.st_nlink > 1:
        _update_in_place(target, temp, data)
    else:
        try:
            os.replace(temp, target)
        except BaseException:
            _remove(temp)
            raise
    _fsync_directory(directory)
    # A save killed earlier left its temporary behind; one older than any save in
    # progress (another process writing the same file) is garbage.
    remove_stale_temporaries(directory, target.name, older_than=STALE_TEMPORARY_S)


def _write_temporary(directory: Path, name: str, data: bytes, existing: os.stat_result | None) -> Path:
    """A complete, flushed copy of ``data`` beside the target, with the target's mode
    (a new file gets what the umask gives, as ``open`` would)."""
    prefix = _temporary_prefix(directory, name)
    for _ in range(100):
        temp = directory / f"{prefix}{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise OSError(errno.EEXIST, "no temporary name is free in that folder")
    try:
        with os.fdopen(fd, "wb") as handle:
            if existing is not None and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), stat.S_IMODE(existing.st_mode))
                try:  # only root may give a file away; anyone may keep their own group
                    os.fchown(handle.fileno(), existing.st_uid, existing.st_gid)
                except (OSError, AttributeError):  # AttributeError: Windows has fchmod, not fchown
                    pass
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _remove(temp)
        raise
    return temp


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _update_in_place(target: Path, temp: Path, data: bytes) -> None:
    """Overwrite a file other hard links share (its inode, so every name sees the save).
    The complete copy at ``temp`` is removed after; if the write fails, the file may be
    half-written, so the copy is kept and the message names it."""
    try:
        _write_in_place(target, data)
    except OSError as exc:
        raise OSError(exc.errno, f"{exc.strerror or exc}; the complete new content was kept in "
                                 f"{temp.name} beside it") from None
    _remove(temp)


def _write_in_place(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def _name_max(directory: Path) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _temporary_prefix(directory: Path, name: str) -> str:
    """``.~NAME.`` with NAME shortened so that the temporary's name (8 random hex digits
    and ``.tmp`` added) fits the folder's name limit: a legal name of 255 bytes can be saved."""
    room = _name_max(directory) - len(".~") - len(".") - 8 - len(".tmp")
    return f".~{_shorten(name, room)}."


def _shorten(name: str, room: int) -> str:
    """The longest start of ``name`` whose file-system encoding fits in ``room`` bytes."""
    while name and len(os.fsencode(name)) > room:
        name = name[:-1]
    return name


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(directory: str | os.PathLike, name: str, older_than: float = 0.0) -> None:
    """Delete temporaries a killed save left behind next to ``name`` (those last written
    more than ``older_than`` seconds ago)."""
    now = time.time()
    prefix = _temporary_prefix(Path(directory), name)
    for leftover in Path(directory).glob(f"{glob.escape(prefix)}*.tmp"):
        try:
            if older_than <= 0 or now - leftover.stat().st_mtime > older_than:
                leftover.unlink()
        except OSError:
            pass


def open_regular(path: str | os.PathLike, limit: int):
    """The file at ``path`` opened for reading (binary), or FileFormatError saying why not.

    Only a regular file is opened (a symbolic link to one is fine): a named pipe would block
    forever and ``/dev/zero`` never ends.  It is checked before opening, and opened without
    blocking and checked again, so nothing swapped in between can hang the caller.  A file
    over ``limit`` bytes is refused before any of it is read.
    """
    try:
        _check_regular(os.stat(path), limit)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise FileFormatError("the file does not exist (it may have been moved or deleted)") from None
    except PermissionError:
        raise FileFormatError("you do not have permission to read the file") from None
    except OSError as exc:
        raise FileFormatError(f"the file cannot be read: {exc.strerror or exc}") from None
    try:
        _check_regular(os.fstat(fd), limit)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _check_regular(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise FileFormatError(f"that is {_kind(info.st_mode)}, not a file")
    if info.st_size > limit:
        raise FileTooLargeError(f"the file is too large ({info.st_size / 1e6:.1f} MB; at most {limit / 1e6:.0f} MB)")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_limited(path: str | os.PathLike, limit: int = MAX_JSON_BYTES) -> bytes:
    """The file's bytes, refusing anything but a regular file of at most ``limit`` bytes
    before reading it."""
    with open_regular(path, limit) as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileFormatError(f"the file cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew after it was checked
        raise FileTooLargeError(f"the file is too large (at most {limit / 1e6:.0f} MB)")
    return data


def _reject_constant(name: str):
    raise FileFormatError(f"the file contains {name}, which is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise FileFormatError(f"the number {text[:20]} is too large to be a finite number")
    return value


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise FileFormatError(f"the key {key!r} appears twice in the same object")
        result[key] = value
    return result


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def _check_shape(text: str) -> None:
    """Refuse nesting over MAX_JSON_DEPTH and more than MAX_JSON_VALUES lists, objects and
    items before parsing: building 2 million small lists took the parser a second, and a
    Python loop over each character another half (a 4 MB file)."""
    import numpy as np

    outside = _STRING.sub("", text)  # brackets and commas in strings are not structure
    # In UTF-8 no byte of a multi-byte character is ASCII: the bytes are the structure.
    codes = np.frombuffer(outside.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    opens = (codes == ord("[")) | (codes == ord("{"))
    if np.count_nonzero(opens) + outside.count(",") > MAX_JSON_VALUES:
        raise FileFormatError(f"the file holds more than {MAX_JSON_VALUES:,} values; sessions and model "
                              "descriptions hold far fewer")
    depth = np.cumsum(opens.astype(np.int8) - ((codes == ord("]")) | (codes == ord("}"))), dtype=np.int64)
    if depth.size and depth.max() > MAX_JSON_DEPTH:
        raise FileFormatError(f"the file nests brackets more than {MAX_JSON_DEPTH} deep")


def load_strict_json(data: bytes):
    """Parse JSON strictly: UTF-8, no NaN/Infinity, no duplicate keys, bounded depth."""
    if len(data) > MAX_JSON_BYTES:
        raise FileFormatError(f"the file is too large (at most {MAX_JSON_BYTES / 1e6:.0f} MB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"the file is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise FileFormatError("the file is empty")
    _check_shape(text)
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float,
                          object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"the file is not valid JSON: {exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno}") from None
    except (RecursionError, ValueError) as exc:  # e.g. integers over 4300 digits
        raise FileFormatError(f"the file cannot be read as JSON: {exc}") from None


def oversized(obj, schema: dict, place: tuple = ()) -> tuple[str, str] | None:
    """The first list, object or string in ``obj`` longer than ``schema`` allows (its
    ``maxItems``, ``maxProperties``, ``maxLength``), as (place, what is wrong), or None.

    Checked before the schema itself: a validator looks at every item of a list before it
    says the list is too long (440,000 entries took 30–76 s and 4.6 GB), this looks at
    the length first and walks only into what is short enough.
    """
    if isinstance(obj, list):
        limit = schema.get("maxItems")
        if limit is not None and len(obj) > limit:
            return _place(place), f"it has {len(obj):,} entries; at most {limit:,} are allowed"
        prefix, items = schema.get("prefixItems", []), schema.get("items")
        children = ((i, v, prefix[i] if i < len(prefix) else items) for i, v in enumerate(obj))
    elif isinstance(obj, dict):
        limit = schema.get("maxProperties")
        if limit is not None and len(obj) > limit:
            return _place(place), f"it has {len(obj):,} entries; at most {limit:,} are allowed"
        properties, other = schema.get("properties", {}), schema.get("additionalProperties")
        children = ((k, v, properties.get(k, other)) for k, v in obj.items())
    elif isinstance(obj, str):
        limit = schema.get("maxLength")
        if limit is not None and len(obj) > limit:
            return _place(place), f"it is {len(obj):,} characters long; at most {limit:,} are allowed"
        return None
    else:
        return None
    for key, value, child in children:
        if isinstance(child, dict):
            found = oversized(value, child, place + (key,))
            if found:
                return found
    return None


def _place(place: tuple) -> str:
    return ".".join(str(p) for p in place) or "the top level"


def dump_json(obj) -> str:
    """JSON for our files: strict (``allow_nan=False``), readable, newline-terminated."""
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
