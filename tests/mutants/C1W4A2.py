"""Wrong versions of the C1W4A2 functions (see tests/mutants/__init__.py)."""
import numpy as np

from dnn_app_utils import (L_model_backward, L_model_forward, compute_cost, initialize_parameters,
                           initialize_parameters_deep, linear_activation_backward, linear_activation_forward,
                           update_parameters)
from tests.mutants import Mistake

# A notebook global that a careless solution might read instead of its parameter.
layers_dims = (5, 4, 1)

EVERY_100_OR_LAST = lambda i, n: i % 100 == 0 or i == n - 1  # noqa: E731 (the correct rule)


def _record(costs, cost, i, n, record, printed, print_cost):
    if record(i, n):
        costs.append(cost)
        if print_cost:
            print("Cost after iteration {}: {}".format(printed(i), np.squeeze(cost)))


# ------------------------------------------------------------------------------------- two_layer_model

def _two_layer_with(record=EVERY_100_OR_LAST, printed=lambda i: i, rate=lambda lr: lr, hidden="relu",
                    backward=("sigmoid", "relu"), sign=1.0, update=True, refresh=True):
    def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        np.random.seed(1)
        costs = []
        (n_x, n_h, n_y) = layers_dims
        parameters = initialize_parameters(n_x, n_h, n_y)
        W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
        for i in range(num_iterations):
            A1, cache1 = linear_activation_forward(X, W1, b1, hidden)
            A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
            cost = compute_cost(A2, Y)
            dA2 = -sign * (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
            dA1, dW2, db2 = linear_activation_backward(dA2, cache2, backward[0])
            dA0, dW1, db1 = linear_activation_backward(dA1, cache1, backward[1])
            grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
            if update:
                parameters = update_parameters(parameters, grads, rate(learning_rate))
            if refresh:
                W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
            _record(costs, cost, i, num_iterations, record, printed, print_cost)
        return parameters, costs
    return two_layer_model


def two_layer_last_cost_twice(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """Two separate ifs: a last iteration that is also a multiple of 100 is recorded twice."""
    np.random.seed(1)
    costs = []
    parameters = initialize_parameters(*layers_dims)
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        parameters = update_parameters(parameters, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
        if i == num_iterations - 1:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
    return parameters, costs


def two_layer_wrong_keys(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """grads keyed "W1", ... instead of "dW1", ...: update_parameters cannot find the gradients."""
    np.random.seed(1)
    costs = []
    parameters = initialize_parameters(*layers_dims)
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        parameters = update_parameters(parameters, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}, learning_rate)
        _record(costs, cost, i, num_iterations, EVERY_100_OR_LAST, lambda i: i, print_cost)
    return parameters, costs


def two_layer_global_dims(X, Y, dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """Sizes taken from the notebook's global layers_dims instead of the argument."""
    np.random.seed(1)
    costs = []
    (n_x, n_h, n_y) = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        parameters = update_parameters(parameters, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}, learning_rate)
        _record(costs, cost, i, num_iterations, EVERY_100_OR_LAST, lambda i: i, print_cost)
    return parameters, costs


# ------------------------------------------------------------------------------------- L_layer_model

def _init_times_001(layer_dims):
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def L_layer_global_dims(X, Y, dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """Sizes taken from the notebook's global layers_dims instead of the argument."""
    np.random.seed(1)
    costs = []
    parameters = initialize_parameters_deep(layers_dims)
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        parameters = update_parameters(parameters, L_model_backward(AL, Y, caches), learning_rate)
        _record(costs, cost, i, num_iterations, EVERY_100_OR_LAST, lambda i: i, print_cost)
    return parameters, costs


def _L_layer_with(record=EVERY_100_OR_LAST, printed=lambda i: i, rate=lambda lr: lr, init=initialize_parameters_deep,
                  update=True, init_inside=False):
    def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        np.random.seed(1)
        costs = []
        parameters = init(layers_dims)
        for i in range(num_iterations):
            if init_inside:
                parameters = init(layers_dims)
            AL, caches = L_model_forward(X, parameters)
            cost = compute_cost(AL, Y)
            grads = L_model_backward(AL, Y, caches)
            new_parameters = update_parameters(parameters, grads, rate(learning_rate))
            if update:
                parameters = new_parameters
            _record(costs, cost, i, num_iterations, record, printed, print_cost)
        return parameters, costs
    return L_layer_model


MUTANTS = {
    "two_layer_model": [
        Mistake("a cost is recorded at every iteration: record it only when i % 100 == 0 or i == num_iterations - 1.",
                _two_layer_with(record=lambda i, n: True)),
        Mistake("the cost of the last iteration is missing: record it when i % 100 == 0 or i == num_iterations - 1.",
                _two_layer_with(record=lambda i, n: i % 100 == 0)),
        Mistake("the last cost is recorded twice when the last iteration is also a multiple of 100: use one "
                "condition, i % 100 == 0 or i == num_iterations - 1.", two_layer_last_cost_twice),
        Mistake("the learning rate is fixed at 0.0075: pass learning_rate on to update_parameters.",
                _two_layer_with(rate=lambda lr: 0.0075)),
        Mistake("the hidden layer uses the sigmoid: the network is LINEAR -> RELU -> LINEAR -> SIGMOID.",
                _two_layer_with(hidden="sigmoid")),
        Mistake("the activations of the backward pass are swapped: layer 2 (the output) goes back through "
                "\"sigmoid\", layer 1 through \"relu\".", _two_layer_with(backward=("relu", "sigmoid"))),
        Mistake("the sign of dA2: dA2 = -(Y / A2 - (1 - Y) / (1 - A2)), with a minus in front.",
                _two_layer_with(sign=-1.0)),
        Mistake("the parameters are never updated: parameters = update_parameters(parameters, grads, learning_rate).",
                _two_layer_with(update=False)),
        Mistake("W1, b1, W2, b2 are not taken from the updated parameters, so every iteration uses the initial "
                "weights: read them from parameters after update_parameters.", _two_layer_with(refresh=False)),
        Mistake("grads with the wrong keys", two_layer_wrong_keys, known=False, expect="KeyError"),
        Mistake("reads the global layers_dims", two_layer_global_dims, known=False, expect="global"),
        Mistake("prints the iteration number plus 1", _two_layer_with(printed=lambda i: i + 1), known=False,
                expect="printed output"),
    ],
    "L_layer_model": [
        Mistake("a cost is recorded at every iteration: record it only when i % 100 == 0 or i == num_iterations - 1.",
                _L_layer_with(record=lambda i, n: True)),
        Mistake("the cost of the last iteration is missing: record it when i % 100 == 0 or i == num_iterations - 1.",
                _L_layer_with(record=lambda i, n: i % 100 == 0)),
        Mistake("the learning rate is fixed at 0.0075: pass learning_rate on to update_parameters.",
                _L_layer_with(rate=lambda lr: 0.0075)),
        Mistake("the weights start at randn * 0.01: use initialize_parameters_deep(layers_dims), which scales them "
                "by 1 / sqrt(n_{l-1}).", _L_layer_with(init=_init_times_001)),
        Mistake("the parameters are never updated: parameters = update_parameters(parameters, grads, learning_rate).",
                _L_layer_with(update=False)),
        Mistake("the parameters are initialised again in every iteration: call initialize_parameters_deep once, "
                "before the loop.", _L_layer_with(init_inside=True)),
        Mistake("reads the global layers_dims", L_layer_global_dims, known=False, expect="global"),
        Mistake("prints the iteration number plus 1", _L_layer_with(printed=lambda i: i + 1), known=False,
                expect="printed output"),
    ],
}

# The demo's "partly wrong" submission: this edit in the master's solution, and the points it must lose
# (L_layer_model's public and hidden test cells, 1 point each).
TEXT_MISTAKE = ("L_layer_model", "parameters = update_parameters(parameters, grads, learning_rate)",
                "update_parameters(parameters, grads, learning_rate)")
TEXT_MISTAKE_LOSES = 2
