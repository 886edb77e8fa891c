"""Public tests for C1W4A1, building a deep neural network step by step.

Every test compares your function with stored expected values (whole caches and gradient dicts included).  The three
backward tests also run a **gradient check**: they differentiate *your own* forward pass (and cost) numerically, with
centred differences, and compare with the gradients your backward function returns.  So when your forward pass is
right and your backward pass is not, the message says which gradient of which layer is off, and by how much.
"""
import io
import sys
from contextlib import redirect_stdout

import numpy as np

import dnn_app_utils
from public_tests.harness import Case, TestFailure, check_target, make_tests, run_cases
from public_tests.notebook import install

install()

ASSIGNMENT = "C1W4A1"


# ---------------------------------------------------------------------------------------------- example inputs

def rand(seed, *shape, scale=1.0):
    return np.random.RandomState(seed).randn(*shape) * scale


def example_labels(seed, m):
    """A (1, m) row of 0/1 labels (ints), with both classes present when m > 1."""
    y = (np.random.RandomState(seed).rand(1, m) > 0.5).astype(int)
    if m > 1:
        y[0, 0], y[0, -1] = 1, 0
    return y


def example_parameters(seed, layer_dims, scale=0.6):
    """Parameters W1, b1, ..., WL, bL of a small trained-looking network: random weights and non-zero biases."""
    rng = np.random.RandomState(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = rng.randn(layer_dims[l], layer_dims[l - 1]) * scale
        parameters["b" + str(l)] = rng.randn(layer_dims[l], 1) * 0.2
    return parameters


def example_grads(seed, layer_dims, m=3):
    """A gradient dict with the keys L_model_backward returns: dA0 .. dA{L-1}, dW1 .. dWL, db1 .. dbL."""
    rng = np.random.RandomState(seed)
    grads = {}
    for l in range(1, len(layer_dims)):
        grads["dA" + str(l - 1)] = rng.randn(layer_dims[l - 1], m)
        grads["dW" + str(l)] = rng.randn(layer_dims[l], layer_dims[l - 1])
        grads["db" + str(l)] = rng.randn(layer_dims[l], 1)
    return grads


def example_network(seed, layer_dims, m):
    """X (n_x, m), Y (1, m) and the parameters of a network with these layer sizes."""
    return rand(seed, layer_dims[0], m), example_labels(seed + 1, m), example_parameters(seed + 2, layer_dims)


def example_forward(seed, layer_dims, m):
    """(AL, Y, caches): the result of a forward pass through a small network, as L_model_backward receives it.

    The forward pass is the kit's finished one (utils/dnn_app_utils.py), so these inputs don't depend on your code.
    """
    X, Y, parameters = example_network(seed, layer_dims, m)
    AL, caches = dnn_app_utils.L_model_forward(X, parameters)
    return AL, Y, caches


def example_linear_cache(seed, n, n_prev, m):
    """(dZ, linear_cache) for linear_backward: dZ (n, m) and (A_prev (n_prev, m), W (n, n_prev), b (n, 1))."""
    rng = np.random.RandomState(seed)
    return rng.randn(n, m), (rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1))


def example_activation_cache(seed, n, n_prev, m):
    """(dA, cache) for linear_activation_backward: cache = ((A_prev, W, b), Z) with Z = W A_prev + b."""
    rng = np.random.RandomState(seed)
    A_prev, W, b = rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1)
    Z, linear_cache = dnn_app_utils.linear_forward(A_prev, W, b)
    return rng.randn(n, m), (linear_cache, Z)


# ---------------------------------------------------------------------------------------------- the cases

CACHE_HINT = ("each layer's cache is (linear_cache, activation_cache) = ((A_prev, W, b), Z), and caches holds "
              "the L layer caches in order, layer 1 first.")
BACKWARD_HINT = ("for each layer, dZ = dA * g'(Z), then dW = 1/m dZ A_prev^T, db = 1/m sum(dZ, axis=1, "
                 "keepdims=True) and dA_prev = W^T dZ.")
UPDATE_HINT = "for every layer l: W_l = W_l - learning_rate * dW_l and b_l = b_l - learning_rate * db_l."

