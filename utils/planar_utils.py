"""Helpers for C1W3A1: planar data classification with one hidden layer.

Conventions used throughout (same as the notebooks):
    X has shape (n_features, m)  -- one example per column
    Y has shape (1, m)           -- labels 0/1 in a row vector

Contents
    load_planar_dataset()            the two-class "flower", X (2, 400), Y (1, 400)
    load_extra_datasets()            dict of other 2-D two-class datasets
    load_xor_dataset(m, seed)        four Gaussian clusters labelled by XOR
    plot_decision_boundary(model, X, y)
    fit_logistic_regression(X, Y)    baseline linear classifier (SciPy L-BFGS-B)
    sigmoid(z)
"""

import numpy as np
import matplotlib.pyplot as plt
from scipy.optimize import minimize


# ---------------------------------------------------------------------------
# Small maths helper
# ---------------------------------------------------------------------------

def sigmoid(z):
    """Element-wise logistic function 1 / (1 + exp(-z)); any shape in, same shape out."""
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------

def load_planar_dataset():
    """Build the two-class "flower" dataset (8 petals, 4 per class).

    Calls np.random.seed(1), i.e. it RESETS NumPy's global random state;
    the published figures of the assignment depend on this exact recipe.

    Returns:
        X -- float64 array of shape (2, 400): coordinates (x1, x2) per column
        Y -- uint8 array of shape (1, 400): labels, 0 for the first 200, 1 after
    """
    np.random.seed(1)
    m = 400                      # number of examples
    N = m // 2                   # examples per class
    D = 2                        # dimensionality
    a = 4                        # maximum ray of the flower
    X = np.zeros((m, D))         # (m, D), one example per row while building
    Y = np.zeros((m, 1), dtype="uint8")

    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2  # angle
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2                          # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j

    return X.T, Y.T


def _as_columns(points, labels):
    """Turn points (m, 2) and labels (m,) into X (2, m) float64 and Y (1, m) uint8."""
    X = np.asarray(points, dtype=np.float64).T
    Y = np.asarray(labels, dtype=np.uint8).reshape(1, -1)
    return X, Y


def _noisy_circles(m, rng, factor=0.5, noise=0.3):
    """Two concentric circles (radius 1 -> class 0, radius `factor` -> class 1)
    plus Gaussian noise of std `noise`. Returns X (2, m), Y (1, m)."""
    n_out = m // 2
    n_in = m - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    outer = np.c_[np.cos(t_out), np.sin(t_out)]
    inner = factor * np.c_[np.cos(t_in), np.sin(t_in)]
    points = np.r_[outer, inner] + noise * rng.standard_normal((m, 2))
    labels = np.r_[np.zeros(n_out), np.ones(n_in)]
    return _as_columns(points, labels)


def _noisy_moons(m, rng, noise=0.2):
    """Two interleaving half circles ("moons") plus Gaussian noise.
    Returns X (2, m), Y (1, m)."""
    n_a = m // 2
    n_b = m - n_a
    t_a = np.linspace(0, np.pi, n_a)
    t_b = np.linspace(0, np.pi, n_b)
    moon_a = np.c_[np.cos(t_a), np.sin(t_a)]                  # upper arc
    moon_b = np.c_[1 - np.cos(t_b), 0.5 - np.sin(t_b)]        # lower arc, shifted
    points = np.r_[moon_a, moon_b] + noise * rng.standard_normal((m, 2))
    labels = np.r_[np.zeros(n_a), np.ones(n_b)]
    return _as_columns(points, labels)


def _blobs(m, rng, n_blobs=6, std=1.0, box=8.0):
    """`n_blobs` isotropic Gaussian blobs with random centres in [-box, box]^2;
    blob k gets label k % 2, so there are two classes made of several blobs.
    Returns X (2, m), Y (1, m)."""
    centres = rng.uniform(-box, box, size=(n_blobs, 2))
    blob = np.arange(m) % n_blobs                             # blob index per point
    points = centres[blob] + std * rng.standard_normal((m, 2))
    labels = blob % 2
    return _as_columns(points, labels)


def _gaussian_quantiles(m, rng, cov=0.5):
    """Standard 2-D Gaussian cloud (variance `cov`) split at the median distance
    from the origin: inner half -> class 0, outer half -> class 1.
    Returns X (2, m), Y (1, m)."""
    points = np.sqrt(cov) * rng.standard_normal((m, 2))
    dist2 = np.sum(points ** 2, axis=1)
    labels = (dist2 > np.median(dist2)).astype(int)
    return _as_columns(points, labels)


