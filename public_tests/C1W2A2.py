"""Public tests for C1W2A2, logistic regression with a neural-network mindset."""
import numpy as np

from public_tests.harness import Case, make_tests
from public_tests.notebook import install

install()


def rand(seed, *shape, scale=1.0):
    return np.random.RandomState(seed).randn(*shape) * scale


def labels(seed, m):
    """A (1, m) row of 0/1 labels (ints, as load_dataset returns them), with both classes present."""
    y = (np.random.RandomState(seed).rand(1, m) > 0.5).astype(int)
    y[0, 0], y[0, -1] = 1, 0
    return y


def example():
    """The small example of the notebook: w (2, 1), b, X (2, 3), Y (1, 3)."""
    return (np.array([[1.0], [-2.0]]), 1.5,
            np.array([[1.0, -2.0, 0.5], [3.0, 0.5, -1.0]]), np.array([[1, 0, 1]]))


def threshold_example():
    """Weights and data for which some examples get a probability of exactly 0.5 (z = 0)."""
    X = rand(23, 3, 6)
    X[:, 1] = 0.0
    X[:, 4] = 0.0
    return rand(22, 3, 1), 0.0, X


def model_data(seed, n, m_train, m_test, noise=0.5):
    """A learnable toy problem: labels from a random linear rule plus noise, split into train and test sets."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, m_train + m_test)
    Y = (np.dot(rng.randn(1, n), X) + noise * rng.randn(1, m_train + m_test) > 0).astype(int)
    return X[:, :m_train], Y[:, :m_train], X[:, m_train:], Y[:, m_train:]


PROPAGATE_OUT = ("grads", "cost")
OPTIMIZE_OUT = ("params", "grads", "costs")
PROPAGATE_HINT = ("A = sigmoid(w^T X + b) has shape (1, m); dw = X (A - Y)^T / m has the shape of w; "
                  "db = np.sum(A - Y) / m is one number; the cost is -1/m times a sum over all m examples.")
OPTIMIZE_HINT = ("each iteration: grads, cost = propagate(w, b, X, Y), then w = w - learning_rate * dw and "
                 "b = b - learning_rate * db; record the cost when i % 100 == 0.")

CASES = {
    "sigmoid": [
        Case("z = np.array([0, 2])", lambda: (np.array([0, 2]),)),
        Case("a 3x4 matrix with negative entries", lambda: (rand(1, 3, 4, scale=3),)),
        Case("a single number z = -1.5", lambda: (-1.5,)),
    ],
    "initialize_with_zeros": [
        Case("dim = 2", lambda: (2,), outputs=("w", "b"), strict_types=True),
        Case("dim = 5", lambda: (5,), outputs=("w", "b"), strict_types=True),
        Case("dim = 9", lambda: (9,), outputs=("w", "b"), strict_types=True),
    ],
    "propagate": [
        Case("the notebook's example: w (2, 1), b = 1.5, X (2, 3), Y = [[1, 0, 1]]", example,
             outputs=PROPAGATE_OUT, hint=PROPAGATE_HINT),
        Case("4 features, 6 examples", lambda: (rand(2, 4, 1, scale=0.5), 0.3, rand(3, 4, 6), labels(4, 6)),
             outputs=PROPAGATE_OUT, hint=PROPAGATE_HINT),
        Case("a square 3x3 X (a transposed product still has a valid shape)",
             lambda: (rand(5, 3, 1), -0.4, rand(6, 3, 3), np.array([[0, 1, 1]])),
             outputs=PROPAGATE_OUT, hint=PROPAGATE_HINT),
        Case("5 features, 2 examples", lambda: (rand(7, 5, 1, scale=0.2), 0.0, rand(8, 5, 2), np.array([[1, 0]])),
             outputs=PROPAGATE_OUT, hint=PROPAGATE_HINT),
    ],
    "optimize": [
        Case("the notebook's example, 100 iterations, learning_rate=0.009", example,
             kwargs={"num_iterations": 100, "learning_rate": 0.009, "print_cost": False},
             outputs=OPTIMIZE_OUT, hint=OPTIMIZE_HINT),
        Case("4 features, 6 examples, 301 iterations, learning_rate=0.1",
             lambda: (rand(9, 4, 1, scale=0.5), 0.2, rand(10, 4, 6), labels(11, 6)),
             kwargs={"num_iterations": 301, "learning_rate": 0.1}, outputs=OPTIMIZE_OUT, hint=OPTIMIZE_HINT),
        Case("a square 3x3 X, 250 iterations, learning_rate=0.05, print_cost=True",
             lambda: (rand(12, 3, 1), -0.5, rand(13, 3, 3), np.array([[1, 0, 1]])),
             kwargs={"num_iterations": 250, "learning_rate": 0.05, "print_cost": True},
             outputs=OPTIMIZE_OUT, check_stdout=True, hint=OPTIMIZE_HINT),
        Case("the default num_iterations and learning_rate",
             lambda: (np.zeros((2, 1)), 0.0, rand(14, 2, 5), labels(15, 5)), outputs=OPTIMIZE_OUT, hint=OPTIMIZE_HINT),
    ],
    "predict": [
        Case("the notebook's example: w (2, 1), b = 0.2, X (2, 4)",
             lambda: (np.array([[0.4], [-0.9]]), 0.2, np.array([[1.5, -0.3, 0.0, 2.0], [0.5, 1.0, -0.1, 3.0]]))),
        Case("5 features, 7 examples", lambda: (rand(20, 5, 1), -0.2, rand(21, 5, 7))),
        Case("some probabilities exactly 0.5 (3 features, 6 examples)", threshold_example),
        Case("a square 4x4 X", lambda: (rand(24, 4, 1), 0.5, rand(25, 4, 4))),
    ],
    "model": [
        Case("4 features, 8 training and 5 test examples, 200 iterations",
             lambda: model_data(30, 4, 8, 5), kwargs={"num_iterations": 200, "learning_rate": 0.05}),
        Case("3 features, 12 training and 6 test examples, print_cost=True",
             lambda: model_data(31, 3, 12, 6), kwargs={"num_iterations": 250, "learning_rate": 0.5, "print_cost": True},
             check_stdout=True),
        Case("5 features, 6 training and 10 test examples, the default num_iterations and learning_rate",
             lambda: model_data(32, 5, 6, 10)),
    ],
}

__all__ = make_tests("C1W2A2", CASES, globals())
