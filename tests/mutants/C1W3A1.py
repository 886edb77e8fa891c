"""Wrong versions of the C1W3A1 functions (see tests/mutants/__init__.py)."""
import numpy as np

from coursekit import reference
from tests.mutants import Mistake

t_X = np.random.RandomState(1).randn(5, 3)  # a notebook global a careless solution might use


def _ref():
    """The reference solutions, for mutants of nn_model and predict that get only one step wrong."""
    return reference.load("C1W3A1")


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _relu(z):
    return np.maximum(0, z)


def _unpack(parameters):
    return parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]


# ---------------------------------------------------------------------------------------------- initialize_parameters

def _init(draw_w=np.random.randn, scale=0.01, b_shape=lambda n: (n, 1), w1_transposed=False, w2_first=False,
          seed=None):
    def initialize_parameters(n_x, n_h, n_y):
        if seed is not None:
            np.random.seed(seed)
        if w2_first:
            W2 = draw_w(n_y, n_h) * scale
            W1 = draw_w(n_h, n_x) * scale
        else:
            W1 = draw_w(*((n_x, n_h) if w1_transposed else (n_h, n_x))) * scale
            W2 = draw_w(n_y, n_h) * scale
        return {"W1": W1, "b1": np.zeros(b_shape(n_h)), "W2": W2, "b2": np.zeros(b_shape(n_y))}
    return initialize_parameters


def _init_zeros(n_x, n_h, n_y):
    return {"W1": np.zeros((n_h, n_x)), "b1": np.zeros((n_h, 1)), "W2": np.zeros((n_y, n_h)), "b2": np.zeros((n_y, 1))}


# ---------------------------------------------------------------------------------------------- forward_propagation

def _forward(hidden=np.tanh, output=_sigmoid, bias=True, drop=None):
    def forward_propagation(X, parameters):
        W1, b1, W2, b2 = _unpack(parameters)
        Z1 = np.dot(W1, X) + (b1 if bias else 0)
        A1 = hidden(Z1)
        Z2 = np.dot(W2, A1) + (b2 if bias else 0)
        A2 = output(Z2)
        cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
        cache.pop(drop, None)
        return A2, cache
    return forward_propagation


def _forward_transposed(X, parameters):
    """Examples as rows: every result comes out transposed."""
    W1, b1, W2, b2 = _unpack(parameters)
    Z1 = np.dot(X.T, W1.T) + b1.T
    A1 = np.tanh(Z1)
    Z2 = np.dot(A1, W2.T) + b2.T
    A2 = _sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


# ---------------------------------------------------------------------------------------------- compute_cost

def _cost_no_mean(A2, Y):
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))


def _cost_array(A2, Y):
    m = Y.shape[1]
    return -(np.dot(Y, np.log(A2).T) + np.dot(1 - Y, np.log(1 - A2).T)) / m


def _cost_sign(A2, Y):
    return float(np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / Y.shape[1])


def _cost_one_term(A2, Y):
    return float(-np.sum(Y * np.log(A2)) / Y.shape[1])


def _cost_log_a_twice(A2, Y):
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(A2)) / Y.shape[1])


def _cost_negated_labels(A2, Y):
    """-Y on uint8 labels wraps around to 255 instead of -1."""
    return float(np.sum(-Y * np.log(A2) - (1 - Y) * np.log(1 - A2)) / Y.shape[1])


# ---------------------------------------------------------------------------------------------- backward_propagation

def _backward(tanh_derivative=lambda A1: 1 - np.power(A1, 2), scale=True, db_axis=1, keepdims=True,
              transposed=False, sign=1):
    def backward_propagation(parameters, cache, X, Y):
        m = X.shape[1]
        k = 1 / m if scale else 1
        W2 = parameters["W2"]
        A1, A2 = cache["A1"], cache["A2"]
        dZ2 = sign * (A2 - Y)
        dW2 = k * np.dot(dZ2, A1.T)
        db2 = k * np.sum(dZ2, axis=db_axis, keepdims=keepdims)
        dZ1 = np.dot(W2.T, dZ2) * tanh_derivative(A1)
        dW1 = k * (np.dot(X, dZ1.T) if transposed else np.dot(dZ1, X.T))
        db1 = k * np.sum(dZ1, axis=db_axis, keepdims=keepdims)
        return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return backward_propagation


