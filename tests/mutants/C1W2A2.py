"""Wrong versions of the C1W2A2 functions (see tests/mutants/__init__.py)."""
import copy
import math

import numpy as np

from tests.mutants import Mistake

# Notebook globals that a careless solution might read instead of its parameters.
train_set_x = np.random.RandomState(0).rand(4, 8)
alpha = 0.009


# ------------------------------------------------------------------------------------- correct helpers

def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _propagate(w, b, X, Y):
    m = X.shape[1]
    A = _sigmoid(np.dot(w.T, X) + b)
    cost = np.squeeze(np.array(-1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))))
    return {"dw": 1 / m * np.dot(X, (A - Y).T), "db": 1 / m * np.sum(A - Y)}, cost


def _predict(w, b, X):
    return (_sigmoid(np.dot(w.T, X) + b) > 0.5).astype(float)


# ------------------------------------------------------------------------------------- propagate

def _propagate_with(forward=None, cost=None, dw=None, db=None):
    """A propagate with some of its pieces replaced by wrong ones."""
    def propagate(w, b, X, Y):
        m = X.shape[1]
        A = forward(w, b, X) if forward else _sigmoid(np.dot(w.T, X) + b)
        J = cost(A, Y, m) if cost else np.squeeze(np.array(-1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))))
        grad_w = dw(A, X, Y, m) if dw else 1 / m * np.dot(X, (A - Y).T)
        grad_b = db(A, Y, m) if db else 1 / m * np.sum(A - Y)
        return {"dw": grad_w, "db": grad_b}, J
    return propagate


def propagate_no_1_over_m(w, b, X, Y):
    A = _sigmoid(np.dot(w.T, X) + b)
    cost = np.squeeze(np.array(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))))
    return {"dw": np.dot(X, (A - Y).T), "db": np.sum(A - Y)}, cost


# ------------------------------------------------------------------------------------- optimize

def _optimize_with(update=None, record=lambda i: i % 100 == 0, printed=lambda i: i, copy_first=True,
                   update_b=True):
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        if copy_first:
            w = copy.deepcopy(w)
            b = copy.deepcopy(b)
        costs = []
        grads = None
        for i in range(num_iterations):
            grads, cost = _propagate(w, b, X, Y)
            if update:
                w = update(w, grads["dw"], learning_rate)
            else:
                w = w - learning_rate * grads["dw"]
            if update_b:
                b = b - learning_rate * grads["db"]
            if record(i):
                costs.append(cost)
                if print_cost:
                    print("Cost after iteration %i: %f" % (printed(i), cost))
        return {"w": w, "b": b}, grads, costs
    return optimize


def optimize_in_place(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    grads = None
    for i in range(num_iterations):
        grads, cost = _propagate(w, b, X, Y)
        w -= learning_rate * grads["dw"]
        b -= learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    return {"w": w, "b": b}, grads, costs


def optimize_global_rate(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = copy.deepcopy(w)
    costs = []
    grads = None
    for i in range(num_iterations):
        grads, cost = _propagate(w, b, X, Y)
        w = w - alpha * grads["dw"]
        b = b - alpha * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs


# ------------------------------------------------------------------------------------- model

def _model_with(optimize_args=lambda n, lr, p: (n, lr, p), dim=lambda X: X.shape[0], swap=False, initial=False,
                data=lambda X: X):
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        X_train = data(X_train)
        w0, b0 = np.zeros((dim(X_train), 1)), 0.0
        params, grads, costs = _MUTANT_OPTIMIZE(w0, b0, X_train, Y_train,
                                                *optimize_args(num_iterations, learning_rate, print_cost))
        w, b = (w0, b0) if initial else (params["w"], params["b"])
        Y_prediction_test = _predict(w, b, X_train if swap else X_test)
        Y_prediction_train = _predict(w, b, X_test if swap else X_train)
        if print_cost:
            print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
            print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))
        return {"costs": costs, "Y_prediction_test": Y_prediction_test, "Y_prediction_train": Y_prediction_train,
                "w": w, "b": b, "learning_rate": learning_rate, "num_iterations": num_iterations}
    return model