FORWARD_OUT = ("A", "cache")
BACKWARD_OUT = ("dA_prev", "dW", "db")

CASES = {
    "initialize_parameters": [
        Case("n_x = 3, n_h = 2, n_y = 1", lambda: (3, 2, 1)),
        Case("n_x = 4, n_h = 5, n_y = 2", lambda: (4, 5, 2)),
        Case("n_x = 2, n_h = 2, n_y = 3 (a square W1)", lambda: (2, 2, 3)),
    ],
    "initialize_parameters_deep": [
        Case("layer_dims = [5, 4, 3]", lambda: ([5, 4, 3],)),
        Case("layer_dims = [4, 3, 2, 1] (three layers)", lambda: ([4, 3, 2, 1],)),
        Case("layer_dims = [6, 1] (a single layer)", lambda: ([6, 1],)),
        Case("layer_dims = [3, 3, 3, 3, 1] (square weight matrices)", lambda: ([3, 3, 3, 3, 1],)),
    ],
    "linear_forward": [
        Case("A (3, 2), W (1, 3), b (1, 1)", lambda: (rand(1, 3, 2), rand(2, 1, 3), rand(3, 1, 1)),
             outputs=("Z", "cache")),
        Case("A (4, 5), W (3, 4), b (3, 1)", lambda: (rand(4, 4, 5), rand(5, 3, 4), rand(6, 3, 1)),
             outputs=("Z", "cache")),
        Case("a square A (3, 3) and W (3, 3)", lambda: (rand(7, 3, 3), rand(8, 3, 3), rand(9, 3, 1)),
             outputs=("Z", "cache")),
    ],
    "linear_activation_forward": [
        Case('activation = "sigmoid", A_prev (3, 2), W (1, 3)',
             lambda: (rand(20, 3, 2), rand(21, 1, 3), rand(22, 1, 1), "sigmoid"), outputs=FORWARD_OUT, hint=CACHE_HINT),
        Case('activation = "relu", A_prev (3, 2), W (1, 3)',
             lambda: (rand(20, 3, 2), rand(21, 1, 3), rand(22, 1, 1), "relu"), outputs=FORWARD_OUT, hint=CACHE_HINT),
        Case('activation = "relu", A_prev (4, 5), W (3, 4)',
             lambda: (rand(14, 4, 5), rand(15, 3, 4), rand(16, 3, 1)), kwargs={"activation": "relu"},
             outputs=FORWARD_OUT, hint=CACHE_HINT),
        Case('activation = "sigmoid", a square A_prev (3, 3) and W (3, 3)',
             lambda: (rand(17, 3, 3), rand(18, 3, 3), rand(19, 3, 1)), kwargs={"activation": "sigmoid"},
             outputs=FORWARD_OUT, hint=CACHE_HINT),
    ],
    "L_model_forward": [
        Case("X (5, 4), layer_dims [5, 4, 3, 1] (three layers)",
             lambda: (rand(21, 5, 4), example_parameters(22, [5, 4, 3, 1])), outputs=("AL", "caches"), hint=CACHE_HINT),
        Case("X (3, 2), layer_dims [3, 1] (L = 1: a single sigmoid layer)",
             lambda: (rand(23, 3, 2), example_parameters(24, [3, 1])), outputs=("AL", "caches"), hint=CACHE_HINT),
        Case("X (4, 6), layer_dims [4, 5, 4, 3, 1] (four layers)",
             lambda: (rand(25, 4, 6), example_parameters(26, [4, 5, 4, 3, 1])), outputs=("AL", "caches"),
             hint=CACHE_HINT),
    ],
    "compute_cost": [
        Case("AL = [[0.8, 0.9, 0.4]], Y = [[1, 1, 0]]", lambda: (np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]]))),
        Case("7 examples", lambda: (np.random.RandomState(31).uniform(0.05, 0.95, (1, 7)), example_labels(32, 7))),
        Case("a single example, Y = [[0]]", lambda: (np.array([[0.3]]), np.array([[0]]))),
    ],
    "linear_backward": [
        Case("dZ (3, 4), A_prev (5, 4), W (3, 5)", lambda: example_linear_cache(41, 3, 5, 4), outputs=BACKWARD_OUT,
             hint=BACKWARD_HINT),
        Case("dZ (1, 2), A_prev (3, 2), W (1, 3)", lambda: example_linear_cache(42, 1, 3, 2), outputs=BACKWARD_OUT,
             hint=BACKWARD_HINT),
        Case("a square dZ (3, 3), A_prev (3, 3), W (3, 3)", lambda: example_linear_cache(43, 3, 3, 3),
             outputs=BACKWARD_OUT, hint=BACKWARD_HINT),
    ],
    "linear_activation_backward": [
        Case('activation = "sigmoid", dA (1, 2), A_prev (3, 2)',
             lambda: example_activation_cache(52, 1, 3, 2) + ("sigmoid",), outputs=BACKWARD_OUT, hint=BACKWARD_HINT),
        Case('activation = "relu", dA (1, 2), A_prev (3, 2)',
             lambda: example_activation_cache(52, 1, 3, 2) + ("relu",), outputs=BACKWARD_OUT, hint=BACKWARD_HINT),
        Case('activation = "relu", dA (4, 5), A_prev (3, 5)',
             lambda: example_activation_cache(55, 4, 3, 5), kwargs={"activation": "relu"}, outputs=BACKWARD_OUT,
             hint=BACKWARD_HINT),
        Case('activation = "sigmoid", a square dA (3, 3), A_prev (3, 3)',
             lambda: example_activation_cache(53, 3, 3, 3), kwargs={"activation": "sigmoid"}, outputs=BACKWARD_OUT,
             hint=BACKWARD_HINT),
    ],
    "L_model_backward": [
        Case("layer_dims [4, 3, 1], m = 2 (two layers)", lambda: example_forward(61, [4, 3, 1], 2), hint=BACKWARD_HINT),
        Case("layer_dims [5, 4, 3, 1], m = 6 (three layers)", lambda: example_forward(62, [5, 4, 3, 1], 6),
             hint=BACKWARD_HINT),
        Case("layer_dims [3, 1], m = 4 (L = 1: a single sigmoid layer)", lambda: example_forward(63, [3, 1], 4),
             hint=BACKWARD_HINT),
        Case("layer_dims [3, 3, 3, 3, 1], m = 3 (square weight matrices, four layers)",
             lambda: example_forward(64, [3, 3, 3, 3, 1], 3), hint=BACKWARD_HINT),
    ],
    "update_parameters": [
        Case("two layers [3, 2, 1], learning_rate = 0.1",
             lambda: (example_parameters(71, [3, 2, 1]), example_grads(72, [3, 2, 1]), 0.1), hint=UPDATE_HINT),
        Case("three layers [4, 3, 2, 1], learning_rate = 0.05",
             lambda: (example_parameters(73, [4, 3, 2, 1]), example_grads(74, [4, 3, 2, 1]), 0.05), hint=UPDATE_HINT),
        Case("one layer [2, 1], learning_rate = 1.2",
             lambda: (example_parameters(75, [2, 1]), example_grads(76, [2, 1]), 1.2), hint=UPDATE_HINT),
    ],
}

