"""Import a data set from a CSV file: numeric columns, one of them the target.

The first row is a header when any of its cells is not a number.  Every other cell must
be a finite number; a problem is reported with its row and column, as a spreadsheet
shows them (row 1 is the file's first line).  Nothing in the file is evaluated.
"""

from __future__ import annotations

import csv
import io
import math
import os
from array import array
from pathlib import Path

import numpy as np

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.files.atomic import FileFormatError, FileTooLargeError, open_regular
from chainrule_gui.core.nn.datasets import (
    MAX_CLASSES,
    MAX_SAMPLES,
    Dataset,
    split_indices,
)

MAX_BYTES = 64 * 1024 * 1024
MAX_COLUMNS = 2048
MAX_NAME_CHARS = 64
MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value


def read_csv_text(text: str, source: str = "the CSV text") -> tuple[list[str], np.ndarray]:
    """(column names, values) from CSV text, or ModelError naming the bad cell.

    Rows are converted as they are read into one compact buffer, and reading stops at
    the first bad row or at the row limit: a file of millions of tiny rows costs no more
    memory than the numbers themselves.
    """
    if not text.strip():
        raise ModelError(f"{source} is empty: it needs a header row and rows of numbers")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    names: list[str] = []
    has_header = False
    flat = array("d")
    count = 0
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if not names:
                first = [c.strip() for c in row]
                has_header = any(_number(c) is None for c in first)
                names = _column_names(first) if has_header else [f"column {i + 1}" for i in range(len(first))]
                if len(names) < 2:
                    raise ModelError(f"{source} has {len(names)} column; it needs at least one input column "
                                     "and a target column, separated by commas")
                if len(names) > MAX_COLUMNS:
                    raise ModelError(f"{source} has {len(names)} columns; at most {MAX_COLUMNS} are supported")
                if has_header:
                    continue
            count += 1
            if count > MAX_SAMPLES:
                raise ModelError(f"{source} has more than {MAX_SAMPLES} rows; at most {MAX_SAMPLES} are supported")
            flat.extend(_row_values(row, reader.line_num, names, has_header))
    except csv.Error as exc:
        raise ModelError(f"{source}, line {reader.line_num}: the CSV cannot be read ({exc})") from None
    if count < 2:
        raise ModelError(f"{source} has {count} row(s) of data; at least 2 are needed")
    values = np.frombuffer(flat, dtype=np.float64).reshape(count, len(names)).copy()
    return names, values


def _column_names(cells: list[str]) -> list[str]:
    """Header cells as names: shown as plain text, never longer than a label needs."""
    names = []
    for i, cell in enumerate(cells):
        cell = "".join(ch for ch in cell if ch.isprintable())[:MAX_NAME_CHARS]
        names.append(cell or f"column {i + 1}")
    return names


def _row_values(row: list[str], line: int, names: list[str], has_header: bool) -> list[float]:
    """The row's numbers, or ModelError naming the row (as a spreadsheet counts) and column."""
    if len(row) != len(names):
        raise ModelError(f"row {line} has {len(row)} value(s) but the "
                         f"{'header' if has_header else 'first row'} has {len(names)} columns")
    out = []
    for c, cell in enumerate(row):
        cell = cell.strip()
        if cell.lower() in MISSING:
            raise ModelError(f"row {line}, column {names[c]!r} is empty or missing ({cell[:40]!r}): "
                             "fill it in or remove the row")
        value = _number(cell)
        if value is None:
            raise ModelError(f"row {line}, column {names[c]!r}: {cell[:40]!r} is not a number")
        if not math.isfinite(value):
            raise ModelError(f"row {line}, column {names[c]!r}: {cell[:40]!r} is not a finite number")
        out.append(value)
    return out