_MUTANT_OPTIMIZE = _optimize_with()


def model_global_data(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = np.zeros((train_set_x.shape[0], 1)), 0.0
    params, grads, costs = _MUTANT_OPTIMIZE(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    return {"costs": costs, "Y_prediction_test": _predict(w, b, X_test),
            "Y_prediction_train": _predict(w, b, X_train), "w": w, "b": b,
            "learning_rate": learning_rate, "num_iterations": num_iterations}


MUTANTS = {
    "sigmoid": [
        Mistake("the sign: sigmoid(z) = 1 / (1 + exp(-z)), with a minus.", lambda z: 1 / (1 + np.exp(z))),
        Mistake("math.exp only takes one number: use np.exp.", lambda z: 1 / (1 + math.exp(-z)),
                known=False, expect="only"),
        Mistake("operator precedence: 1 / 1 + np.exp(-z) is 1 + exp(-z); write 1 / (1 + np.exp(-z)).",
                lambda z: 1 / 1 + np.exp(-z)),
    ],
    "initialize_with_zeros": [
        Mistake("np.zeros(dim) has shape (dim,): use the shape (dim, 1).",
                lambda dim: (np.zeros(dim), 0.0), known=False, expect="dimension of size 1"),
        Mistake("a row (1, dim): w must be a column (dim, 1).",
                lambda dim: (np.zeros((1, dim)), 0.0), known=False, expect="transposed"),
        Mistake("b = 0 is an int: write b = 0.0.",
                lambda dim: (np.zeros((dim, 1)), 0), known=False, expect="Python float"),
        Mistake("np.ones instead of np.zeros.", lambda dim: (np.ones((dim, 1)), 0.0)),
    ],
    "propagate": [
        Mistake("forgot the 1/m: the cost and the gradients are averages over the m examples.",
                propagate_no_1_over_m),
        Mistake("the sign of the gradients: dw = X (A - Y)^T / m and db = sum(A - Y) / m, with A - Y, not Y - A.",
                _propagate_with(dw=lambda A, X, Y, m: 1 / m * np.dot(X, (Y - A).T),
                                db=lambda A, Y, m: 1 / m * np.sum(Y - A))),
        Mistake("the sign of the cost: J = -1/m * sum(...), with a minus in front.",
                _propagate_with(cost=lambda A, Y, m: np.squeeze(np.array(
                    1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)))))),
        Mistake("the cost has two terms: y log(a) + (1 - y) log(1 - a).",
                _propagate_with(cost=lambda A, Y, m: np.squeeze(np.array(-1 / m * np.sum(Y * np.log(A)))))),
        Mistake("the transposed product X^T where X belongs",
                _propagate_with(forward=lambda w, b, X: _sigmoid(np.dot(w.T, X.T) + b)),
                known=False, expect="mismatched shapes"),
        Mistake("dw transposed: X.T @ (A - Y).T",
                _propagate_with(dw=lambda A, X, Y, m: 1 / m * np.dot(X.T, (A - Y).T)),
                known=False, expect="mismatched shapes"),
        Mistake("dw from a sum without keepdims: shape (n_x,)",
                _propagate_with(dw=lambda A, X, Y, m: np.sum(X * (A - Y), axis=1) / m),
                known=False, expect="dimension of size 1"),
        Mistake("db summed along axis 0: one value per example, not one number",
                _propagate_with(db=lambda A, Y, m: np.sum(A - Y, axis=0) / m),
                known=False, expect='grads["db"]: expected a number'),
        Mistake("the cost left as a (1, 1) array (no np.squeeze)",
                _propagate_with(cost=lambda A, Y, m: -1 / m * (np.dot(Y, np.log(A).T)
                                                               + np.dot(1 - Y, np.log(1 - A).T))),
                known=False, expect="dimension of size 1"),
    ],
    "optimize": [
        Mistake("the learning rate is not applied: w = w - learning_rate * dw.",
                _optimize_with(update=lambda w, dw, lr: w - dw)),
        Mistake("the sign of the update: step against the gradient, w = w - learning_rate * dw.",
                _optimize_with(update=lambda w, dw, lr: w + lr * dw)),
        Mistake("b is never updated: b = b - learning_rate * db.", _optimize_with(update_b=False)),
        Mistake("the costs are recorded at the wrong iterations: at i = 0, 100, 200, ... (i % 100 == 0).",
                _optimize_with(record=lambda i: i % 100 == 99)),
        Mistake("a cost recorded at every iteration", _optimize_with(record=lambda i: True),
                known=False, expect="costs: expected 1 values, got 100"),
        Mistake("updates the caller's w in place (w -= ...) without copying it",
                optimize_in_place, known=False, expect="modified in place"),
        Mistake("prints the iteration number plus 1", _optimize_with(printed=lambda i: i + 1),
                known=False, expect="printed output"),
        Mistake("uses a global alpha instead of learning_rate", optimize_global_rate, known=False, expect="global"),
    ],
    "predict": [
        Mistake("the threshold: a probability of exactly 0.5 gives 0 (A > 0.5, not A >= 0.5).",
                lambda w, b, X: (_sigmoid(np.dot(w.T, X) + b) >= 0.5).astype(float)),
        Mistake("returned the probabilities A: turn them into labels 0/1 with the 0.5 threshold.",
                lambda w, b, X: _sigmoid(np.dot(w.T, X) + b)),
        Mistake("the labels are inverted: 1 when A > 0.5, else 0.",
                lambda w, b, X: (_sigmoid(np.dot(w.T, X) + b) <= 0.5).astype(float)),
        Mistake("forgot the bias b: A = sigmoid(w^T X + b).",
                lambda w, b, X: (_sigmoid(np.dot(w.T, X)) > 0.5).astype(float)),
        Mistake("predictions of shape (m,)",
                lambda w, b, X: (_sigmoid(np.dot(w.T, X) + b) > 0.5).astype(float).ravel(),
                known=False, expect="dimension of size 1"),
        Mistake("X^T w gives a column (m, 1)",
                lambda w, b, X: (_sigmoid(np.dot(X.T, w) + b) > 0.5).astype(float),
                known=False, expect="transposed"),
    ],
    "model": [
        Mistake("learning_rate is not passed on to optimize (it ran with its default 0.009).",
                _model_with(optimize_args=lambda n, lr, p: (n, 0.009, p))),
        Mistake("num_iterations is not passed on to optimize (it ran with its default 100).",
                _model_with(optimize_args=lambda n, lr, p: (100, lr, p))),
        Mistake("the predictions are swapped: Y_prediction_test comes from X_test, Y_prediction_train from X_train.",
                _model_with(swap=True)),
        Mistake("returned the initial w and b: return the learned ones, params[\"w\"] and params[\"b\"].",
                _model_with(initial=True)),
        Mistake("w initialised with one weight per example (X_train.shape[1])",
                _model_with(dim=lambda X: X.shape[1]), known=False, expect="your function raised"),
        Mistake("print_cost not passed on to optimize",
                _model_with(optimize_args=lambda n, lr, p: (n, lr, False)), known=False, expect="printed output"),
        Mistake("reads the global train_set_x", model_global_data, known=False, expect="global"),
    ],
}

# The demo's "partly wrong" submission: this edit in the master's solution, and the points it must lose
# (predict's two test cells, and model's two, since model calls predict).
TEXT_MISTAKE = ("predict", "(A > 0.5)", "(A < 0.5)")
TEXT_MISTAKE_LOSES = 4
