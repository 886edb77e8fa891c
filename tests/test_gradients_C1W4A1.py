"""C1W4A1: the gradient checks of the public backward tests work, and the fixtures are right, checked independently.

- The reference solutions agree (to 1e-12) with the finished functions of utils/dnn_app_utils.py on random inputs,
  and so do the stored expected values of the public tests (initialize_parameters_deep excepted: its scale differs
  there by design).
- The reference gradients and the stored gradients of L_model_backward agree with numerical gradients computed here,
  with a finite-difference routine of this file (not the one of the public tests).
- A backward pass that is wrong, with a right forward pass, gets a message naming the gradient, its layer and the
  relative error; a right backward pass with a wrong forward pass is not blamed.
"""
import importlib

import numpy as np
import pytest

import dnn_app_utils
from coursekit import reference
from public_tests.harness import TestFailure, decode, load_fixture
from tests.mutants.C1W4A1 import MUTANTS

ASSIGNMENT = "C1W4A1"
T = importlib.import_module(f"public_tests.{ASSIGNMENT}")


@pytest.fixture(scope="module")
def ref():
    return reference.load(ASSIGNMENT)


def close(a, b, tol=1e-12, where="value"):
    """Assert two values (arrays, numbers, tuples, lists, dicts of them) agree to `tol` (absolute)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), where
        for key in a:
            close(a[key], b[key], tol, f"{where}[{key!r}]")
    elif isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, tol, f"{where}[{i}]")
    else:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        assert a.shape == b.shape, (where, a.shape, b.shape)
        assert np.max(np.abs(a - b), initial=0.0) <= tol, (where, np.max(np.abs(a - b)))


def numerical(f, x, h=1e-6):
    """Centred differences of the number f(x) for every entry of x (works on copies)."""
    grad = np.zeros(x.shape)
    flat = grad.reshape(-1)
    for i in range(x.size):
        plus, minus = x.astype(float), x.astype(float)
        plus.reshape(-1)[i] += h
        minus.reshape(-1)[i] -= h
        flat[i] = (f(plus) - f(minus)) / (2 * h)
    return grad


def numerical_grads(forward, cost, X, Y, parameters):
    """{"dW1": ..., "db1": ..., "dA0": ...} by finite differences, with the conventions of the notebook:
    dW, db are gradients of J; dA_l is the gradient of m * J with respect to the input of layer l + 1."""
    L, m = len(parameters) // 2, X.shape[1]
    grads = {}
    for key in parameters:
        def J(value, key=key):
            return float(cost(forward(X, dict(parameters, **{key: value}))[0], Y))
        grads["d" + key] = numerical(J, parameters[key])
    A = X
    for l in range(L):
        rest = {f"{p}{k - l}": parameters[f"{p}{k}"] for k in range(l + 1, L + 1) for p in "Wb"}
        grads["dA" + str(l)] = m * numerical(lambda a, rest=rest: float(cost(forward(a, rest)[0], Y)), A)
        A = np.maximum(np.dot(parameters["W" + str(l + 1)], A) + parameters["b" + str(l + 1)], 0)
    return grads


def relative(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)


def network_from_caches(caches):
    """X and the parameters of a network, read back from its caches."""
    X = caches[0][0][0]
    parameters = {}
    for l, ((_, W, b), _) in enumerate(caches, 1):
        parameters["W" + str(l)], parameters["b" + str(l)] = W, b
    return X, parameters


def run_in_notebook(test_name, function, **notebook_globals):
    """Call `<test_name>(function)` from a namespace that plays the notebook (like a test cell does)."""
    namespace = dict(notebook_globals, test=getattr(T, test_name), function=function)
    with np.errstate(all="ignore"):
        exec("test(function)", namespace)


def failure_message(test_name, function, **notebook_globals):
    with pytest.raises(TestFailure) as failure:
        run_in_notebook(test_name, function, **notebook_globals)
    return str(failure.value)


def forward_of(ref):
    return {"L_model_forward": ref.L_model_forward, "compute_cost": ref.compute_cost}


# ---------------------------------------------------------------------------------------------- random inputs

def random_inputs(seed):
    """Random arguments for every function that has a same-named twin in dnn_app_utils."""
    rng = np.random.RandomState(seed)
    n_prev, n, m = rng.randint(1, 6, size=3)
    dims = [int(d) for d in rng.randint(1, 6, size=rng.randint(2, 5))] + [1]
    X, Y = rng.randn(dims[0], m), (rng.rand(1, m) > 0.5).astype(int)
    params = T.example_parameters(seed + 1, dims)
    AL, caches = dnn_app_utils.L_model_forward(X, params)
    A_prev, W, b = rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1)
    Z = np.dot(W, A_prev) + b
    activation = ["sigmoid", "relu"][seed % 2]
    return {
        "initialize_parameters": (int(n_prev), int(n), 1),
        "linear_forward": (A_prev, W, b),
        "linear_activation_forward": (A_prev, W, b, activation),
        "L_model_forward": (X, params),
        "compute_cost": (rng.uniform(0.01, 0.99, (1, m)), Y),
        "linear_backward": (rng.randn(n, m), (A_prev, W, b)),
        "linear_activation_backward": (rng.randn(n, m), ((A_prev, W, b), Z), activation),
        "L_model_backward": (AL, Y, caches),
        "update_parameters": (params, T.example_grads(seed + 2, dims, m), float(rng.uniform(0.01, 1))),
    }


@pytest.mark.parametrize("seed", range(8))
def test_reference_agrees_with_dnn_app_utils(ref, seed):
    for name, args in random_inputs(seed).items():
        close(getattr(ref, name)(*args), getattr(dnn_app_utils, name)(*args), where=f"{name}, seed {seed}")


def test_initialize_parameters_deep_differs_from_dnn_app_utils_only_in_scale(ref):
    dims = [6, 5, 3, 1]
    mine, theirs = ref.initialize_parameters_deep(dims), dnn_app_utils.initialize_parameters_deep(dims)
    assert list(mine) == list(theirs) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for key in mine:
        assert mine[key].shape == theirs[key].shape
    for l in range(1, len(dims)):
        assert not mine["b" + str(l)].any()
        assert np.abs(mine["W" + str(l)]).max() < 0.05  # 0.01 * N(0, 1)
        assert np.abs(theirs["W" + str(l)]).max() > 0.1  # N(0, 1) / sqrt(n_{l-1})


def test_fixtures_agree_with_dnn_app_utils():
    """The stored expected values, recomputed by the colleague's independent implementation."""
    entries = load_fixture(ASSIGNMENT)
    for name, cases in T.CASES.items():
        if name == "initialize_parameters_deep":
            continue
        for case, entry in zip(cases, entries[name]):
            assert entry["case"] == case.name
            close(decode(entry["expected"]), getattr(dnn_app_utils, name)(*case.args(), **case.kwargs),
                  where=f"{name}: {case.name}")


