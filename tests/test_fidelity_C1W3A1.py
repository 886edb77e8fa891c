"""Fidelity: on the flower (generated, no external data) the reference prints the course's published results, and
its back-propagation agrees with a numerical gradient.

Published: the costs 0.693162 / 0.258625 / 0.239334 at iterations 0 / 1000 / 2000 with n_h=4, "Accuracy: 90%"
(90.75 %) after 10,000 iterations, and 67.5, 67.25, 90.75, 90.5, 91.25, 90.75, 90.25 % for hidden layers of
1, 2, 3, 4, 5, 20 and 50 units after 5,000 iterations.

Measured sensitivity (NumPy 2.4, x86-64 with AVX-512): the 10,000-iteration accuracy and the 20- and 50-unit sweep
figures flip by one example out of 400 (0.25 %) when the initial weights are multiplied by (1 + 1e-15 * noise): in
12 perturbed runs, n_h=20 gave 90.75 or 91.0 (6/6), n_h=50 gave 90.25 or 90.5 (7/5), and the 10,000-iteration
n_h=4 run gave 90.75 or 90.5 (8/4), while n_h=1..5 and the printed costs never moved. Which side a run lands on
depends on the last bit of the arithmetic: `(1 / m) * np.sum(...)` vs `np.sum(...) / m` (= `np.mean`), and NumPy's
SIMD `np.exp` (AVX-512) vs the C library's `exp`. The reference (SciPy's `expit` for the sigmoid, whose `exp` is the
C library's on every CPU; `(1 / m) * np.dot(...)` for dW and `np.mean(..., axis=1, keepdims=True)` for db) matches
every published figure here; with `1 / (1 + np.exp(-z))` on an AVX-512 CPU it gets 91.0 for 20 units and 90.5 for
50. So those three figures are checked to within one example, and an exact mismatch shows as an xfail, not a failure.
"""
import contextlib
import io

import numpy as np
import pytest

from coursekit import reference
from planar_utils import fit_logistic_regression, load_planar_dataset, load_xor_dataset

PUBLISHED_COSTS = {0: 0.693162, 1000: 0.258625, 2000: 0.239334}
ROBUST_SWEEP = {1: 67.5, 2: 67.25, 3: 90.75, 4: 90.5, 5: 91.25}
SENSITIVE_SWEEP = {20: 90.75, 50: 90.25}
ONE_EXAMPLE = 100 / 400


@pytest.fixture(scope="module")
def ref():
    return reference.load("C1W3A1")


def accuracy(ref, parameters, X, Y):
    """The notebook's formula, in floats (uint8 labels would overflow in np.dot)."""
    predictions = ref.predict(parameters, X).astype(float)
    Y = Y.astype(float)
    return ((np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) / float(Y.size) * 100).item()


def check_sensitive(results):
    """Within one example of the published figure; an exact mismatch is reported as an expected failure."""
    for label, (got, published) in results.items():
        assert abs(got - published) <= ONE_EXAMPLE + 1e-9, f"{label}: {got} % vs published {published} %"
    off = {label: got for label, (got, published) in results.items() if got != published}
    if off:
        pytest.xfail(f"within one example of the published figures, not exact on this platform: {off}")


def test_flower_training_run_prints_the_published_costs(ref):
    X, Y = load_planar_dataset()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        parameters = ref.nn_model(X, Y, n_h=4, num_iterations=10000, print_cost=True)
    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[:3] == ["Cost after iteration %i: %f" % (i, cost) for i, cost in PUBLISHED_COSTS.items()]
    got = accuracy(ref, parameters, X, Y)
    assert 'Accuracy: %d' % got + '%' == "Accuracy: 90%"
    check_sensitive({"n_h=4, 10000 iterations": (got, 90.75)})


def test_hidden_layer_sweep_matches_the_published_accuracies(ref):
    X, Y = load_planar_dataset()
    got = {n_h: accuracy(ref, ref.nn_model(X, Y, n_h, num_iterations=5000), X, Y)
           for n_h in [*ROBUST_SWEEP, *SENSITIVE_SWEEP]}
    assert {n_h: got[n_h] for n_h in ROBUST_SWEEP} == ROBUST_SWEEP
    check_sensitive({f"n_h={n_h}": (got[n_h], published) for n_h, published in SENSITIVE_SWEEP.items()})


def test_baselines_the_notebook_quotes(ref):
    X, Y = load_planar_dataset()
    assert 100 * np.mean(fit_logistic_regression(X, Y)(X) == Y) == 47.0
    X_xor, Y_xor = load_xor_dataset()
    assert 100 * np.mean(fit_logistic_regression(X_xor, Y_xor)(X_xor) == Y_xor) < 60  # a line: chance level
    xor_parameters = ref.nn_model(X_xor, Y_xor, n_h=4, num_iterations=5000)
    assert 100 * np.mean(ref.predict(xor_parameters, X_xor) == Y_xor) > 95  # one hidden layer: solved


@pytest.mark.parametrize("n_x,n_h,m,seed", [(2, 4, 7, 0), (3, 2, 5, 1), (2, 6, 6, 2)])
def test_backward_propagation_matches_a_numerical_gradient(ref, n_x, n_h, m, seed):
    rng = np.random.RandomState(seed)
    parameters = {"W1": rng.randn(n_h, n_x), "b1": rng.randn(n_h, 1) * 0.5,
                  "W2": rng.randn(1, n_h), "b2": rng.randn(1, 1) * 0.5}
    X = rng.randn(n_x, m)
    Y = (rng.rand(1, m) > 0.5).astype(np.uint8)

    def cost(p):
        return ref.compute_cost(ref.forward_propagation(X, p)[0], Y)

    grads = ref.backward_propagation(parameters, ref.forward_propagation(X, parameters)[1], X, Y)
    eps = 1e-6
    for key, value in parameters.items():
        numerical = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus, minus = copy_with(parameters, key, index, eps), copy_with(parameters, key, index, -eps)
            numerical[index] = (cost(plus) - cost(minus)) / (2 * eps)
        analytic = grads["d" + key]
        assert analytic.shape == value.shape, key
        assert np.linalg.norm(analytic - numerical) <= 1e-7 * (np.linalg.norm(analytic) + np.linalg.norm(numerical)), key


def copy_with(parameters, key, index, delta):
    changed = {k: v.copy() for k, v in parameters.items()}
    changed[key][index] += delta
    return changed
