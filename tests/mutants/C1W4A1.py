"""Wrong versions of the C1W4A1 functions (see tests/mutants/__init__.py)."""
import copy

import numpy as np

from dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward
from tests.mutants import Mistake

# The correct pieces the mutants are made of (underscored: the gradient check of the public tests looks for the
# notebook's own L_model_forward / compute_cost by name, and these mutants are tested without them).


def _activation(name):
    return {"sigmoid": sigmoid, "relu": relu}[name]


def _slope(name):
    return {"sigmoid": sigmoid_backward, "relu": relu_backward}[name]


def _linear_forward(A, W, b):
    return np.dot(W, A) + b, (A, W, b)


def _layer_forward(A_prev, W, b, activation):
    Z, linear_cache = _linear_forward(A_prev, W, b)
    A, activation_cache = _activation(activation)(Z)
    return A, (linear_cache, activation_cache)


def _linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), 1 / m * np.dot(dZ, A_prev.T), 1 / m * np.sum(dZ, axis=1, keepdims=True)


def _layer_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    return _linear_backward(_slope(activation)(dA, activation_cache), linear_cache)


# ------------------------------------------------------------------------------------- initialisation

def _init_two(draw=lambda rows, cols: np.random.randn(rows, cols) * 0.01, swap_order=False, transposed=False,
              flat_b=False):
    def initialize_parameters(n_x, n_h, n_y):
        np.random.seed(1)
        shape1, shape2 = ((n_x, n_h), (n_h, n_y)) if transposed else ((n_h, n_x), (n_y, n_h))
        if swap_order:
            W2 = draw(*shape2)
            W1 = draw(*shape1)
        else:
            W1 = draw(*shape1)
            W2 = draw(*shape2)
        b1, b2 = (np.zeros(n_h), np.zeros(n_y)) if flat_b else (np.zeros((n_h, 1)), np.zeros((n_y, 1)))
        return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return initialize_parameters


def _init_deep(draw=lambda rows, cols: np.random.randn(rows, cols) * 0.01, stop=0, transposed=False,
               random_b=False):
    def initialize_parameters_deep(layer_dims):
        np.random.seed(3)
        parameters = {}
        for l in range(1, len(layer_dims) - stop):
            rows, cols = layer_dims[l], layer_dims[l - 1]
            parameters["W" + str(l)] = draw(cols, rows) if transposed else draw(rows, cols)
            parameters["b" + str(l)] = np.random.randn(rows, 1) * 0.01 if random_b else np.zeros((rows, 1))
        return parameters
    return initialize_parameters_deep


# ------------------------------------------------------------------------------------- forward

def _layer_forward_with(swap=False, order_swapped=False, return_z=False, cache_a=False):
    def linear_activation_forward(A_prev, W, b, activation):
        act = {"sigmoid": "relu", "relu": "sigmoid"}[activation] if swap else activation
        Z, linear_cache = _linear_forward(A_prev, W, b)
        A, activation_cache = _activation(act)(Z)
        activation_cache = A if cache_a else activation_cache
        cache = (activation_cache, linear_cache) if order_swapped else (linear_cache, activation_cache)
        return (Z if return_z else A), cache
    return linear_activation_forward


def _model_forward_with(hidden="relu", output="sigmoid", keep_last_cache=True, input_every_layer=False,
                        count=lambda parameters: len(parameters) // 2):
    def L_model_forward(X, parameters):
        caches = []
        A = X
        L = count(parameters)
        for l in range(1, L):
            A, cache = _layer_forward(X if input_every_layer else A, parameters["W" + str(l)],
                                      parameters["b" + str(l)], hidden)
            caches.append(cache)
        AL, cache = _layer_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], output)
        if keep_last_cache:
            caches.append(cache)
        return AL, caches
    return L_model_forward


# ------------------------------------------------------------------------------------- cost

def _cost_with(terms=lambda AL, Y: Y * np.log(AL) + (1 - Y) * np.log(1 - AL), factor=lambda m: -1 / m, squeeze=True):
    def compute_cost(AL, Y):
        m = Y.shape[1]
        cost = factor(m) * np.sum(terms(AL, Y), axis=1, keepdims=True)
        return np.squeeze(cost) if squeeze else cost
    return compute_cost


# ------------------------------------------------------------------------------------- backward

def _linear_backward_with(dW=None, db=None, dA=None):
    def linear_backward(dZ, cache):
        A_prev, W, b = cache
        m = A_prev.shape[1]
        grad_W = dW(dZ, A_prev, m) if dW else 1 / m * np.dot(dZ, A_prev.T)
        grad_b = db(dZ, m) if db else 1 / m * np.sum(dZ, axis=1, keepdims=True)
        grad_A = dA(dZ, W, m) if dA else np.dot(W.T, dZ)
        return grad_A, grad_W, grad_b
    return linear_backward