# ---------------------------------------------------------------------------------------------- numerical gradients

@pytest.mark.parametrize("seed,dims,m", [(1, [3, 2, 1], 3), (2, [4, 5, 3, 1], 5), (3, [2, 1], 4),
                                         (4, [3, 4, 4, 2, 1], 2)])
def test_reference_gradients_agree_with_numerical(ref, seed, dims, m):
    X, Y, params = T.example_network(seed, dims, m)
    AL, caches = ref.L_model_forward(X, params)
    assert min(np.abs(Z).min() for _, Z in caches) > 1e-4  # no ReLU kink within reach of the finite differences
    grads = ref.L_model_backward(AL, Y, caches)
    expected = numerical_grads(ref.L_model_forward, ref.compute_cost, X, Y, params)
    assert set(grads) == set(expected)
    for key in expected:
        assert relative(grads[key], expected[key]) < 1e-7, key


def test_stored_gradients_agree_with_numerical():
    """The expected grads of the public L_model_backward cases, against finite differences of dnn_app_utils."""
    for case, entry in zip(T.CASES["L_model_backward"], load_fixture(ASSIGNMENT)["L_model_backward"]):
        AL, Y, caches = case.args()
        assert min(np.abs(Z).min() for _, Z in caches) > 1e-4, case.name
        X, params = network_from_caches(caches)
        expected = numerical_grads(dnn_app_utils.L_model_forward, dnn_app_utils.compute_cost, X, Y, params)
        stored = decode(entry["expected"])
        assert set(stored) == set(expected), case.name
        for key in expected:
            assert relative(stored[key], expected[key]) < 1e-7, (case.name, key)


