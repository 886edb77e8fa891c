"""The C1W2A1 fixtures agree with independent computations (SciPy, closed forms), not only with the reference."""
import math

import numpy as np
import pytest
from scipy.special import expit, softmax

from public_tests.C1W2A1 import CASES
from public_tests.harness import decode, load_fixture

INDEPENDENT = {
    "basic_sigmoid": lambda x: float(expit(x)),
    "sigmoid": expit,
    "sigmoid_derivative": lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2,
    "image2vector": lambda image: np.ravel(image)[:, None],
    "normalize_rows": lambda x: np.array([row / math.sqrt(sum(v * v for v in row)) for row in x]),
    "softmax": lambda x: softmax(x, axis=1),
    "L1": lambda yhat, y: sum(abs(a - b) for a, b in zip(yhat, y)),
    "L2": lambda yhat, y: sum((a - b) ** 2 for a, b in zip(yhat, y)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_fixture_matches_independent_computation(name):
    entries = load_fixture("C1W2A1")[name]
    for case, entry in zip(CASES[name], entries):
        expected = decode(entry["expected"])
        independent = INDEPENDENT[name](*case.args())
        assert np.shape(expected) == np.shape(independent), case.name
        assert np.allclose(expected, independent, rtol=1e-12, atol=1e-15), case.name