# ---------------------------------------------------------------------------------------------- update_parameters

def _update(sign=-1, rate=None, update_biases=True):
    def update_parameters(parameters, grads, learning_rate=1.2):
        alpha = learning_rate if rate is None else rate
        new = {}
        for key in ("W1", "b1", "W2", "b2"):
            if key.startswith("b") and not update_biases:
                new[key] = parameters[key].copy()
            else:
                new[key] = parameters[key] + sign * alpha * grads["d" + key]
        return new
    return update_parameters


def _update_in_place(parameters, grads, learning_rate=1.2):
    for key in ("W1", "b1", "W2", "b2"):
        parameters[key] -= learning_rate * grads["d" + key]
    return parameters


# ---------------------------------------------------------------------------------------------- nn_model

def _model(seed=3, update=True, learning_rate=1.2, extra_iteration=False, print_every=1000, always_print=False):
    def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
        ref = _ref()
        if seed is not None:
            np.random.seed(seed)
        parameters = ref.initialize_parameters(X.shape[0], n_h, Y.shape[0])
        for i in range(num_iterations + (1 if extra_iteration else 0)):
            A2, cache = ref.forward_propagation(X, parameters)
            cost = ref.compute_cost(A2, Y)
            grads = ref.backward_propagation(parameters, cache, X, Y)
            if update:
                parameters = ref.update_parameters(parameters, grads, learning_rate)
            if (print_cost or always_print) and i % print_every == 0:
                print("Cost after iteration %i: %f" % (i, cost))
        return parameters
    return nn_model


# ---------------------------------------------------------------------------------------------- predict

def _predict_inverted(parameters, X):
    return _ref().forward_propagation(X, parameters)[0] < 0.5


def _predict_probabilities(parameters, X):
    return _ref().forward_propagation(X, parameters)[0]


def _predict_z2(parameters, X):
    return _ref().forward_propagation(X, parameters)[1]["Z2"] > 0.5


def _predict_hidden(parameters, X):
    return _ref().forward_propagation(X, parameters)[1]["A1"] > 0.5