__all__ = make_tests(ASSIGNMENT, CASES, globals())

# Names for the returned value of functions that return one dict or one number (the engine says "output").
RETURNED = {"initialize_parameters": "parameters", "initialize_parameters_deep": "parameters", "compute_cost": "cost",
            "L_model_backward": "grads", "update_parameters": "parameters"}


def _named(message, name):
    returned = RETURNED.get(name)
    return message.replace("\n  output", "\n  " + returned, 1) if returned else message


# ---------------------------------------------------------------------------------------------- gradient checks

EPSILON = 1e-6     # the step of the centred differences
TOLERANCE = 1e-5   # the largest relative error accepted (a right backward pass gets about 1e-9 here)

# The network of the gradient check of L_model_backward: small, every Z at least 0.05 away from the kink of the ReLU
# (so that centred differences are accurate) and every hidden unit active on some example (so that every weight
# matters); tests/test_gradients_C1W4A1.py checks both.
CHECK_DIMS, CHECK_M, CHECK_SEED = [3, 4, 3, 1], 4, 24


def _number(value):
    return float(np.sum(np.asarray(value, dtype=float)))


def numerical_gradient(f, x, epsilon=EPSILON):
    """Centred differences (f(x + e) - f(x - e)) / 2e of the number f() for every entry of the float array x.

    x is changed and restored in place, one entry at a time: f must read it.
    """
    grad = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + epsilon
        plus = f()
        x[index] = old - epsilon
        minus = f()
        x[index] = old
        grad[index] = (plus - minus) / (2 * epsilon)
    return grad


