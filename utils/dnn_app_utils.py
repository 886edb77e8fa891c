"""Finished building blocks of an L-layer network, for C1W4A2 (the application).

Conventions (same as the notebooks)
    X, A_prev, A  : (n_features or n_units, m), one example per column
    Y, AL         : (1, m), labels 0/1 and sigmoid outputs
    W_l           : (n_l, n_{l-1});  b_l : (n_l, 1)
    parameters    : {"W1", "b1", ..., "WL", "bL"}
    grads         : {"dA0", "dW1", "db1", ..., "dA{L-1}", "dWL", "dbL"}

Caches (exactly the layout of the step-by-step assignment)
    linear cache      : (A_prev, W, b)
    activation cache  : Z
    layer cache       : (linear_cache, activation_cache)
    caches            : list of L layer caches, layer 1 first

Contents
    initialize_parameters(n_x, n_h, n_y)     two-layer init, W * 0.01
    initialize_parameters_deep(layer_dims)   L-layer init, W / sqrt(n_{l-1})
    linear_forward, linear_activation_forward, L_model_forward
    compute_cost
    linear_backward, linear_activation_backward, L_model_backward
    update_parameters
    load_data, predict, print_mislabeled_images

Numerics and memory
    Every result equals the textbook NumPy expression bit for bit: the same
    floating-point operations run in the same order.  Results are allocated
    once and finished in place (``out=``, ``+=``, ``*=``) instead of building
    a chain of temporaries.  No function writes to an array it was given, to
    a dict it was given, or to anything stored in a cache: a caller may keep
    old parameters, gradients and caches and they stay valid.
    The training set X is only ever *read*, by the two matrix products of
    layer 1 (Z1 = W1 X forward, dW1 = dZ1 X^T backward); it is never copied.
"""

import numpy as np
import matplotlib.pyplot as plt

from dnn_utils import sigmoid, relu, sigmoid_backward, relu_backward


# ---------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------

def initialize_parameters(n_x, n_h, n_y):
    """Small random weights for a LINEAR->RELU->LINEAR->SIGMOID network.

    Calls np.random.seed(1) (resets NumPy's global random state).

    Arguments:
        n_x -- size of the input layer
        n_h -- size of the hidden layer
        n_y -- size of the output layer

    Returns:
        parameters -- dict with W1 (n_h, n_x), b1 (n_h, 1),
                      W2 (n_y, n_h), b2 (n_y, 1); W ~ N(0, 1) * 0.01, b = 0
    """
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims):
    """Scaled random weights for an L-layer network.

    Calls np.random.seed(1) (resets NumPy's global random state).

    Arguments:
        layer_dims -- list [n_0, n_1, ..., n_L] of layer sizes, n_0 = n_x

    Returns:
        parameters -- dict with, for l = 1..L,
                      Wl (n_l, n_{l-1}) ~ N(0, 1) / sqrt(n_{l-1}),
                      bl (n_l, 1) zeros
    """
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = (np.random.randn(layer_dims[l], layer_dims[l - 1])
                                    / np.sqrt(layer_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# ---------------------------------------------------------------------------
# Forward propagation
# ---------------------------------------------------------------------------

def linear_forward(A, W, b):
    """Linear part of a layer: Z = W A + b.

    Arguments:
        A -- activations of the previous layer, (n_{l-1}, m)
        W -- weights, (n_l, n_{l-1})
        b -- biases, (n_l, 1)

    Returns:
        Z     -- pre-activation, (n_l, m)
        cache -- (A, W, b), the arguments themselves (not copies)
    """
    Z = np.dot(W, A)          # fresh (n_l, m) array
    Z += b                    # broadcast the bias in place
    return Z, (A, W, b)


_FORWARD = {"sigmoid": sigmoid, "relu": relu}
_BACKWARD = {"sigmoid": sigmoid_backward, "relu": relu_backward}


def _check_activation(activation):
    if activation not in _FORWARD:
        raise ValueError('activation must be "sigmoid" or "relu", got %r' % (activation,))


def linear_activation_forward(A_prev, W, b, activation):
    """One layer: LINEAR followed by the activation.

    Arguments:
        A_prev     -- activations of the previous layer, (n_{l-1}, m)
        W          -- weights, (n_l, n_{l-1})
        b          -- biases, (n_l, 1)
        activation -- "sigmoid" or "relu"

    Returns:
        A     -- activations of this layer, (n_l, m)
        cache -- (linear_cache, activation_cache) = ((A_prev, W, b), Z)
    """
    _check_activation(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = _FORWARD[activation](Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    """Forward pass of [LINEAR->RELU] * (L-1) -> LINEAR->SIGMOID.

    Arguments:
        X          -- inputs, (n_x, m)
        parameters -- output of initialize_parameters_deep (or _parameters)

    Returns:
        AL     -- output probabilities, (1, m)
        caches -- list of the L layer caches, layer 1 first
    """
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)],
                                             parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)],
                                          parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