def load_xor_dataset(m=400, seed=2):
    """Four Gaussian clusters at the corners (+-1, +-1) of a square, std 0.35.

    Label = XOR of the signs of the cluster centre: (+,+) and (-,-) -> 0,
    (+,-) and (-,+) -> 1. No straight line separates the classes; a network
    with one small hidden layer can. Uses its own generator (does not touch
    NumPy's global random state).

    Returns:
        X -- float64 array of shape (2, m)
        Y -- uint8 array of shape (1, m)
    """
    rng = np.random.default_rng(seed)
    corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=np.float64)
    corner_labels = np.array([0, 0, 1, 1])
    k = np.arange(m) % 4                                       # corner per point
    points = corners[k] + 0.35 * rng.standard_normal((m, 2))
    return _as_columns(points, corner_labels[k])


def load_extra_datasets(m=200, seed=0):
    """Other 2-D two-class datasets to try the network on.

    All are generated with NumPy only, from a private generator seeded with
    `seed` (NumPy's global random state is left alone).

    Arguments:
        m    -- number of examples per dataset
        seed -- seed of the generator

    Returns:
        dict name -> (X, Y) with X float64 (2, m) and Y uint8 (1, m), for the
        names "noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles", "xor".
    """
    rng = np.random.default_rng(seed)
    return {
        "noisy_circles": _noisy_circles(m, rng),
        "noisy_moons": _noisy_moons(m, rng),
        "blobs": _blobs(m, rng),
        "gaussian_quantiles": _gaussian_quantiles(m, rng),
        "xor": load_xor_dataset(m, seed=seed + 1),
    }


# ---------------------------------------------------------------------------
# Plotting
# ---------------------------------------------------------------------------

def plot_decision_boundary(model, X, y, step=0.01, pad=1.0):
    """Draw the regions a classifier assigns to each class, then the data.

    Works on matplotlib's current axes, so it can be used inside subplots.

    Arguments:
        model -- callable taking an (n_points, 2) array and returning n_points
                 predictions in any shape, e.g. (1, n_points) or (n_points,);
                 course usage: lambda x: predict(parameters, x.T)
        X     -- data, shape (2, m)
        y     -- labels, shape (1, m) or (m,)
        step  -- spacing of the evaluation grid
        pad   -- margin added around the data range

    Returns:
        the matplotlib Axes drawn on
    """
    ax = plt.gca()
    x_min, x_max = X[0, :].min() - pad, X[0, :].max() + pad
    y_min, y_max = X[1, :].min() - pad, X[1, :].max() + pad
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step),
                         np.arange(y_min, y_max, step))
    grid = np.c_[xx.ravel(), yy.ravel()]                       # (n_points, 2)
    Z = np.asarray(model(grid), dtype=np.float64).reshape(xx.shape)

    ax.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    ax.scatter(X[0, :], X[1, :], c=np.ravel(y), cmap=plt.cm.Spectral,
               edgecolors="k", linewidths=0.3, s=20)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return ax


# ---------------------------------------------------------------------------
# Logistic-regression baseline
# ---------------------------------------------------------------------------

def fit_logistic_regression(X, Y, lambd=1e-3):
    """Fit a linear classifier p(y=1|x) = sigmoid(w.x + b) with SciPy.

    Minimises  J(w, b) = mean cross-entropy + (lambd / 2) * ||w||^2
    with L-BFGS-B and its analytic gradient (no hand-written gradient descent).

    Arguments:
        X     -- inputs, shape (n_x, m)
        Y     -- labels 0/1, shape (1, m) or (m,)
        lambd -- L2 strength on the weights (the bias is not penalised)

    Returns:
        predict -- callable: predict(X_new) with X_new (n_x, k) -> (1, k) array
                   of 0/1 (int). Its fitted weights are in predict.w (n_x, 1)
                   and predict.b (float).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(Y, dtype=np.float64).reshape(1, -1)         # (1, m)
    n_x, m = X.shape

    def cost_and_grad(theta):
        w, b = theta[:n_x].reshape(n_x, 1), theta[n_x]
        z = w.T @ X + b                                        # (1, m)
        # log(1 + e^z) - y z  ==  cross-entropy, computed without overflow
        cost = np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lambd * np.sum(w ** 2)
        dz = (sigmoid(z) - y) / m                              # (1, m)
        dw = X @ dz.T + lambd * w                              # (n_x, 1)
        db = np.sum(dz)
        return cost, np.r_[dw.ravel(), db]

    result = minimize(cost_and_grad, np.zeros(n_x + 1), jac=True, method="L-BFGS-B")
    w_fit = result.x[:n_x].reshape(n_x, 1)
    b_fit = float(result.x[n_x])

    def predict(X_new):
        """X_new (n_x, k) -> predictions (1, k) of 0/1."""
        return ((w_fit.T @ np.asarray(X_new, dtype=np.float64) + b_fit) > 0).astype(int)

    predict.w, predict.b = w_fit, b_fit
    return predict