def test_gradient_check_network_is_safe(ref):
    """The network of the public gradient check: away from the ReLU kinks, and every hidden unit active."""
    X, Y, params = T.example_network(T.CHECK_SEED, T.CHECK_DIMS, T.CHECK_M)
    AL, caches = ref.L_model_forward(X, params)
    assert min(np.abs(Z).min() for _, Z in caches) > 0.05
    for _, Z in caches[:-1]:
        assert (Z > 0).any(axis=1).all()
    assert 0.02 < AL.min() and AL.max() < 0.98
    assert T._network_check(ref.L_model_backward, ref.L_model_forward, ref.compute_cost) is None


def test_the_public_checker_agrees_with_this_one(ref):
    X, Y, params = T.example_network(5, [3, 3, 1], 4)
    AL, caches = ref.L_model_forward(X, params)

    def J():
        return float(ref.compute_cost(ref.L_model_forward(X, params)[0], Y))
    mine = numerical_grads(ref.L_model_forward, ref.compute_cost, X, Y, params)
    for key in ["W1", "b1", "W2", "b2"]:
        assert relative(T.numerical_gradient(J, params[key]), mine["d" + key]) < 1e-8


# ---------------------------------------------------------------------------------------------- the messages

def _backward_with(ref, layer_step):
    """An L_model_backward (like the reference) whose layer step is `layer_step(dA, cache, activation, l)`."""
    def L_model_backward(AL, Y, caches):
        grads = {}
        L = len(caches)
        Y = Y.reshape(AL.shape)
        dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
        grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = layer_step(dAL, caches[L - 1],
                                                                                         "sigmoid", L)
        for l in reversed(range(L - 1)):
            grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = layer_step(
                grads["dA" + str(l + 1)], caches[l], "relu", l + 1)
        return grads
    return L_model_backward


def _no_1_over_m_in_dW(ref, only_layer=None):
    def step(dA, cache, activation, layer):
        dA_prev, dW, db = ref.linear_activation_backward(dA, cache, activation)
        if only_layer in (None, layer):
            dW = dW * cache[0][0].shape[1]
        return dA_prev, dW, db
    return step


@pytest.mark.parametrize("mistake,expected", [
    # a hidden layer uses the sigmoid's backward step: layer 2 of 3 is the first one off
    ("hidden sigmoid", ["dW2 (layer 2, LINEAR->RELU): relative error", "db2 (layer 2", "dA1 (layer 2",
                        "The layers below follow from it and are off too (dW1, db1, dA0)", "relu_backward"]),
    # the 1/m is missing in dW of every layer: dW3 is the first gradient off, by a factor m
    ("dW without 1/m", ["dW3 (layer 3, LINEAR->SIGMOID): relative error", "m = 4 times too large: a missing 1/m",
                        "dW = 1/m dZ A_prev^T"]),
    # the same mistake in layer 1 only
    ("dW1 without 1/m", ["dW1 (layer 1, LINEAR->RELU): relative error", "a missing 1/m"]),
    # db of layer 1 halved: a factor the check names
    ("db1 halved", ["db1 (layer 1, LINEAR->RELU): relative error", "every value is 0.5 times the right one",
                    "db = 1/m times the sum of dZ"]),
])
def test_wrong_backward_with_right_forward_names_gradient_and_layer(ref, mistake, expected):
    steps = {
        "hidden sigmoid": lambda dA, cache, activation, layer: ref.linear_activation_backward(dA, cache, "sigmoid"),
        "dW without 1/m": _no_1_over_m_in_dW(ref),
        "dW1 without 1/m": _no_1_over_m_in_dW(ref, only_layer=1),
        "db1 halved": lambda dA, cache, activation, layer: tuple(
            g / 2 if (i == 2 and layer == 1) else g
            for i, g in enumerate(ref.linear_activation_backward(dA, cache, activation))),
    }
    message = failure_message("L_model_backward_test", _backward_with(ref, steps[mistake]), **forward_of(ref))
    assert message.startswith("L_model_backward"), message
    assert "Gradient check: your L_model_backward against centred differences of your own L_model_forward" in message
    for text in expected:
        assert text in message, (text, message)


@pytest.mark.parametrize("index", [i for i, m in enumerate(MUTANTS["L_model_backward"]) if m.known])
def test_every_known_backward_mutant_gets_a_gradient_report(ref, index):
    mistake = MUTANTS["L_model_backward"][index]
    message = failure_message("L_model_backward_test", mistake.func, **forward_of(ref))
    assert mistake.message in message  # the stored-case diagnosis comes first
    assert "Gradient check:" in message and "(layer " in message and "relative error" in message, message


