"""Activation functions and their backward passes for the deep-network notebooks.

Every forward function returns ``(A, cache)`` where ``cache`` is the
pre-activation ``Z`` itself (the same object the caller passed in, not a
copy); every backward function takes the upstream gradient ``dA`` and that
cache and returns ``dZ``.  All arrays may have any shape; in the notebooks
they are ``(n_l, m)``, one example per column.

Results are bit-for-bit those of the textbook formulas

    sigmoid:           A  = 1 / (1 + exp(-Z))
    sigmoid_backward:  dZ = dA * s * (1 - s),  s = sigmoid(Z)
    relu:              A  = max(0, Z)
    relu_backward:     dZ = dA where Z > 0, else 0

because the same floating-point operations are performed in the same order;
only the number of temporary arrays differs.

Memory policy (what "in place" means here)
    * Each function allocates its result once and then works in place on
      that fresh array (``out=`` arguments).  The textbook expressions above
      would create two or three throw-away temporaries of the same size.
    * The inputs ``Z`` / ``dA`` / ``cache`` are never written to.  A caller
      can therefore keep and reuse them (the backward pass does reuse the
      cached ``Z``; a student may print ``dA`` after the call).
    * The returned array never aliases an input, so a caller may modify it.
"""

import numpy as np


def sigmoid(Z):
    """Logistic activation.

    Arguments:
        Z -- pre-activation, numpy array of any shape, e.g. (n_l, m)

    Returns:
        A     -- 1 / (1 + exp(-Z)), same shape as Z (new array)
        cache -- Z, kept for sigmoid_backward
    """
    A = np.negative(Z)            # the only allocation: -Z
    np.exp(A, out=A)              # exp(-Z)
    A += 1.0                      # 1 + exp(-Z)
    np.reciprocal(A, out=A)       # 1 / (1 + exp(-Z)), an IEEE division like 1/x
    return A, Z


def relu(Z):
    """Rectified linear activation.

    Arguments:
        Z -- pre-activation, numpy array of any shape, e.g. (n_l, m)

    Returns:
        A     -- max(0, Z) element-wise, same shape as Z (new array)
        cache -- Z, kept for relu_backward
    """
    A = np.maximum(Z, 0.0)
    return A, Z


def sigmoid_backward(dA, cache):
    """Backward pass through a sigmoid unit.

    Arguments:
        dA    -- gradient of the cost w.r.t. the activation A, shape (n_l, m)
        cache -- Z from the forward pass, same shape as dA

    Returns:
        dZ -- gradient of the cost w.r.t. Z: dA * s * (1 - s), shape of Z
    """
    s, _ = sigmoid(cache)         # fresh array no one else sees
    dZ = np.multiply(dA, s)       # dA * s                  (the result)
    np.subtract(1.0, s, out=s)    # s := 1 - s, reusing the private buffer
    dZ *= s                       # (dA * s) * (1 - s), same order as textbook
    return dZ


def relu_backward(dA, cache):
    """Backward pass through a ReLU unit.

    Arguments:
        dA    -- gradient of the cost w.r.t. the activation A, shape (n_l, m)
        cache -- Z from the forward pass, same shape as dA

    Returns:
        dZ -- dA where Z > 0 and 0 elsewhere, shape of Z (new float array)
    """
    # One boolean mask (1 byte per element) and the result; dA is copied
    # through unchanged where Z > 0 and +0.0 is written elsewhere.
    return np.where(cache > 0, dA, 0.0)
