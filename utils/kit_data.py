"""Find and verify the datasets bundled in the repo's datasets/ folder.

Every data file is listed in datasets/MANIFEST.json with its sha256; a file is
only opened after its checksum matches. The check runs once per process (and
again only if the file's size or modification time changes).
"""
import hashlib
import json
import os
from pathlib import Path

import h5py
import numpy as np

REGENERATE = {"mnist10k.h5": "python datasets/convert_mnist.py"}
_verified = {}  # filename -> (size, mtime_ns) of the file that passed the check


class DatasetError(RuntimeError, OSError):
    """A bundled data file is missing, unlisted or corrupt."""


def datasets_dir():
    """The repo's datasets/ folder (found relative to this file)."""
    return Path(__file__).resolve().parent.parent / "datasets"


def _fix(filename):
    fix = f"restore it with `git checkout -- datasets/{filename}`"
    if filename in REGENERATE:
        fix += f" or regenerate it with `{REGENERATE[filename]}`"
    return fix


def _manifest_entry(filename):
    path = datasets_dir() / "MANIFEST.json"
    try:
        files = json.loads(path.read_text())["files"]
    except (OSError, ValueError, KeyError) as e:
        raise DatasetError(f"datasets/MANIFEST.json is missing or unreadable ({e}): "
                           f"{_fix('MANIFEST.json')}") from None
    for entry in files:
        if entry["filename"] == filename:
            return entry
    raise DatasetError(f"datasets/{filename} is not listed in datasets/MANIFEST.json")


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verified_path(filename):
    """Path of datasets/<filename> after checking its sha256 against MANIFEST.json.

    Raises DatasetError naming the file and how to fix it.
    """
    path = datasets_dir() / filename
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DatasetError(f"datasets/{filename} is missing: {_fix(filename)}") from None
    stamp = (st.st_size, st.st_mtime_ns)
    if _verified.get(filename) == stamp:
        return path
    expected = _manifest_entry(filename)["sha256"]
    got = _sha256(path)
    if got != expected:
        raise DatasetError(f"datasets/{filename} is corrupt (sha256 {got}, expected "
                           f"{expected}): {_fix(filename)}")
    _verified[filename] = stamp
    return path


def load_mnist():
    """The 10,000 bundled MNIST digits, ordered by label (all 0s, then 1s, ...).

    Returns:
        images -- uint8 (10000, 28, 28), 0 = background, 255 = ink
        labels -- uint8 (10000,), digits 0..9
    """
    with h5py.File(verified_path("mnist10k.h5"), "r") as f:
        return np.asarray(f["images"][:]), np.asarray(f["labels"][:])