def read_csv_file(path: str | os.PathLike) -> tuple[list[str], np.ndarray]:
    """:func:`read_csv_text` of a file, refusing one over :data:`MAX_BYTES`, or one that is
    not a regular file (a named pipe would block, ``/dev/zero`` never ends), before reading it."""
    source = Path(path).name
    try:
        with open_regular(path, MAX_BYTES) as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileTooLargeError:
        raise ModelError(f"{source} is too large: at most {MAX_BYTES // 2**20} MB can be imported") from None
    except FileFormatError as exc:
        raise ModelError(f"cannot read {source}: {exc}") from None
    except OSError as exc:
        raise ModelError(f"cannot read {source}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise ModelError(f"{source} is too large: at most {MAX_BYTES // 2**20} MB can be imported")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModelError(f"{source} is not a text file in UTF-8; save it as CSV (UTF-8)") from None
    return read_csv_text(text, source)


def load_csv(path: str | os.PathLike | None = None, *, text: str | None = None,
             target: str | int | None = None, task: str = "auto", standardize: bool = True,
             validation_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """A :class:`Dataset` from a CSV file (or ``text``).

    ``target`` is a column name or 0-based index (default: the last column).  ``task`` is
    ``classification``, ``regression`` or ``auto`` (classification when the target holds
    at most 20 distinct whole numbers).  With ``standardize`` each input column is scaled
    to mean 0 and standard deviation 1, which gradient descent needs on raw data.
    """
    if text is None:
        if path is None:
            raise ModelError("give a CSV file to import")
        names, values = read_csv_file(path)
        source = Path(path).name
    else:
        source = "the CSV text"
        names, values = read_csv_text(text, source)
    column = _target_column(target, names)
    y = values[:, column]
    X = np.delete(values, column, axis=1)
    features = tuple(n for i, n in enumerate(names) if i != column)
    task = str(task).lower()
    if task not in ("auto", "classification", "regression"):
        raise ModelError("the task must be auto, classification or regression")
    distinct = np.unique(y)
    whole = bool(np.all(distinct == np.round(distinct)))
    if task == "auto":
        task = "classification" if whole and len(distinct) <= 20 else "regression"
    if task == "classification":
        if len(distinct) < 2:
            raise ModelError(f"the target column {names[column]!r} has only one value, "
                             f"{distinct[0]:g}: a classifier needs at least two classes")
        if len(distinct) > MAX_CLASSES:
            raise ModelError(f"the target column {names[column]!r} has {len(distinct)} distinct values; "
                             f"a classifier takes at most {MAX_CLASSES} classes (or choose regression)")
        labels = np.searchsorted(distinct, y)
        class_names = tuple(f"{v:g}" for v in distinct)
        values_out = None
    else:
        largest = float(np.max(np.abs(y)))
        if largest > MAX_REGRESSION_TARGET:
            raise ModelError(f"the target column {names[column]!r} holds values up to {largest:.3g}: the "
                             f"squared error overflows past {MAX_REGRESSION_TARGET:g}; rescale the column")
        labels, class_names, values_out = None, (), y.reshape(-1, 1)
    if standardize:
        X = _standardized(X)
    rng = np.random.default_rng(seed)
    train, validation = split_indices(len(X), validation_fraction, rng)
    return Dataset(Path(str(path)).stem if path is not None else "csv", X, labels, values_out, train,
                   validation, features, names[column], class_names,
                   f"{source}: {len(X)} rows, {len(features)} input column(s), target {names[column]!r}")


#: The largest regression target whose squared error (and its mean) stays finite.
MAX_REGRESSION_TARGET = 1e150


def _standardized(X: np.ndarray) -> np.ndarray:
    """Each column to mean 0 and standard deviation 1.

    Each column is first divided by its largest magnitude (standardising ignores scale): the
    mean and variance of values near 1e308 overflowed to infinity otherwise, every input
    became NaN, and training then blamed the learning rate."""
    scale = np.max(np.abs(X), axis=0) if len(X) else np.ones(X.shape[1])
    X = X / np.where(scale > 0, scale, 1.0)
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


def _target_column(target: str | int | None, names: list[str]) -> int:
    if target is None or target == "":
        return len(names) - 1
    digits = target.strip().lstrip("-") if isinstance(target, str) else ""
    if isinstance(target, int) or (digits.isascii() and digits.isdigit()  # '²'.isdigit() is true
                                   and target.strip() not in names):
        index = int(target)
        if not -len(names) <= index < len(names):
            raise ModelError(f"there is no column {index}; columns are numbered 0 to {len(names) - 1}")
        return index % len(names)
    if target not in names:
        raise ModelError(f"no column named {target!r}; the columns are: {', '.join(names)}")
    return names.index(target)
