"""Public tests for C1W3A1, planar data classification with one hidden layer."""
import numpy as np

from public_tests.harness import Case, make_tests
from public_tests.notebook import install

install()


def rand(seed, *shape, scale=1.0):
    return np.random.RandomState(seed).randn(*shape) * scale


def labels(seed, m, dtype=np.int64):
    """A (1, m) row of 0/1 labels with both classes present."""
    y = np.random.RandomState(seed).randint(0, 2, (1, m))
    y[0, 0], y[0, -1] = 0, 1
    return y.astype(dtype)


def params(seed, n_x, n_h, n_y, scale=1.0):
    """Weights large enough that tanh and sigmoid work away from their linear middle."""
    r = np.random.RandomState(seed)
    return {"W1": r.randn(n_h, n_x) * scale, "b1": r.randn(n_h, 1) * 0.5 * scale,
            "W2": r.randn(n_y, n_h) * scale, "b2": r.randn(n_y, 1) * 0.5 * scale}


def grads_like(seed, p):
    r = np.random.RandomState(seed)
    return {"d" + k: r.randn(*v.shape) * 0.1 for k, v in p.items()}


def forward(X, p):
    """The cache of a correct forward pass (inputs for backward_propagation, written independently)."""
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.tanh(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": 1 / (1 + np.exp(-Z2))}


def backward_args(seed, n_x, n_h, m, y_dtype=np.int64):
    p = params(seed, n_x, n_h, 1)
    X = rand(seed + 100, n_x, m)
    return p, forward(X, p), X, labels(seed + 200, m, y_dtype)


def blobs(seed, m, n_x=2, y_dtype=np.uint8):
    """A small two-class problem: two Gaussian clouds, labels as uint8 like the flower's."""
    r = np.random.RandomState(seed)
    Y = (np.arange(m) % 2).reshape(1, m).astype(y_dtype)
    X = r.randn(n_x, m) * 1.2 + np.where(Y == 1, 1.0, -1.0)
    return X, Y


MODEL_HINT = ("keep the given first lines (np.random.seed(3), then n_x and n_y), call your functions in the order "
              "initialize, then forward, cost, backward, update in each iteration, and use the default learning rate.")


def seeded(seed, *args):
    np.random.seed(seed)
    return args


CASES = {
    "layer_sizes": [
        Case("X (5, 3), Y (2, 3)", lambda: (rand(1, 5, 3), rand(2, 2, 3)), outputs=("n_x", "n_h", "n_y")),
        Case("X (2, 7), Y (1, 7)", lambda: (rand(3, 2, 7), labels(4, 7)), outputs=("n_x", "n_h", "n_y")),
        Case("X (4, 6), Y (3, 6)", lambda: (rand(5, 4, 6), rand(6, 3, 6)), outputs=("n_x", "n_h", "n_y")),
    ],
    "initialize_parameters": [
        Case("n_x=2, n_h=4, n_y=1 after np.random.seed(2)", lambda: seeded(2, 2, 4, 1), outputs=("parameters",)),
        Case("n_x=3, n_h=5, n_y=2 after np.random.seed(1)", lambda: seeded(1, 3, 5, 2), outputs=("parameters",)),
        Case("n_x=4, n_h=2, n_y=3 after np.random.seed(7)", lambda: seeded(7, 4, 2, 3), outputs=("parameters",)),
    ],
    "forward_propagation": [
        Case("X (2, 3), n_h=4", lambda: (rand(1, 2, 3), params(2, 2, 4, 1)), outputs=("A2", "cache")),
        Case("X (3, 5), n_h=2", lambda: (rand(3, 3, 5, scale=2), params(4, 3, 2, 1)), outputs=("A2", "cache")),
        Case("X (2, 6), n_h=5", lambda: (rand(5, 2, 6), params(6, 2, 5, 1, scale=0.5)), outputs=("A2", "cache")),
    ],
    "compute_cost": [
        Case("A2 = [[0.5002, 0.4998, 0.5002]], Y = [[1, 0, 0]]",
             lambda: (np.array([[0.5002307, 0.49985831, 0.50023963]]), np.array([[1, 0, 0]])), strict_types=True),
        Case("8 examples, uint8 labels like the flower's",
             lambda: (1 / (1 + np.exp(-rand(7, 1, 8, scale=2))), labels(8, 8, np.uint8)), strict_types=True),
        Case("5 confident predictions, some wrong",
             lambda: (np.array([[0.9, 0.05, 0.8, 0.3, 0.99]]), np.array([[1, 0, 0, 1, 1]])), strict_types=True),
    ],
    "backward_propagation": [
        Case("X (2, 3), n_h=4", lambda: backward_args(1, 2, 4, 3), outputs=("grads",)),
        Case("X (3, 5), n_h=2, uint8 labels", lambda: backward_args(2, 3, 2, 5, np.uint8), outputs=("grads",)),
        Case("X (2, 4), n_h=4 (as many examples as hidden units)", lambda: backward_args(3, 2, 4, 4),
             outputs=("grads",)),
    ],
    "update_parameters": [
        Case("n_x=2, n_h=4, default learning rate",
             lambda: (params(1, 2, 4, 1), grads_like(11, params(1, 2, 4, 1))), outputs=("parameters",)),
        Case("n_x=3, n_h=2, learning_rate=0.01",
             lambda: (params(2, 3, 2, 1), grads_like(12, params(2, 3, 2, 1))), kwargs={"learning_rate": 0.01},
             outputs=("parameters",)),
        Case("n_x=2, n_h=5, learning_rate=0.5",
             lambda: (params(3, 2, 5, 1), grads_like(13, params(3, 2, 5, 1))), kwargs={"learning_rate": 0.5},
             outputs=("parameters",)),
    ],
    "nn_model": [
        Case("20 examples, n_h=3, 5 iterations, print_cost=False",
             lambda: (*blobs(1, 20), 3), kwargs={"num_iterations": 5}, outputs=("parameters",), check_stdout=True,
             hint=MODEL_HINT),
        Case("30 examples, n_h=4, 1001 iterations, print_cost=True",
             lambda: (*blobs(2, 30), 4), kwargs={"num_iterations": 1001, "print_cost": True},
             outputs=("parameters",), check_stdout=True, hint=MODEL_HINT),
        Case("12 examples with 3 features, n_h=2, 10 iterations, print_cost=True",
             lambda: (*blobs(3, 12, n_x=3), 2), kwargs={"num_iterations": 10, "print_cost": True},
             outputs=("parameters",), check_stdout=True, hint=MODEL_HINT),
    ],
    "predict": [
        Case("X (2, 6), n_h=4", lambda: (params(1, 2, 4, 1), rand(2, 2, 6)), outputs=("predictions",)),
        Case("X (3, 10), n_h=3", lambda: (params(3, 3, 3, 1), rand(4, 3, 10, scale=2)), outputs=("predictions",)),
        Case("X (2, 8), n_h=1", lambda: (params(5, 2, 1, 1, scale=2), rand(6, 2, 8)), outputs=("predictions",)),
    ],
}

__all__ = make_tests("C1W3A1", CASES, globals())