def relative_error(got, numerical):
    return float(np.linalg.norm(got - numerical) / max(np.linalg.norm(got) + np.linalg.norm(numerical), 1e-12))


def _pattern(got, numerical, m):
    """A systematic difference between a gradient and the numerical one, in words ('' if there is none)."""
    if not np.any(got):
        return "it is all zeros"
    mask = np.abs(numerical) > 1e-6
    if not mask.any():
        return "it should be all zeros"
    ratios = got[mask] / numerical[mask]
    r = float(np.median(ratios))
    if not np.allclose(ratios, r, rtol=1e-4):
        return ""
    if abs(r + 1) < 1e-4:
        return "every value has the wrong sign"
    if m > 1 and abs(r - m) < 1e-4 * m:
        return f"every value is m = {m} times too large: a missing 1/m"
    if m > 1 and abs(r * m - 1) < 1e-4:
        return f"every value is 1/m = 1/{m} of the right one: an extra 1/m"
    return f"every value is {r:.4g} times the right one" if mask.sum() > 1 else ""


SHAPE_MARK = "\0"  # marks a missing or misshapen gradient (removed from the message)


def _compare_gradients(grads, numerical, order, m, labels):
    """[(key, line)] for every gradient in `order` that is missing, misshapen or off."""
    wrong = []
    for key in order:
        label = labels.get(key, key)
        if not isinstance(grads, dict) or key not in grads:
            wrong.append((key, f"{label}: missing" + SHAPE_MARK))
            continue
        got = np.asarray(grads[key], dtype=float)
        if got.shape != numerical[key].shape:
            wrong.append((key, f"{label}: shape {got.shape}, the numerical gradient has shape {numerical[key].shape}"
                               + SHAPE_MARK))
            continue
        error = relative_error(got, numerical[key])
        if not error <= TOLERANCE:
            pattern = _pattern(got, numerical[key], m)
            wrong.append((key, f"{label}: relative error {error:.2g} vs the numerical gradient"
                               + (f" ({pattern})" if pattern else "")))
    return wrong


FORMULAS = {"dW": "dW = 1/m dZ A_prev^T (linear_backward)",
            "db": "db = 1/m times the sum of dZ over the examples: np.sum(dZ, axis=1, keepdims=True) / m",
            "dA": "dA_prev = W^T dZ, with no 1/m (linear_backward)"}


def _formula_hint(kinds):
    return "; ".join(FORMULAS[k] for k in ("dW", "db", "dA") if k in kinds) + "."