# ---------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------

def compute_cost(AL, Y):
    """Cross-entropy cost -(1/m) sum(Y log AL + (1 - Y) log(1 - AL)).

    Arguments:
        AL -- predicted probabilities, (1, m)
        Y  -- true labels (0/1, or any values in [0, 1]), (1, m)

    Returns:
        cost -- a scalar (numpy.float64, itself a Python float; it is what
                np.squeeze of the summed value gives)
    """
    m = Y.shape[1]
    t = np.log(AL)                    # log(AL)
    t *= Y                            # Y * log(AL)
    u = np.subtract(1.0, AL)          # 1 - AL
    np.log(u, out=u)                  # log(1 - AL)
    u *= np.subtract(1.0, Y)          # (1 - Y) * log(1 - AL)
    t += u
    cost = (-1.0 / m) * np.sum(t)
    return np.squeeze(cost)


# ---------------------------------------------------------------------------
# Backward propagation
# ---------------------------------------------------------------------------

def linear_backward(dZ, cache):
    """Backward pass of the linear part of a layer.

    Arguments:
        dZ    -- gradient of the cost w.r.t. Z, (n_l, m)
        cache -- (A_prev, W, b) from linear_forward

    Returns:
        dA_prev -- gradient w.r.t. A_prev, W^T dZ, (n_{l-1}, m)
        dW      -- gradient w.r.t. W, (1/m) dZ A_prev^T, (n_l, n_{l-1})
        db      -- gradient w.r.t. b, (1/m) sum over examples, (n_l, 1)
    """
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T)             # A_prev.T is a view: no copy of X
    dW *= 1.0 / m
    db = np.sum(dZ, axis=1, keepdims=True)
    db *= 1.0 / m
    # W^T dZ computed as (dZ^T W)^T: the same numbers (each entry is a sum of
    # n_l products), but OpenBLAS runs this orientation 25-45 % faster for the
    # layer-1 shape (12288 x n_1 times n_1 x m).  dA_prev comes back in
    # Fortran order; only its memory layout differs.
    dA_prev = np.dot(dZ.T, W).T
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """Backward pass of one LINEAR->ACTIVATION layer.

    Arguments:
        dA         -- gradient w.r.t. this layer's activations, (n_l, m)
        cache      -- (linear_cache, activation_cache) from the forward pass
        activation -- "sigmoid" or "relu"

    Returns:
        dA_prev -- (n_{l-1}, m);  dW -- (n_l, n_{l-1});  db -- (n_l, 1)
    """
    _check_activation(activation)
    linear_cache, activation_cache = cache
    dZ = _BACKWARD[activation](dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    """Backward pass of [LINEAR->RELU] * (L-1) -> LINEAR->SIGMOID.

    Arguments:
        AL     -- output of L_model_forward, (1, m)
        Y      -- true labels, (1, m)
        caches -- list of layer caches from L_model_forward

    Returns:
        grads -- dict with "dA{l-1}", "dW{l}", "db{l}" for l = 1..L
                 (so dA0 .. dA{L-1}, dW1 .. dWL, db1 .. dbL)
    """
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    # dAL = -(Y / AL - (1 - Y) / (1 - AL)), finished in place on one buffer.
    dAL = np.divide(Y, AL)
    dAL -= np.subtract(1.0, Y) / np.subtract(1.0, AL)
    np.negative(dAL, out=dAL)

    dA_prev, dW, db = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    grads["dA" + str(L - 1)] = dA_prev
    grads["dW" + str(L)] = dW
    grads["db" + str(L)] = db
    for l in reversed(range(L - 1)):
        dA_prev, dW, db = linear_activation_backward(grads["dA" + str(l + 1)],
                                                     caches[l], "relu")
        grads["dA" + str(l)] = dA_prev
        grads["dW" + str(l + 1)] = dW
        grads["db" + str(l + 1)] = db
    return grads


# ---------------------------------------------------------------------------
# Gradient descent
# ---------------------------------------------------------------------------

def update_parameters(params, grads, learning_rate):
    """One step of gradient descent: W := W - learning_rate * dW (same for b).

    Neither `params` nor its arrays are modified: a new dict holding new
    arrays is returned (each made with a single allocation).

    Arguments:
        params        -- dict of parameters W1, b1, ..., WL, bL
        grads         -- dict of gradients, output of L_model_backward
        learning_rate -- step size

    Returns:
        parameters -- new dict of updated parameters, same keys and shapes
    """
    parameters = {}
    for key, value in params.items():
        new = np.multiply(grads["d" + key], learning_rate)   # lr * dW (fresh)
        np.subtract(value, new, out=new)                     # W - lr * dW
        parameters[key] = new
    return parameters


# ---------------------------------------------------------------------------
# Data, prediction and inspection
# ---------------------------------------------------------------------------

def load_data():
    """Load the cat / non-cat image set used by the application notebook.

    Returns:
        train_x_orig -- training images, (m_train, h, w[, c]) uint8
        train_y      -- training labels, (1, m_train)
        test_x_orig  -- test images, (m_test, h, w[, c]) uint8
        test_y       -- test labels, (1, m_test)
        classes      -- class names, index = label
    """
    import lr_utils   # imported here: only this function needs the data files
    return lr_utils.load_dataset()


def predict(X, y, parameters):
    """Predict 0/1 labels with an L-layer network and print the accuracy.

    Arguments:
        X          -- inputs, (n_x, m)
        y          -- true labels, (1, m)
        parameters -- trained parameters

    Returns:
        p -- predictions, (1, m) float array of 0. and 1. (1 where AL > 0.5)
    """
    m = X.shape[1]
    probas, _ = L_model_forward(X, parameters)
    p = (probas > 0.5).astype(np.float64)
    print("Accuracy: " + str(np.sum((p == y) / m)))
    return p


def _infer_image_shape(n):
    """Guess an image shape from the number n of values per example."""
    if n == 64 * 64 * 3:
        return (64, 64, 3)
    if n == 28 * 28:
        return (28, 28)
    side = int(round(np.sqrt(n)))
    if side * side == n:
        return (side, side)
    side = int(round(np.sqrt(n / 3)))
    if n % 3 == 0 and side * side * 3 == n:
        return (side, side, 3)
    raise ValueError("cannot infer an image shape for %d values per example; "
                     "pass image_shape=(h, w) or (h, w, 3)" % n)


def _class_name(classes, label):
    name = classes[int(label)]
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def print_mislabeled_images(classes, X, y, p, image_shape=None, max_images=None):
    """Show the examples whose prediction differs from the label.

    Arguments:
        classes     -- class names, index = label (bytes or str)
        X           -- flattened images in [0, 1], (h*w[*c], m)
        y           -- true labels, (1, m)
        p           -- predicted labels, (1, m)
        image_shape -- (h, w) for grayscale or (h, w, 3) for colour; None
                       infers it: 12288 -> (64, 64, 3), 784 -> (28, 28),
                       otherwise a square (s, s) or (s, s, 3)
        max_images  -- show at most this many (None: all)

    Returns:
        fig -- the matplotlib figure (None if nothing is mislabeled)
    """
    if image_shape is None:
        image_shape = _infer_image_shape(X.shape[0])
    image_shape = tuple(image_shape)
    wrong = np.flatnonzero(np.asarray(p).ravel() != np.asarray(y).ravel())
    if max_images is not None:
        wrong = wrong[:max_images]
    if wrong.size == 0:
        print("No mislabeled images.")
        return None

    ncols = min(wrong.size, 5)
    nrows = -(-wrong.size // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 3.6 * nrows),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    gray = len(image_shape) == 2
    for ax, index in zip(axes.ravel(), wrong):
        image = np.asarray(X[:, index]).reshape(image_shape)
        if gray:
            ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        else:
            ax.imshow(image, interpolation="nearest")
        ax.set_title("Prediction: %s\nClass: %s"
                     % (_class_name(classes, np.ravel(p)[index]),
                        _class_name(classes, np.ravel(y)[index])))
    fig.tight_layout()
    return fig
