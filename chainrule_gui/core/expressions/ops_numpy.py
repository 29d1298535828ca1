"""The array math of the primitives that is more than one NumPy call, for evaluating many
points at once (plots); the registry in :mod:`.ops` holds the rest.

Where an operation is undefined (log of a negative, 0/0) the result is NaN instead of an
error: a plot draws a gap there, while a single point is still checked strictly by the
float math in :mod:`.ops`.  Call inside ``np.errstate(all="ignore")``.
"""

from __future__ import annotations

from chainrule_gui.core.exports import LazyModule

np = LazyModule("numpy")  # the parser imports the registry, and with it this module


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def real_pow(a, b):
    result = np.power(a.astype(float), b)
    bad = (a < 0) & (np.asarray(b) != np.round(b))
    return np.where(bad, np.nan, result)


def pow_grads(a, v):
    base, exponent = a
    d_base = np.where(exponent == 0, 0.0, exponent * real_pow(base, exponent - 1))
    d_exp = np.where(base > 0, v * np.log(np.where(base > 0, base, 1.0)),
                     np.where(base == 0, 0.0, np.nan))
    return d_base, d_exp


def log(a, base=None):
    a = np.where(a > 0, a, np.nan)
    if base is None:
        return np.log(a)
    base = np.where((base > 0) & (base != 1), base, np.nan)
    return np.log(a) / np.log(base)


def log_grads(a, v):
    if len(a) == 1:
        return (1.0 / a[0],)
    x, b = a
    lb = np.log(b)
    return 1.0 / (x * lb), -np.log(x) / (b * lb * lb)


def within(fn, low, high):
    """``fn`` where its argument lies in [low, high], NaN elsewhere."""
    return lambda a: fn(np.where((a >= low) & (a <= high), a, np.nan))
