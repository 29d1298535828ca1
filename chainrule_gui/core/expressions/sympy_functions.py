"""SymPy functions for the machine-learning activations: sigmoid, relu and softplus.

They stay named (``σ(x)`` rather than ``1/(1 + e^{-x})``) so that derivatives read the
way they are taught: σ'(x) = σ(x)(1 − σ(x)), relu'(x) = H(x), softplus'(x) = σ(x).
``H`` is SymPy's ``Heaviside`` with H(0) = 0, the convention autodiff libraries use for
relu at its kink.
"""

from __future__ import annotations

import sympy as sp


def heaviside(arg: sp.Expr) -> sp.Expr:
    """The unit step with H(0) = 0 (relu'(0) = 0, as PyTorch and JAX define it)."""
    return sp.Heaviside(arg, 0)


class sigmoid(sp.Function):  # noqa: N801 - SymPy functions are lower-case by convention
    """The logistic function σ(x) = 1 / (1 + e^{−x})."""

    nargs = 1

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        body = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"\sigma^{%s}\left(%s\right)" % (exp, printer._print(self.args[0]))


class relu(sp.Function):  # noqa: N801
    """The rectifier relu(x) = max(0, x)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return heaviside(self.args[0])

    @classmethod
    def eval(cls, arg):
        if arg.is_number and arg.is_real:
            return arg if arg.is_nonnegative else sp.S.Zero
        return None

    def _eval_rewrite_as_Max(self, arg, **kwargs):
        return sp.Max(0, arg)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_nonnegative(self):
        return True if self.args[0].is_real else None

    def _latex(self, printer, exp=None):
        body = r"\operatorname{relu}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


class softplus(sp.Function):  # noqa: N801
    """The smooth rectifier softplus(x) = log(1 + e^x)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.log(2)
        return None

    def _eval_rewrite_as_log(self, arg, **kwargs):
        return sp.log(1 + sp.exp(arg))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return sp.log(1 + sp.exp(self.args[0]))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        body = r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)
