"""Worked examples: the seed documents' and classic textbook compositions.

Each loads with a point and ranges where it is interesting, and a short explanation of
what to look at.  ``tests/core/test_examples.py`` checks that every one parses and that
all five methods agree at its point.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Example:
    key: str
    title: str
    category: str
    text: str
    point: dict[str, float]
    explanation: str
    of: str | None = None
    wrt: str | None = None
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)


EXAMPLES: tuple[Example, ...] = (
    Example(
        "exp-3x", "e^(3x)", "Single variable",
        "h = e^u\nu = 3x",
        {"x": 0.5},
        "The simplest chain: the outer exponential keeps its value as its own slope, the inner "
        "3x contributes a factor 3. One path, two factors: dh/dx = e^u · 3.",
        ranges={"x": (-1.0, 1.0)},
    ),
    Example(
        "sin-x2", "sin(x²)", "Single variable",
        "y = sin(u)\nu = x^2",
        {"x": 3.0},
        "At x = 3 (the point the seed's code uses) the outer cosine is evaluated at u = 9, "
        "not at x: dy/dx = cos(9) · 6. Drag x and watch the slope of the outer function swing "
        "while the inner slope 2x grows steadily.",
        ranges={"x": (-4.0, 4.0)},
    ),
    Example(
        "exp-sqrt", "e^(√x)", "Single variable",
        "y = e^u\nu = sqrt(x)",
        {"x": 1.0},
        "Near x = 0 the inner square root has an infinite slope; move x toward 0 and see "
        "du/dx = 1/(2√x) dominate the product.",
        ranges={"x": (0.05, 4.0)},
    ),
    Example(
        "x2y3", "x²y³ (partial derivatives)", "Several variables",
        "f = x^2 * y^3",
        {"x": 2.0, "y": 1.0},
        "A partial derivative holds the other inputs fixed. Switch 'with respect to' between "
        "x and y: ∂f/∂x = 2x·y³ and ∂f/∂y = 3y²·x².",
        ranges={"x": (-3.0, 3.0), "y": (-2.0, 2.0)},
    ),
    Example(
        "tree-diagram", "z = x² + sin(xy), x = t², y = eᵗ", "Several variables",
        "z = x^2 + sin(x*y)\nx = t^2\ny = e^t",
        {"t": 1.0},
        "The textbook tree diagram: t reaches z along two paths, through x and through y. "
        "Each path contributes the product of the partials on its edges, and dz/dt is their sum.",
        ranges={"t": (-1.5, 1.5)},
    ),
    Example(
        "three-paths", "w = x·e^(y/z) with three inner functions", "Several variables",
        "w = x*exp(y/z)\nx = t^2\ny = 1 - t\nz = 1 + 2*t",
        {"t": 0.5},
        "Three intermediate variables give three paths from w to t. Cut one edge (right-click "
        "it) to see how much that route contributes.",
        ranges={"t": (0.0, 2.0)},
    ),
    Example(
        "polar", "Polar coordinates", "Several variables",
        "f = x^2*y + y^3\nx = r*cos(theta)\ny = r*sin(theta)",
        {"r": 2.0, "theta": 0.7},
        "A function given in x and y, explored along a circle: ∂f/∂θ sums the paths through x "
        "and y, where ∂x/∂θ = −r·sin θ and ∂y/∂θ = r·cos θ.",
        ranges={"r": (0.5, 3.0), "theta": (-3.14159, 3.14159)},
        wrt="theta",
    ),
    Example(
        "diamond", "A diamond with a shared sub-expression", "Several variables",
        "z = b*c\nb = sin(a)\nc = cos(a)\na = t^2",
        {"t": 0.8},
        "a feeds both b and c, so the tree shows a twice but the graph view shares it. Reverse "
        "mode adds both contributions into a's adjoint before passing it on — the factoring "
        "that saves work when diamonds stack up.",
        ranges={"t": (-2.0, 2.0)},
    ),
    Example(
        "deep-diamonds", "Ten stacked diamonds (1,024 paths)", "Several variables",
        "\n".join(["x10 = a10*b10"] + [
            line for i in range(10, 0, -1) for line in (
                f"a{i} = sin(x{i - 1})", f"b{i} = cos(x{i - 1})"
            ) + ((f"x{i - 1} = a{i - 1}*b{i - 1}",) if i > 1 else ())
        ] + ["x0 = t"]),
        {"t": 0.3},
        "The number of paths doubles with every diamond: 2¹⁰ here. The paths are counted, not "
        "all listed; the total still comes exactly from one reverse or forward sweep, whose "
        "cost grows only with the number of edges.",
        ranges={"t": (-1.0, 1.0)},
    ),
    Example(
        "sigmoid-neuron", "Sigmoid neuron", "Machine learning",
        "yhat = sigmoid(z)\nz = w*x + b",
        {"w": 0.5, "x": 2.0, "b": 0.1},
        "One neuron: σ'(z) = σ(z)(1 − σ(z)) is at most 1/4, which is why long chains of sigmoids "
        "make gradients vanish. Compare ∂ŷ/∂w (carries a factor x) with ∂ŷ/∂b.",
        wrt="w",
    ),
    Example(
        "sigmoid-chain", "The two-neuron sigmoid chain of the seed lecture", "Machine learning",
        "L = (yhat - y)^2/2\nyhat = sigmoid(z2)\nz2 = W2*a1 + b2\na1 = sigmoid(z1)\nz1 = W1*x + b1",
        {"W1": 0.5, "x": 1.0, "b1": 0.1, "W2": 1.5, "b2": 0.2, "y": 0.8},
        "The numbers of the seed's toy network: x = 1, W1 = 0.5, b1 = 0.1, W2 = 1.5, b2 = 0.2, "
        "target 0.8. ∂L/∂W1 is one path of five factors — backpropagation is this product, "
        "computed from the loss end.",
        wrt="W1",
    ),
    Example(
        "cross-entropy", "Binary cross-entropy of a logistic unit", "Machine learning",
        "L = -(y*log(p) + (1 - y)*log(1 - p))\np = sigmoid(z)\nz = w*x + b",
        {"y": 1.0, "w": 0.5, "x": 2.0, "b": 0.1},
        "∂L/∂p and ∂p/∂z are each awkward, but their product simplifies to p − y: the reason "
        "frameworks fuse sigmoid and cross-entropy into one operation.",
        wrt="w",
    ),
    Example(
        "linear-regression", "Linear regression loss", "Machine learning",
        "L = (yhat - y)^2/2\nyhat = w1*x1 + w2*x2 + b",
        {"w1": 0.3, "w2": -0.2, "x1": 1.0, "x2": 2.0, "b": 0.5, "y": 3.0},
        "The gradient for one sample: ∂L/∂w1 = (ŷ − y)·x1. Switch the input between w1, w2 and b; "
        "the error factor (ŷ − y) is shared by all three paths.",
        wrt="w1",
    ),
    Example(
        "reparameterization", "Reparameterization trick", "Machine learning",
        "L = z^2\nz = mu + sigma*eps",
        {"mu": 0.4, "sigma": 1.5, "eps": -0.3},
        "Writing a sample as z = μ + σ·ε moves the randomness into ε, a leaf with no parameters "
        "above it, so gradients flow to μ and σ: ∂z/∂μ = 1 and ∂z/∂σ = ε.",
        wrt="sigma",
    ),
    Example(
        "relu-kink", "ReLU at its kink", "Machine learning",
        "y = relu(u)\nu = x^2 - 1",
        {"x": 1.0},
        "At x = 1 the ReLU's argument is exactly 0: autodiff uses relu'(0) = 0, while a finite "
        "difference straddles the kink and sees an average slope. The checks say so instead of "
        "hiding it.",
        ranges={"x": (-2.0, 2.0)},
    ),
    Example(
        "implicit-circle", "Implicit circle x² + y² = 1", "Implicit",
        "x^2 + y^2 = 1",
        {"x": 0.6, "y": 0.8},
        "The curve is not a function y(x), but near a point it behaves like one: differentiate "
        "F(x, y(x)) = 0 to get dy/dx = −F_x/F_y = −x/y. Where y = 0 the tangent is vertical.",
        of="y", wrt="x",
        ranges={"x": (-1.5, 1.5), "y": (-1.5, 1.5)},
    ),
)

BY_KEY = {example.key: example for example in EXAMPLES}


def categories() -> list[str]:
    seen: list[str] = []
    for example in EXAMPLES:
        if example.category not in seen:
            seen.append(example.category)
    return seen