def _layer_backward_with(swap=False, skip_slope=False, whole_cache=False):
    def linear_activation_backward(dA, cache, activation):
        linear_cache, activation_cache = cache
        act = {"sigmoid": "relu", "relu": "sigmoid"}[activation] if swap else activation
        dZ = dA if skip_slope else _slope(act)(dA, activation_cache)
        return _linear_backward(dZ, cache if whole_cache else linear_cache)
    return linear_activation_backward


def _model_backward_with(dAL=lambda AL, Y: -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)), output="sigmoid",
                         hidden="relu", every_layer_gets_dAL=False, key_shift=0, layer=_layer_backward):
    def L_model_backward(AL, Y, caches):
        grads = {}
        L = len(caches)
        Y = Y.reshape(AL.shape)
        dA_L = dAL(AL, Y)
        dA_prev, dW, db = layer(dA_L, caches[L - 1], output)
        grads["dA" + str(L - 1 + key_shift)] = dA_prev
        grads["dW" + str(L)] = dW
        grads["db" + str(L)] = db
        for l in reversed(range(L - 1)):
            upstream = dA_L if every_layer_gets_dAL else grads["dA" + str(l + 1 + key_shift)]
            dA_prev, dW, db = layer(upstream, caches[l], hidden)
            grads["dA" + str(l + key_shift)] = dA_prev
            grads["dW" + str(l + 1)] = dW
            grads["db" + str(l + 1)] = db
        return grads
    return L_model_backward


# ------------------------------------------------------------------------------------- update

def _update_with(step=lambda value, grad, lr: value - lr * grad, update_b=True, layers=lambda L: range(L)):
    def update_parameters(params, grads, learning_rate):
        parameters = copy.deepcopy(params)
        L = len(parameters) // 2
        for l in layers(L):
            key = str(l + 1)
            parameters["W" + key] = step(parameters["W" + key], grads["dW" + key], learning_rate)
            if update_b:
                parameters["b" + key] = step(parameters["b" + key], grads["db" + key], learning_rate)
        return parameters
    return update_parameters


def update_parameters_in_place(params, grads, learning_rate):
    L = len(params) // 2
    for l in range(L):
        params["W" + str(l + 1)] -= learning_rate * grads["dW" + str(l + 1)]
        params["b" + str(l + 1)] -= learning_rate * grads["db" + str(l + 1)]
    return params


