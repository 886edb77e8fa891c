"""Public tests for C1W4A2, deep neural network: application (a 2-layer and an L-layer classifier)."""
import numpy as np

from public_tests.harness import Case, make_tests
from public_tests.notebook import install

install()


def data(seed, n, m):
    """A small training set: X (n, m) of random features, Y (1, m) of 0/1 int labels with both classes present."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, m)
    Y = (rng.rand(1, m) > 0.5).astype(int)
    Y[0, 0], Y[0, -1] = 1, 0
    return X, Y


def args(seed, n, m, layers_dims, learning_rate, num_iterations, print_cost=False):
    """The positional arguments of both models: X, Y, layers_dims, learning_rate, num_iterations, print_cost."""
    return lambda: (*data(seed, n, m), layers_dims, learning_rate, num_iterations, print_cost)


OUT = ("parameters", "costs")
TWO_LAYER_HINT = ("(n_x, n_h, n_y) = layers_dims; parameters = initialize_parameters(n_x, n_h, n_y); then each "
                  "iteration: forward LINEAR->RELU then LINEAR->SIGMOID, the cost, dA2 = -(Y/A2 - (1-Y)/(1-A2)), "
                  "backward SIGMOID then RELU, update_parameters with learning_rate, and take W1, b1, W2, b2 from "
                  "the new parameters; record the cost when i % 100 == 0 or i == num_iterations - 1.")
L_LAYER_HINT = ("parameters = initialize_parameters_deep(layers_dims) once, before the loop; then each iteration: "
                "L_model_forward, compute_cost, L_model_backward, parameters = update_parameters(parameters, grads, "
                "learning_rate); record the cost when i % 100 == 0 or i == num_iterations - 1.")

CASES = {
    "two_layer_model": [
        Case("X (5, 8), layers_dims (5, 4, 1), learning_rate 0.05, 250 iterations, print_cost=True",
             args(1, 5, 8, (5, 4, 1), 0.05, 250, True), outputs=OUT, check_stdout=True, hint=TWO_LAYER_HINT),
        Case("X (4, 10), layers_dims (4, 3, 1), learning_rate 0.5, 101 iterations (the last one is 100)",
             args(2, 4, 10, (4, 3, 1), 0.5, 101), outputs=OUT, hint=TWO_LAYER_HINT),
        Case("a square X (6, 6), layers_dims (6, 5, 1), learning_rate 0.02, 30 iterations",
             args(3, 6, 6, (6, 5, 1), 0.02, 30), outputs=OUT, hint=TWO_LAYER_HINT),
    ],
    "L_layer_model": [
        Case("X (5, 8), layers_dims [5, 4, 3, 1], learning_rate 0.1, 250 iterations, print_cost=True",
             args(4, 5, 8, [5, 4, 3, 1], 0.1, 250, True), outputs=OUT, check_stdout=True, hint=L_LAYER_HINT),
        Case("X (4, 10), layers_dims [4, 6, 1], learning_rate 0.3, 101 iterations (the last one is 100)",
             args(5, 4, 10, [4, 6, 1], 0.3, 101), outputs=OUT, hint=L_LAYER_HINT),
        Case("a square X (6, 6), layers_dims [6, 5, 4, 3, 1], learning_rate 0.05, 30 iterations",
             args(6, 6, 6, [6, 5, 4, 3, 1], 0.05, 30), outputs=OUT, hint=L_LAYER_HINT),
    ],
}

__all__ = make_tests("C1W4A2", CASES, globals())