def _network_check(backward, forward, cost):
    """Gradient check of L_model_backward with the student's own L_model_forward and compute_cost.

    Returns None if the gradients agree, else the lines of the report.
    """
    X, Y, parameters = example_network(CHECK_SEED, CHECK_DIMS, CHECK_M)
    L, m = len(CHECK_DIMS) - 1, CHECK_M
    AL, caches = forward(X, parameters)
    inputs = [np.array(caches[l][0][0], dtype=float) for l in range(L)]  # A0 = X, A1, ..., A_{L-1}
    grads = backward(AL, Y, caches)

    def J():
        return _number(cost(forward(X, parameters)[0], Y))

    numerical = {}
    for l in range(1, L + 1):
        numerical["dW" + str(l)] = numerical_gradient(J, parameters["W" + str(l)])
        numerical["db" + str(l)] = numerical_gradient(J, parameters["b" + str(l)])
    for l in range(L):
        # dA_l is the gradient of m * J (the summed loss) with respect to A_l, the input of layer l + 1: run the
        # layers l + 1 .. L as a network of their own, with A_l as its input.
        rest = {f"{p}{k - l}": parameters[f"{p}{k}"] for k in range(l + 1, L + 1) for p in "Wb"}
        A = inputs[l]
        numerical["dA" + str(l)] = m * numerical_gradient(lambda: _number(cost(forward(A, rest)[0], Y)), A)

    order, labels = [], {}
    for l in range(L, 0, -1):
        kind = "LINEAR->SIGMOID" if l == L else "LINEAR->RELU"
        order += ["dW" + str(l), "db" + str(l), "dA" + str(l - 1)]
        labels["dW" + str(l)] = f"dW{l} (layer {l}, {kind})"
        labels["db" + str(l)] = f"db{l} (layer {l}, {kind})"
        labels["dA" + str(l - 1)] = f"dA{l - 1} (layer {l}, {kind}: the gradient of its input A{l - 1})"
    wrong = _compare_gradients(grads, numerical, order, m, labels)
    if not wrong:
        return None
    layer = L - order.index(wrong[0][0]) // 3
    here = [(k, line) for k, line in wrong if L - order.index(k) // 3 == layer]
    later = [k for k, _ in wrong if L - order.index(k) // 3 != layer]
    lines = [f"Gradient check: your L_model_backward against centred differences of your own L_model_forward and "
             f"compute_cost, on a network with layer_dims {CHECK_DIMS} and m = {m} examples:"]
    lines += ["  " + line.rstrip(SHAPE_MARK) for _, line in here]
    if later:
        lines.append(f"  The layers below follow from it and are off too ({', '.join(later)}).")
    kinds = {k.rstrip("0123456789") for k, _ in here}
    if any(line.endswith(SHAPE_MARK) for _, line in here):
        hint = ("a gradient is missing or has the wrong shape: the step of layer l stores grads[\"dA\" + str(l - 1)], "
                "grads[\"dW\" + str(l)] and grads[\"db\" + str(l)], each with the shape of what it is the gradient "
                "of (A_prev, W, b).")
    elif len(here) == 3:
        if layer == L:
            hint = ("all three gradients of the output layer are off, so its dZ is wrong: start from dAL = -(Y/AL - "
                    "(1-Y)/(1-AL)) and call linear_activation_backward(dAL, caches[L-1], \"sigmoid\").")
        else:
            hint = (f"all three gradients of layer {layer} are off while layer {layer + 1} is right, so its dZ is "
                    f"wrong: linear_activation_backward(grads[\"dA{layer}\"], caches[{layer - 1}], \"relu\") (the "
                    f"relu_backward, the cache of layer {layer}, the dA{layer} that layer {layer + 1} returned).")
    else:
        hint = _formula_hint(kinds)
    lines.append("  Check: " + hint)
    return lines


def _layer_check(kind, backward, forward, activation=None):
    """Gradient check of linear_backward / linear_activation_backward with the student's own forward function."""
    n, n_prev, m = 3, 4, 5
    rng = np.random.RandomState(81)
    A_prev, W, b = rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1)
    upstream = rng.randn(n, m)  # dZ for linear_backward, dA for linear_activation_backward
    extra = (activation,) if activation else ()
    output, cache = forward(A_prev, W, b, *extra)
    got = backward(upstream, cache, *extra)

    def f():  # sum(upstream * output): its gradients are what the backward function computes (times m for dA_prev)
        return _number(upstream * forward(A_prev, W, b, *extra)[0])

    numerical = {"dA_prev": numerical_gradient(f, A_prev), "dW": numerical_gradient(f, W) / m,
                 "db": numerical_gradient(f, b) / m}
    grads = dict(zip(("dA_prev", "dW", "db"), got)) if isinstance(got, (tuple, list)) and len(got) == 3 else None
    wrong = _compare_gradients(grads, numerical, ["dW", "db", "dA_prev"], m, {})
    if not wrong:
        return None
    what = f'activation = "{activation}", ' if activation else ""
    forward_name = "linear_activation_forward" if activation else "linear_forward"
    lines = [f"Gradient check ({what}a layer of {n} units with {n_prev} inputs, m = {m} examples): your {kind} "
             f"against centred differences of your own {forward_name}:"]
    lines += ["  " + line.rstrip(SHAPE_MARK) for _, line in wrong]
    if any(line.endswith(SHAPE_MARK) for _, line in wrong):
        hint = "each gradient has the shape of what it is the gradient of: dA_prev of A_prev, dW of W, db of b."
    elif activation and len(wrong) == 3:
        backward_name = "relu_backward" if activation == "relu" else "sigmoid_backward"
        hint = (f"all three are off, so dZ is wrong: dZ = {backward_name}(dA, activation_cache) for "
                f"activation = \"{activation}\", then linear_backward(dZ, linear_cache).")
    else:
        hint = _formula_hint({k[:2] for k, _ in wrong})
    lines.append("  Check: " + hint)
    return lines


def _student_function(name, target, caller):
    """The notebook's function `name`: from the globals of the function under test, else of the calling cell."""
    for namespace in (getattr(target, "__globals__", None) or {}, caller):
        function = namespace.get(name)
        if callable(function):
            return function
    return None


def _passes(name, function):
    """Does `function` pass its own public test (quietly)?"""
    try:
        with redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
            run_cases(ASSIGNMENT, name, function, CASES[name])
    except Exception:
        return False
    return True


def _with_gradient_check(name, needs, check):
    """Wrap the generated `<name>_test`: stored cases first, then a gradient check against the student's forward."""
    stored_test = globals()[f"{name}_test"]

    def test(target):
        caller = sys._getframe(1).f_globals
        check_target(name, target)
        printed, failure = io.StringIO(), None
        try:
            with redirect_stdout(printed):
                stored_test(target)
        except TestFailure as exc:
            failure = exc
        helpers = {n: _student_function(n, target, caller) for n in needs}
        report, note = None, ""
        if all(helpers.values()) and all(_passes(n, f) for n, f in helpers.items()):
            try:
                with np.errstate(all="ignore"):
                    report = check(target, *helpers.values())
            except Exception:  # the stored cases already say what crashes
                report = None
            else:
                if failure is not None and report is None:
                    note = ("  (Your gradients do agree with the numerical ones on the small network of the gradient "
                            "check: look at what differs in this case.)")
        elif all(helpers.values()):
            note = (f"  (Once {' and '.join(needs)} pass{'' if len(needs) > 1 else 'es'} their tests, this test also "
                    f"checks your gradients numerically against them.)")
        if failure is not None:
            raise TestFailure("\n".join([_named(str(failure), name)] + (report or []) + ([note] if note else [])))
        if report:
            raise TestFailure("\n".join([f"{name}: the stored cases pass, but the gradient check does not."] + report))
        print(printed.getvalue(), end="")

    test.__name__ = test.__qualname__ = f"{name}_test"
    test.__doc__ = stored_test.__doc__ + " Then check your gradients numerically against your own forward pass."
    globals()[test.__name__] = test


def _with_names(name):
    """Wrap the generated `<name>_test` so that messages name the returned dict or number (e.g. grads["dW2"])."""
    stored_test = globals()[f"{name}_test"]

    def test(target):
        try:
            stored_test(target)
        except TestFailure as failure:
            raise TestFailure(_named(str(failure), name)) from None

    test.__name__ = test.__qualname__ = stored_test.__name__
    test.__doc__ = stored_test.__doc__
    globals()[test.__name__] = test


for _name in ("initialize_parameters", "initialize_parameters_deep", "compute_cost", "update_parameters"):
    _with_names(_name)
_with_gradient_check("linear_backward", ["linear_forward"],
                     lambda target, forward: _layer_check("linear_backward", target, lambda A, W, b: forward(A, W, b)))
_with_gradient_check("linear_activation_backward", ["linear_activation_forward"],
                     lambda target, forward: _layer_check("linear_activation_backward", target, forward, "sigmoid")
                     or _layer_check("linear_activation_backward", target, forward, "relu"))
_with_gradient_check("L_model_backward", ["L_model_forward", "compute_cost"], _network_check)

__all__ += ["example_parameters", "example_grads", "example_network", "example_forward", "example_labels",
            "example_linear_cache", "example_activation_cache"]
