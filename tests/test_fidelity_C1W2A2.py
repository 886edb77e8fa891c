"""Fidelity: on the course's own cat / non-cat data, the reference model prints exactly the published results.

The course's h5 files are not part of the kit; the test runs only where they sit in ../shared/reference-data.
"""
import contextlib
import io
from pathlib import Path

import pytest

import coursekit
from coursekit import reference

REFERENCE_DATA = Path(coursekit.ROOT).parent / "shared" / "reference-data"

PUBLISHED_COSTS = [0.693147, 0.584508, 0.466949, 0.376007, 0.331463, 0.303273, 0.279880, 0.260042, 0.242941,
                   0.228004, 0.214820, 0.203078, 0.192544, 0.183033, 0.174399, 0.166521, 0.159305, 0.152667,
                   0.146542, 0.140872]


def test_model_reproduces_the_published_cat_results():
    if not (REFERENCE_DATA / "train_catvnoncat.h5").is_file() or not (REFERENCE_DATA / "test_catvnoncat.h5").is_file():
        pytest.skip(f"the course's cat data is not in {REFERENCE_DATA}")
    from lr_utils import load_dataset

    train_x_orig, train_y, test_x_orig, test_y, classes = load_dataset(REFERENCE_DATA)
    assert train_x_orig.shape == (209, 64, 64, 3) and test_x_orig.shape == (50, 64, 64, 3)
    train_x = train_x_orig.reshape(train_x_orig.shape[0], -1).T / 255.
    test_x = test_x_orig.reshape(test_x_orig.shape[0], -1).T / 255.

    ref = reference.load("C1W2A2")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        d = ref.model(train_x, train_y, test_x, test_y, num_iterations=2000, learning_rate=0.005, print_cost=True)

    expected = ["Cost after iteration %i: %f" % (100 * i, cost) for i, cost in enumerate(PUBLISHED_COSTS)]
    expected += ["train accuracy: 99.04306220095694 %", "test accuracy: 70.0 %"]
    assert out.getvalue().splitlines() == expected
    assert len(d["costs"]) == 20 and d["w"].shape == (64 * 64 * 3, 1)
    assert d["learning_rate"] == 0.005 and d["num_iterations"] == 2000
