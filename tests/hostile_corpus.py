"""Hostile and broken submissions of C1W2A1, each with the score it must get (16 points in all; L1's two test
cells are worth 2) and a word that must appear in its status or graded notebook.  Built from the correct
submission, so the corpus follows the master when it changes."""
import nbformat

from coursekit import master_path
from coursekit.demo import correct_submission
from coursekit.notebooks import read
from coursekit.release import build_student_version
from public_tests.C1W2A1 import CASES
from public_tests.harness import decode, load_fixture

ASSIGNMENT = "C1W2A1"
FULL, L1_POINTS = 16.0, 2.0
PREAMBLE = "def L1(yhat, y):\n"


def _l1(body):
    """An L1 solution cell whose function body is `body` (4-space indented lines)."""
    return PREAMBLE + body


def build(port=1, secret_paths=()):
    """[(student id, notebook bytes, expected score, word in status/notebook)]."""
    student = nbformat.reads(build_student_version(ASSIGNMENT), as_version=4)
    master = read(master_path(ASSIGNMENT))

    def correct():
        return correct_submission(nbformat.reads(nbformat.writes(student), as_version=4), master)

    def with_cell(cell_id, source, nb=None):
        nb = nb or correct()
        next(c for c in nb.cells if c.id == cell_id).source = source
        return nb

    def dump(nb):
        return nbformat.writes(nb).encode()

    corpus = []

    def add(name, nb_or_bytes, score, word):
        data = nb_or_bytes if isinstance(nb_or_bytes, bytes) else dump(nb_or_bytes)
        corpus.append((name, data, score, word))

    wrong_l1 = _l1("    return np.sum(y - yhat)\n")
    add("infinite-loop", with_cell("L1", _l1("    while True:\n        pass\n")), FULL - L1_POINTS, "KeyboardInterrupt|longer|Timeout")
    add("memory-bomb", with_cell("L1", _l1("    hog = bytearray(8 << 30)\n    return np.sum(np.abs(y - yhat))\n")),
        FULL - L1_POINTS, "memory")
    add("fork-bomb", with_cell("L1", _l1("    import os\n    while True:\n        os.fork()\n")),
        FULL - L1_POINTS, "process")
    add("deep-recursion", with_cell("L1", _l1("    return L1(yhat, y)\n")), FULL - L1_POINTS, "RecursionError")
    add("sys-exit", with_cell("L1", "import sys\nsys.exit()\n" + _l1("    return np.sum(np.abs(y - yhat))\n")),
        FULL - L1_POINTS, "SystemExit")
    add("os-exit", with_cell("L1", "import os\nos._exit(1)\n"), FULL - 2 * L1_POINTS, "kernel")
    add("kill-kernel", with_cell("L2", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"),
        FULL - L1_POINTS, "kernel")
    nb = correct()
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    add("deleted-tests", nb, FULL, "missing")
    nb = correct()
    nb.cells = nb.cells + [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    add("duplicated-tests", nb, FULL, "graded")
    nb = correct()
    nb.cells = list(reversed(nb.cells))
    add("reordered-cells", nb, FULL, "graded")
    add("edited-test", with_cell("L1_test", 'print("All tests passed.")', with_cell("L1", wrong_l1)),
        FULL - L1_POINTS, "edited")
    add("test-is-pass", with_cell("L1_test", "pass", with_cell("L1", wrong_l1)), FULL - L1_POINTS, "edited")
    add("patch-public-tests", with_cell("L1", "import public_tests.harness as h\n"
                                              "h.run_cases = lambda *a: print('All tests passed.')\n" + wrong_l1),
        FULL - 3, "did not report")  # L1's tests, and L2's public test, which the patch also silences
    add("patch-numpy", with_cell("L1", "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: np.True_\n"
                                       "import numpy.testing\nnumpy.testing.assert_allclose = lambda *a, **k: None\n"
                                       + wrong_l1), FULL - L1_POINTS, "L1")
    add("patch-builtins", with_cell("L1", "import builtins\nbuiltins.AssertionError = type('Quiet', (Exception,), {})\n"
                                          + wrong_l1), FULL - L1_POINTS, "L1")
    add("equals-anything", with_cell("L1", "class Anything:\n    def __eq__(self, other):\n        return True\n\n"
                                           + _l1("    return Anything()\n")), FULL - L1_POINTS, "L1")
    answers = {len(case.args()[1]): decode(entry["expected"]).item()
               for case, entry in zip(CASES["L1"], load_fixture(ASSIGNMENT)["L1"])}
    add("hard-coded-public", with_cell("L1", _l1(f"    return {answers!r}.get(len(y), 0.0)\n")), FULL - 1, "hidden")
    steal = "; ".join(f"open({str(p)!r}).read()" for p in secret_paths) or "pass"
    add("read-master", with_cell("L1", "from coursekit.reference import load\n" +
                                 _l1(f"    {steal}\n    return load('C1W2A1').L1(yhat, y)\n")), FULL - L1_POINTS, "L1")
    add("write-gradebook", with_cell("L2", "for p in %r:\n    try:\n        open(p, 'w').write('x')\n"
                                           "        print('WROTE', p)\n    except OSError as e:\n        print('blocked', e)\n"
                                     % [str(p) for p in secret_paths] + "\n" + "\n".join(
                                         c.source for c in correct().cells if c.id == "L2")), FULL, "blocked")
    add("network", with_cell("L2", "import socket\ntry:\n    socket.create_connection(('127.0.0.1', %d), timeout=2)\n"
                                   "    print('CONNECTED')\nexcept OSError as e:\n    print('blocked', e)\n" % port
                             + "\n".join(c.source for c in correct().cells if c.id == "L2")), FULL, "blocked")
    add("megabytes-of-output", with_cell("L2", "print('x' * 5_000_000)\n" + "\n".join(
        c.source for c in correct().cells if c.id == "L2")), FULL, "output cut")
    add("not-json", b'{"cells": [ this is not json', 0.0, "not a valid notebook")
    add("empty-file", b"", 0.0, "not a valid notebook")
    other = nbformat.reads(build_student_version("C1W2A2"), as_version=4)
    add("wrong-assignment", other, 0.0, "not a notebook of C1W2A1")
    nb = correct()
    nb.cells.append(nbformat.v4.new_markdown_cell("padding " * 4_000_000))  # ~32 MB
    add("huge-notebook", nb, FULL, "graded")
    return corpus


def expected_word_found(word, result_status, notebook_text):
    return any(w in result_status or w in (notebook_text or "") for w in word.split("|"))


if __name__ == "__main__":
    for name, data, score, word in build():
        print(f"{name:<22} {len(data):>10,} bytes  expect {score:4.1f}  ({word})")