def test_helpers_found_through_the_functions_globals(ref):
    """The notebook's forward pass is found via target.__globals__ even if the caller's globals don't have it."""
    namespace = dict(forward_of(ref), np=np, ref=ref)
    exec("def L_model_backward(AL, Y, caches):\n"
         "    grads = ref.L_model_backward(AL, Y, caches)\n"
         "    grads['dW1'] = 2 * grads['dW1']\n"
         "    return grads\n", namespace)
    with pytest.raises(TestFailure) as failure, np.errstate(all="ignore"):
        T.L_model_backward_test(namespace["L_model_backward"])
    assert "dW1 (layer 1, LINEAR->RELU): relative error" in str(failure.value)


def test_right_backward_with_wrong_forward_is_not_blamed(ref, capsys):
    wrong_forward = next(m.func for m in MUTANTS["L_model_forward"] if "hidden layers" in m.message)
    run_in_notebook("L_model_backward_test", ref.L_model_backward, L_model_forward=wrong_forward,
                    compute_cost=ref.compute_cost)
    assert "All tests passed." in capsys.readouterr().out


def test_wrong_backward_with_wrong_forward_says_the_check_waits(ref):
    wrong_cost = next(m.func for m in MUTANTS["compute_cost"] if "sign" in m.message)
    mistake = MUTANTS["L_model_backward"][0]
    message = failure_message("L_model_backward_test", mistake.func, L_model_forward=ref.L_model_forward,
                              compute_cost=wrong_cost)
    assert mistake.message in message
    assert "Gradient check:" not in message
    assert "Once L_model_forward and compute_cost pass their tests" in message


def test_check_catches_a_mistake_the_stored_cases_miss(ref):
    """Wrong only for 3 layers and 4 examples (no stored case has both): the gradient check still finds it."""
    def L_model_backward(AL, Y, caches):
        grads = ref.L_model_backward(AL, Y, caches)
        if len(caches) == 3 and AL.shape[1] == 4:
            grads["db2"] = -grads["db2"]
        return grads
    message = failure_message("L_model_backward_test", L_model_backward, **forward_of(ref))
    assert message.startswith("L_model_backward: the stored cases pass, but the gradient check does not.")
    assert "db2 (layer 2, LINEAR->RELU): relative error 1 vs the numerical gradient (every value has the wrong sign)" \
        in message


def test_stored_failure_with_consistent_gradients_says_so(ref):
    """Right on the check network, wrong on a stored case: the message says where to look."""
    def L_model_backward(AL, Y, caches):
        grads = ref.L_model_backward(AL, Y, caches)
        if len(caches) == 2:
            grads["dW1"] = grads["dW1"] + 1
        return grads
    message = failure_message("L_model_backward_test", L_model_backward, **forward_of(ref))
    assert message.startswith("L_model_backward: case 1 of 4 failed")
    assert "Your gradients do agree with the numerical ones" in message


@pytest.mark.parametrize("name,forward_name,index,expected", [
    ("linear_backward", "linear_forward", 0, ["dW: relative error", "m = 5 times too large: a missing 1/m"]),
    ("linear_backward", "linear_forward", 2, ["dA_prev: relative error", "an extra 1/m", "dA_prev = W^T dZ"]),
    ("linear_activation_backward", "linear_activation_forward", 0,
     ['activation = "sigmoid"', "dW: relative error", "db: relative error", "dA_prev: relative error",
      "dZ = sigmoid_backward(dA, activation_cache)"]),
])
def test_layer_backward_checks(ref, name, forward_name, index, expected):
    mistake = MUTANTS[name][index]
    message = failure_message(f"{name}_test", mistake.func, **{forward_name: getattr(ref, forward_name)})
    assert mistake.message in message
    assert "Gradient check (" in message
    for text in expected:
        assert text in message, (text, message)


def test_reference_passes_with_its_own_forward(ref, capsys):
    for name, forward in [("linear_backward", {"linear_forward": ref.linear_forward}),
                          ("linear_activation_backward", {"linear_activation_forward": ref.linear_activation_forward}),
                          ("L_model_backward", forward_of(ref))]:
        run_in_notebook(f"{name}_test", getattr(ref, name), **forward)
        assert capsys.readouterr().out.count("All tests passed.") == 1