MUTANTS = {
    "initialize_parameters": [
        Mistake("forgot the * 0.01: the weights must be small random numbers.",
                _init_two(draw=lambda rows, cols: np.random.randn(rows, cols))),
        Mistake("np.random.rand draws uniformly from [0, 1): use np.random.randn (a normal distribution).",
                _init_two(draw=lambda rows, cols: np.random.rand(rows, cols) * 0.01)),
        Mistake("the weights are drawn in the wrong order: first W1, then W2.", _init_two(swap_order=True)),
        Mistake("W1 of shape (n_x, n_h)", _init_two(transposed=True), known=False, expect="transposed"),
        Mistake("b1 of shape (n_h,)", _init_two(flat_b=True), known=False, expect="dimension of size 1"),
    ],
    "initialize_parameters_deep": [
        Mistake("forgot the * 0.01: the weights must be small random numbers.",
                _init_deep(draw=lambda rows, cols: np.random.randn(rows, cols))),
        Mistake("the weights are scaled by 1/sqrt(n_{l-1}) (the next assignment's choice); here they are * 0.01.",
                _init_deep(draw=lambda rows, cols: np.random.randn(rows, cols) / np.sqrt(cols))),
        Mistake("the biases must be zeros: np.zeros((layer_dims[l], 1)).", _init_deep(random_b=True)),
        Mistake("the loop stops one layer early", _init_deep(stop=1), known=False, expect="is missing the key(s)"),
        Mistake("W of shape (n_{l-1}, n_l)", _init_deep(transposed=True), known=False, expect="transposed"),
    ],
    "linear_forward": [
        Mistake("forgot the bias: Z = WA + b.", lambda A, W, b: (np.dot(W, A), (A, W, b))),
        Mistake("the cache must hold the inputs in the order (A, W, b).",
                lambda A, W, b: (np.dot(W, A) + b, (W, A, b))),
        Mistake("the bias is subtracted: Z = WA + b.", lambda A, W, b: (np.dot(W, A) - b, (A, W, b))),
        Mistake("np.dot(A, W): the factors in the wrong order", lambda A, W, b: (np.dot(A, W) + b, (A, W, b)),
                known=False, expect="mismatched shapes"),
        Mistake("W * A: an element-wise product instead of a matrix product", lambda A, W, b: (W * A + b, (A, W, b)),
                known=False, expect="your function raised"),
    ],
    "linear_activation_forward": [
        Mistake('the activations are swapped: "sigmoid" means sigmoid(Z), "relu" means relu(Z).',
                _layer_forward_with(swap=True)),
        Mistake("the cache must be (linear_cache, activation_cache), in this order.",
                _layer_forward_with(order_swapped=True)),
        Mistake("returned Z: return the activation A = g(Z).", _layer_forward_with(return_z=True)),
        Mistake("the activation cache must be Z (the cache that sigmoid and relu return), not A.",
                _layer_forward_with(cache_a=True)),
    ],
    "L_model_forward": [
        Mistake('the output layer must use "sigmoid" (the hidden layers use "relu").',
                _model_forward_with(output="relu")),
        Mistake('the hidden layers must use "relu" (only the output layer uses "sigmoid").',
                _model_forward_with(hidden="sigmoid")),
        Mistake("caches misses the output layer's cache: append it after the loop too.",
                _model_forward_with(keep_last_cache=False)),
        Mistake("every layer gets X as input", _model_forward_with(input_every_layer=True), known=False,
                expect="mismatched shapes"),
        Mistake("L = len(parameters) counts W and b", _model_forward_with(count=len), known=False, expect="KeyError"),
    ],
    "compute_cost": [
        Mistake("the sign: J = -1/m * sum(...), with a minus in front.", _cost_with(factor=lambda m: 1 / m)),
        Mistake("forgot the 1/m: the cost is the average over the m examples.", _cost_with(factor=lambda m: -1)),
        Mistake("the cost has two terms: y log(a) + (1 - y) log(1 - a).",
                _cost_with(terms=lambda AL, Y: Y * np.log(AL))),
        Mistake("the cost is a (1, 1) array", _cost_with(squeeze=False), known=False, expect="dimension of size 1"),
    ],
    "linear_backward": [
        Mistake("forgot the 1/m in dW: dW = 1/m dZ A_prev^T.",
                _linear_backward_with(dW=lambda dZ, A, m: np.dot(dZ, A.T))),
        Mistake("forgot the 1/m in db: db = 1/m sum(dZ, axis=1, keepdims=True).",
                _linear_backward_with(db=lambda dZ, m: np.sum(dZ, axis=1, keepdims=True))),
        Mistake("dA_prev = W^T dZ has no 1/m.", _linear_backward_with(dA=lambda dZ, W, m: 1 / m * np.dot(W.T, dZ))),
        Mistake("dW transposed: A_prev dZ^T", _linear_backward_with(dW=lambda dZ, A, m: 1 / m * np.dot(A, dZ.T)),
                known=False, expect="transposed"),
        Mistake("db without keepdims", _linear_backward_with(db=lambda dZ, m: 1 / m * np.sum(dZ, axis=1)),
                known=False, expect="dimension of size 1"),
        Mistake("db summed over everything", _linear_backward_with(db=lambda dZ, m: 1 / m * np.sum(dZ)),
                known=False, expect="db: expected a numpy array"),
    ],
    "linear_activation_backward": [
        Mistake('the backward functions are swapped: "relu" needs relu_backward, "sigmoid" needs sigmoid_backward.',
                _layer_backward_with(swap=True)),
        Mistake("skipped the activation: dZ = relu_backward(dA, activation_cache) (or sigmoid_backward), then "
                "linear_backward(dZ, linear_cache).", _layer_backward_with(skip_slope=True)),
        Mistake("passes the whole cache to linear_backward", _layer_backward_with(whole_cache=True), known=False,
                expect="your function raised"),
    ],
    "L_model_backward": [
        Mistake("the sign of dAL: dAL = -(Y/AL - (1-Y)/(1-AL)).",
                _model_backward_with(dAL=lambda AL, Y: np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))),
        Mistake('the output layer is a "sigmoid" layer.', _model_backward_with(output="relu")),
        Mistake('the hidden layers are "relu" layers.', _model_backward_with(hidden="sigmoid")),
        Mistake('every layer got dAL: layer l + 1 takes grads["dA" + str(l + 1)], from the layer above it.',
                _model_backward_with(every_layer_gets_dAL=True)),
        Mistake("dAL has no 1/m: the 1/m is in dW and db only.",
                _model_backward_with(dAL=lambda AL, Y: -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)) / AL.shape[1])),
        Mistake("the dA keys are shifted by one", _model_backward_with(key_shift=1), known=False,
                expect="is missing the key(s)"),
    ],
    "update_parameters": [
        Mistake("the sign: step against the gradient, W = W - learning_rate * dW.",
                _update_with(step=lambda value, grad, lr: value + lr * grad)),
        Mistake("the learning rate is not applied: W = W - learning_rate * dW.",
                _update_with(step=lambda value, grad, lr: value - grad)),
        Mistake("the biases are not updated: b = b - learning_rate * db too.", _update_with(update_b=False)),
        Mistake("only the first layer is updated: loop over all L layers.", _update_with(layers=lambda L: range(1))),
        Mistake("changes the caller's arrays in place", update_parameters_in_place, known=False,
                expect="modified in place"),
    ],
}

# The demo's "partly wrong" submission: this edit in the master's solution, and the points it must lose.
# linear_backward without the 1/m in dW fails its own two tests, and the two tests of linear_activation_backward and
# of L_model_backward, which call it.
TEXT_MISTAKE = ("linear_backward", "dW = 1 / m * np.dot(dZ, A_prev.T)", "dW = np.dot(dZ, A_prev.T)")
TEXT_MISTAKE_LOSES = 6
