"""Course datasets with the classic `load_dataset()` return signature.

Default: a binary task on the bundled MNIST digits, "is the digit 5 or larger?"
(y = 1 for 5..9, y = 0 for 0..4), 1,000 training and 2,000 disjoint test images.
"""
from pathlib import Path

import h5py
import numpy as np

from kit_data import DatasetError, load_mnist

SPLIT_SEED = 0           # fixed permutation -> the same split on every machine
M_TRAIN, M_TEST = 1000, 2000
CLASSES = np.array([b"0-4", b"5-9"])  # classes[y] names label y


def load_dataset(data_dir=None):
    """Load a binary image-classification dataset.

    Arguments:
        data_dir -- None for the bundled digits, or a folder holding
                    train_catvnoncat.h5 and test_catvnoncat.h5

    Returns:
        train_set_x_orig -- uint8 (m_train, h, w) or (m_train, h, w, c)
        train_set_y      -- (1, m_train) labels 0/1
        test_set_x_orig  -- uint8 (m_test, h, w[, c])
        test_set_y       -- (1, m_test) labels 0/1
        classes          -- (2,) bytes names, classes[label]
    """
    if data_dir is not None:
        return _load_h5_pair(Path(data_dir))
    images, digits = load_mnist()
    perm = np.random.RandomState(SPLIT_SEED).permutation(len(digits))  # global RNG untouched
    train, test = perm[:M_TRAIN], perm[M_TRAIN:M_TRAIN + M_TEST]
    y = (digits >= 5).astype(np.int64)
    return (images[train], y[train].reshape(1, -1),
            images[test], y[test].reshape(1, -1), CLASSES.copy())


def _load_h5_pair(folder):
    """Read train_catvnoncat.h5 / test_catvnoncat.h5 from folder (same return as above)."""
    files = [folder / "train_catvnoncat.h5", folder / "test_catvnoncat.h5"]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise DatasetError(f"load_dataset({str(folder)!r}): missing {', '.join(missing)}; "
                           "pass a folder with both files, or data_dir=None for the bundled digits")
    with h5py.File(files[0], "r") as tr, h5py.File(files[1], "r") as te:
        train_x, train_y = np.array(tr["train_set_x"][:]), np.array(tr["train_set_y"][:])
        test_x, test_y = np.array(te["test_set_x"][:]), np.array(te["test_set_y"][:])
        classes = np.array(te["list_classes"][:])
    return (train_x, train_y.reshape(1, -1),
            test_x, test_y.reshape(1, -1), classes)
