"""Public tests for C1W2A1, Python basics with NumPy."""
import numpy as np

from public_tests.harness import Case, make_tests
from public_tests.notebook import install

install()


def rand(seed, *shape, scale=1.0):
    return np.random.RandomState(seed).randn(*shape) * scale


CASES = {
    "basic_sigmoid": [
        Case("x = 1", lambda: (1,)),
        Case("x = -2 (a negative input)", lambda: (-2,)),
        Case("x = 0", lambda: (0,)),
    ],
    "sigmoid": [
        Case("x = np.array([1, 2, 3])", lambda: (np.array([1, 2, 3]),)),
        Case("a 2x3 matrix with negative entries", lambda: (np.array([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]]),)),
        Case("a 3x4 random matrix", lambda: (rand(1, 3, 4, scale=3),)),
    ],
    "sigmoid_derivative": [
        Case("x = np.array([1, 2, 3])", lambda: (np.array([1, 2, 3]),)),
        Case("a 2x3 matrix with negative entries", lambda: (np.array([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]]),)),
        Case("a 4x2 random matrix", lambda: (rand(2, 4, 2, scale=2),)),
    ],
    "image2vector": [
        Case("a (3, 3, 2) image", lambda: (np.arange(18, dtype=float).reshape(3, 3, 2) / 18,)),
        Case("a (2, 4, 3) image", lambda: (rand(3, 2, 4, 3),)),
        Case("a (5, 2, 1) image", lambda: (rand(4, 5, 2, 1),)),
    ],
    "normalize_rows": [
        Case("x = [[0, 3, 4], [1, 6, 4]]", lambda: (np.array([[0.0, 3.0, 4.0], [1.0, 6.0, 4.0]]),)),
        Case("a square 3x3 matrix", lambda: (np.array([[1.0, 2.0, 2.0], [0.0, -3.0, 4.0], [6.0, 0.0, 8.0]]),)),
        Case("a 4x5 random matrix", lambda: (rand(5, 4, 5),)),
    ],
    "softmax": [
        Case("x = [[9, 2, 5, 0, 0], [7, 5, 0, 0, 0]]", lambda: (np.array([[9.0, 2, 5, 0, 0], [7.0, 5, 0, 0, 0]]),)),
        Case("a square 3x3 matrix", lambda: (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 2.0, 0.5]]),)),
        Case("a 3x4 random matrix", lambda: (rand(6, 3, 4),)),
    ],
    "L1": [
        Case("yhat = [.9, .2, .1, .4, .9], y = [1, 0, 0, 1, 1]",
             lambda: (np.array([.9, 0.2, 0.1, .4, .9]), np.array([1, 0, 0, 1, 1]))),
        Case("predictions above and below the labels",
             lambda: (np.array([0.5, 1.5, -0.5, 2.0]), np.array([1.0, 1.0, 0.0, 2.5]))),
        Case("random vectors of 10", lambda: (rand(7, 10), rand(8, 10))),
    ],
    "L2": [
        Case("yhat = [.9, .2, .1, .4, .9], y = [1, 0, 0, 1, 1]",
             lambda: (np.array([.9, 0.2, 0.1, .4, .9]), np.array([1, 0, 0, 1, 1]))),
        Case("predictions above and below the labels",
             lambda: (np.array([0.5, 1.5, -0.5, 2.0]), np.array([1.0, 1.0, 0.0, 2.5]))),
        Case("random vectors of 10", lambda: (rand(9, 10), rand(10, 10))),
    ],
}

__all__ = make_tests("C1W2A1", CASES, globals())