MUTANTS = {
    "layer_sizes": [
        Mistake("n_x is the number of rows of X (its features), X.shape[0]; X.shape[1] is the number of examples.",
                lambda X, Y: (X.shape[1], 4, Y.shape[0])),
        Mistake("n_y is the number of rows of Y, Y.shape[0]; Y.shape[1] is the number of examples.",
                lambda X, Y: (X.shape[0], 4, Y.shape[1])),
        Mistake("return the sizes in the order (n_x, n_h, n_y).", lambda X, Y: (X.shape[0], Y.shape[0], 4)),
        Mistake("hard-coded n_y = 1: read it from Y.", lambda X, Y: (X.shape[0], 4, 1)),
        Mistake("reads the global t_X", lambda X, Y: (t_X.shape[0], 4, Y.shape[0]), known=False, expect="global"),
    ],
    "initialize_parameters": [
        Mistake("the weights must be scaled by 0.01: np.random.randn(...) * 0.01.", _init(scale=1.0)),
        Mistake("weights initialised to zeros: every hidden unit would stay identical (symmetry). Use "
                "np.random.randn(...) * 0.01.", _init_zeros),
        Mistake("np.random.rand draws uniformly from [0, 1): use np.random.randn (a standard normal).",
                _init(draw_w=np.random.rand)),
        Mistake("W2 drawn before W1: draw W1 first, then W2.", _init(w2_first=True)),
        Mistake("don't call np.random.seed inside initialize_parameters: the caller seeds.", _init(seed=2)),
        Mistake("b1 of shape (n_h,)", _init(b_shape=lambda n: (n,)), known=False, expect="dimension of size 1"),
        Mistake("W1 of shape (n_x, n_h)", _init(w1_transposed=True), known=False, expect="transposed"),
    ],
    "forward_propagation": [
        Mistake("the hidden layer uses tanh: A1 = np.tanh(Z1), not the sigmoid.", _forward(hidden=_sigmoid)),
        Mistake("the output layer uses the sigmoid: A2 = sigmoid(Z2), not tanh.", _forward(output=np.tanh)),
        Mistake("forgot the biases: Z1 = np.dot(W1, X) + b1 and Z2 = np.dot(W2, A1) + b2.", _forward(bias=False)),
        Mistake("the hidden layer uses tanh, not ReLU.", _forward(hidden=_relu)),
        Mistake("cache without Z1", _forward(drop="Z1"), known=False, expect="missing the key"),
        Mistake("examples as rows", _forward_transposed, known=False, expect="transposed"),
    ],
    "compute_cost": [
        Mistake("forgot to divide by m: the cost is the mean over the examples.", _cost_no_mean),
        Mistake("returned a (1, 1) array", _cost_array, known=False, expect="Python float"),
        Mistake("the sign: J = -(1/m) * sum(...), with a minus in front.", _cost_sign),
        Mistake("only the y * log(a) term: add (1 - y) * log(1 - a).", _cost_one_term),
        Mistake("log(A2) in both terms: the second term is (1 - Y) * log(1 - A2).", _cost_log_a_twice),
        Mistake("-Y wraps around on uint8 labels (-1 becomes 255): put the minus sign in front of the whole sum.",
                _cost_negated_labels),
    ],
    "backward_propagation": [
        Mistake("the derivative of tanh is 1 - A1**2 (np.power(A1, 2)), not 1 - A1.",
                _backward(tanh_derivative=lambda A1: 1 - A1)),
        Mistake("the derivative of tanh is 1 - A1**2: A1 * (1 - A1) is the sigmoid's.",
                _backward(tanh_derivative=lambda A1: A1 * (1 - A1))),
        Mistake("forgot the 1/m in the gradients.", _backward(scale=False)),
        Mistake("dZ2 = A2 - Y, not Y - A2: every gradient has the wrong sign.", _backward(sign=-1)),
        Mistake("db without keepdims", _backward(keepdims=False), known=False, expect="keepdims"),
        Mistake("db summed along axis 0", _backward(db_axis=0), known=False, expect="db1"),
        Mistake("dW1 = X dZ1^T", _backward(transposed=True), known=False, expect="transposed"),
    ],
    "update_parameters": [
        Mistake("gradient descent subtracts: W1 = W1 - learning_rate * dW1, not +.", _update(sign=1)),
        Mistake("forgot the learning rate: W1 = W1 - learning_rate * dW1.", _update(rate=1.0)),
        Mistake("the learning rate is hard-coded to 1.2: use the learning_rate argument.", _update(rate=1.2)),
        Mistake("the biases must be updated too: b1 = b1 - learning_rate * db1.", _update(update_biases=False)),
        Mistake("in-place update", _update_in_place, known=False, expect="modified in place"),
    ],
    "nn_model": [
        Mistake("the parameters are never updated: parameters = update_parameters(parameters, grads).",
                _model(update=False)),
        Mistake("use the default learning rate of update_parameters (1.2).", _model(learning_rate=0.5)),
        Mistake("one iteration too many: loop for i in range(num_iterations).", _model(extra_iteration=True)),
        Mistake("no np.random.seed(3)", _model(seed=None), known=False, expect="nn_model: case 1"),
        Mistake("prints every 100 iterations", _model(print_every=100), known=False, expect="printed output"),
        Mistake("prints even when print_cost is False", _model(always_print=True), known=False,
                expect="printed output"),
    ],
    "predict": [
        Mistake("the comparison is the wrong way round: class 1 where A2 > 0.5.", _predict_inverted),
        Mistake("returned the probabilities A2: threshold them, predictions = A2 > 0.5.", _predict_probabilities),
        Mistake("thresholded Z2 at 0.5: threshold the probability A2 at 0.5.", _predict_z2),
        Mistake("thresholded the hidden layer", _predict_hidden, known=False, expect="has shape"),
    ],
}

# The demo class's "partly wrong" submission (coursekit/demo.py): the tanh derivative written as 1 - A1. It breaks
# backward_propagation and, through it, nn_model: their public and hidden tests, 4 points.
TEXT_MISTAKE = ("backward_propagation", "(1 - np.power(A1, 2))", "(1 - A1)")
TEXT_MISTAKE_LOSES = 4
