"""Wrong versions of the C1W2A1 functions (see tests/mutants/__init__.py)."""
import math

import numpy as np

from tests.mutants import Mistake

t_image = np.arange(18, dtype=float).reshape(3, 3, 2) / 18  # a notebook global a careless solution might use


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


MUTANTS = {
    "basic_sigmoid": [
        Mistake("the sign: sigmoid(x) = 1 / (1 + exp(-x)), with a minus.", lambda x: 1 / (1 + math.exp(x))),
        Mistake("1 - exp(-x) in the denominator instead of 1 + exp(-x).", lambda x: 1 / (1 - math.exp(-x))),
        Mistake("returned exp(-x) / (1 + exp(x)).", lambda x: math.exp(-x) / (1 + math.exp(x))),
    ],
    "sigmoid": [
        Mistake("the sign: sigmoid(x) = 1 / (1 + exp(-x)), with a minus.", lambda x: 1 / (1 + np.exp(x))),
        Mistake("math.exp only takes one number: use np.exp.", lambda x: 1 / (1 + math.exp(-x)),
                known=False, expect="only"),
        Mistake("returned 1 + exp(-x) (forgot the division).", lambda x: 1 + np.exp(-x)),
        Mistake("1 / (1 - exp(-x)): a minus where the plus goes.", lambda x: 1 / (1 - np.exp(-x))),
    ],
    "sigmoid_derivative": [
        Mistake("returned sigmoid(x) itself, not s * (1 - s).", _sigmoid),
        Mistake("used x instead of s = sigmoid(x): x * (1 - x).", lambda x: x * (1 - x)),
        Mistake("s * (1 + s) instead of s * (1 - s).", lambda x: _sigmoid(x) * (1 + _sigmoid(x))),
    ],
    "image2vector": [
        Mistake("reshape(-1) drops the column dimension: reshape to (length*height*depth, 1).",
                lambda image: image.reshape(-1), known=False, expect="dimension of size 1"),
        Mistake("a row vector (1, n): the result must be a column (n, 1).",
                lambda image: image.reshape(1, -1), known=False, expect="transposed"),
        Mistake("the values are in the wrong order: reshape directly, without transposing first.",
                lambda image: image.T.reshape(-1, 1)),
        Mistake("reads the global t_image", lambda image: t_image.reshape(-1, 1), known=False, expect="global"),
    ],
    "normalize_rows": [
        Mistake("axis=0 normalises the columns; each row needs its own norm (axis=1).",
                lambda x: x / np.linalg.norm(x, axis=0, keepdims=True)),
        Mistake("without keepdims=True the norms broadcast along the wrong axis.",
                lambda x: x / np.linalg.norm(x, axis=1), known=False, expect="keepdims"),
        Mistake("divided by the sum of squares, not its square root.",
                lambda x: x / np.sum(x * x, axis=1, keepdims=True)),
        Mistake("modifies x in place", lambda x: np.divide(x, np.linalg.norm(x, axis=1, keepdims=True), out=x),
                known=False, expect="in place"),
    ],
    "softmax": [
        Mistake("axis=0 normalises the columns; softmax here works on each row (axis=1).",
                lambda x: np.exp(x) / np.sum(np.exp(x), axis=0, keepdims=True)),
        Mistake("divided by the sum over the whole matrix, not each row's sum.",
                lambda x: np.exp(x) / np.sum(np.exp(x))),
        Mistake("without keepdims=True the row sums broadcast along the wrong axis.",
                lambda x: np.exp(x) / np.sum(np.exp(x), axis=1), known=False, expect="keepdims"),
        Mistake("forgot np.exp: divided the scores themselves.", lambda x: x / np.sum(x, axis=1, keepdims=True),
                known=False, expect="softmax: case"),
    ],
    "L1": [
        Mistake("forgot the absolute value.", lambda yhat, y: np.sum(y - yhat)),
        Mistake("the mean instead of the sum.", lambda yhat, y: np.mean(np.abs(y - yhat))),
        Mistake("squared the differences: that is L2.", lambda yhat, y: np.sum((y - yhat) ** 2)),
    ],
    "L2": [
        Mistake("took the square root: that is the Euclidean distance, not L2.",
                lambda yhat, y: np.sqrt(np.sum((y - yhat) ** 2))),
        Mistake("the mean instead of the sum.", lambda yhat, y: np.mean((y - yhat) ** 2)),
        Mistake("absolute values instead of squares: that is L1.", lambda yhat, y: np.sum(np.abs(y - yhat))),
    ],
}

# The demo's "partly wrong" submission: this edit in the master's solution, and the points it must lose.
TEXT_MISTAKE = ("L1", "np.abs(y - yhat)", "(y - yhat)")
TEXT_MISTAKE_LOSES = 2
