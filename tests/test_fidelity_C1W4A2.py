"""Fidelity of C1W4A2, deep neural network: application.

1. On the course's own cat / non-cat pictures, the reference 2-layer and 4-layer models print exactly the published
   costs and accuracies (the h5 files are not part of the kit: these tests run only where they sit in
   ../shared/reference-data).
2. On the kit's open data (MNIST digits, "5 or larger?"), the lesson of the notebook holds: with the same learning
   rate and number of iterations, the 4-layer network is more accurate on the test set than the 2-layer one.
"""
import contextlib
import io
import re
from pathlib import Path

import pytest

import coursekit
from coursekit import reference

REFERENCE_DATA = Path(coursekit.ROOT).parent / "shared" / "reference-data"
COST_LINE = re.compile(r"^Cost after iteration (\d+): (\S+)$")


def run(function, *args, **kwargs):
    """Call function; return (its result, the lines it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = function(*args, **kwargs)
    return result, out.getvalue().splitlines()


def printed_costs(lines):
    """{iteration: cost} parsed from the 'Cost after iteration i: c' lines (every line must be one)."""
    parsed = [COST_LINE.match(line) for line in lines]
    assert all(parsed), lines
    return {int(m.group(1)): float(m.group(2)) for m in parsed}


def flatten(images):
    return images.reshape(images.shape[0], -1).T / 255.


@pytest.fixture(scope="module")
def cat_data():
    if not all((REFERENCE_DATA / name).is_file() for name in ("train_catvnoncat.h5", "test_catvnoncat.h5")):
        pytest.skip(f"the course's cat data is not in {REFERENCE_DATA}")
    from lr_utils import load_dataset

    train_x_orig, train_y, test_x_orig, test_y, _ = load_dataset(REFERENCE_DATA)
    assert train_x_orig.shape == (209, 64, 64, 3) and test_x_orig.shape == (50, 64, 64, 3)
    return flatten(train_x_orig), train_y, flatten(test_x_orig), test_y


@pytest.mark.parametrize("model,layers_dims,first,last,train_line,test_line", [
    ("two_layer_model", (12288, 7, 1), 0.693049735659989, 0.04421498215868956,
     "Accuracy: 0.9999999999999998", "Accuracy: 0.72"),
    ("L_layer_model", [12288, 20, 7, 5, 1], 0.7717493284237686, 0.08843994344170202,
     "Accuracy: 0.9856459330143539", "Accuracy: 0.8"),
])
def test_reproduces_the_published_cat_results(cat_data, model, layers_dims, first, last, train_line, test_line):
    from dnn_app_utils import predict

    train_x, train_y, test_x, test_y = cat_data
    ref = reference.load("C1W4A2")
    (parameters, costs), lines = run(getattr(ref, model), train_x, train_y, layers_dims, 0.0075, 2500, True)
    printed = printed_costs(lines)
    assert sorted(printed) == list(range(0, 2500, 100)) + [2499]
    assert printed[0] == pytest.approx(first, abs=1e-9)
    assert printed[2499] == pytest.approx(last, abs=1e-9)
    assert len(costs) == 26 and float(costs[-1]) == printed[2499]
    assert run(predict, train_x, train_y, parameters)[1] == [train_line]
    assert run(predict, test_x, test_y, parameters)[1] == [test_line]


def test_deeper_network_generalises_better_on_the_digits():
    from dnn_app_utils import load_data, predict

    train_x_orig, train_y, test_x_orig, test_y, _ = load_data()
    train_x, test_x = flatten(train_x_orig), flatten(test_x_orig)
    ref = reference.load("C1W4A2")
    accuracy = {}
    for name, model, layers_dims in [("2-layer", ref.two_layer_model, (784, 7, 1)),
                                     ("4-layer", ref.L_layer_model, [784, 20, 7, 5, 1])]:
        (parameters, _), _ = run(model, train_x, train_y, layers_dims, 0.0075, 2500, False)
        predictions, _ = run(predict, test_x, test_y, parameters)
        accuracy[name] = (predictions == test_y).mean()
    assert accuracy["4-layer"] > accuracy["2-layer"], (
        f"test accuracy: 2-layer {accuracy['2-layer']:.2%}, 4-layer {accuracy['4-layer']:.2%}; the master measured "
        f"81.60 % and 85.05 %, and its text says the deeper network generalises better")
