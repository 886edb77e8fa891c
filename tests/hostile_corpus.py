"""Hostile and broken submissions of C1W2A1, each with the score it must get (16 points in all; L1's two test
cells are worth 2) and a word that must appear in its status or graded notebook.  Built from the correct
submission, so the corpus follows the master when it changes.

Beyond `build()` (one notebook per entry), this module holds what tests/test_attacks.py needs for attacks that are not
a single notebook: identity cases for an LMS zip or folder, the steering + poisoning pair, the grader-DoS notebooks,
and the detectors (hidden-test leaks, live HTML, secrets).  Every expected score is what a trustworthy grader MUST
give; several entries get through today (see the report on branch `attack`).
"""
import html.parser
import json
import re

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


MARKER_DIR = "/tmp/coursekit-attack-markers"  # where code that escaped into the grader leaves its proof


def build(port=1, secret_paths=(), read_paths=(), unix_sockets=(), shm_key=0x434b5301, leave_key=0x434b5302,
          marker_dir=MARKER_DIR, write_paths=()):
    """[(student id, notebook bytes, expected score, word in status/notebook)].

    read_paths: files or globs the "read-outside" entry tries to read (secrets planted by the test);
    unix_sockets: unix socket paths ("@name": abstract) the "unix-socket" entry tries to connect to;
    shm_key: a SysV shared-memory key the test planted a secret under; leave_key: the key the "sysv-ipc" entry
    creates and leaves behind; marker_dir: where steering code that runs in the grader writes its proof;
    write_paths: files the "write-code" entry tries to modify (besides the kit's own code)."""
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

    def add_cells(cell_id, sources, nb=None, kind="code"):
        """Cells the student added just before cell `cell_id` (the grader keeps added code cells)."""
        nb = nb or correct()
        index = next(i for i, c in enumerate(nb.cells) if c.id == cell_id)
        new = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells[index:index] = [new(s) for s in sources]
        return nb

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
        FULL - L1_POINTS, "L1: case")  # the notebook's message is silenced; the grader's judgement is not
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

    def malformed(change):  # a correct notebook whose JSON is then broken in one place: a clear 0, never retried
        data = json.loads(dump(correct()))
        change(next(c for c in data["cells"] if c.get("id") == "L1"))
        return json.dumps(data).encode()
    add("nbgrader-metadata-not-a-dict", malformed(lambda c: c["metadata"].update(nbgrader="x")), 0.0, "malformed")
    add("grade-id-not-text", malformed(lambda c: c["metadata"]["nbgrader"].update(grade_id=5)), 0.0, "malformed")
    add("source-not-text", malformed(lambda c: c.update(source=42)), 0.0, "malformed")
    add("cell-not-a-dict", malformed(lambda c: c.clear()), 0.0, "malformed")
    other = nbformat.reads(build_student_version("C1W2A2"), as_version=4)
    add("wrong-assignment", other, 0.0, "not a notebook of C1W2A1")
    nb = correct()
    nb.cells.append(nbformat.v4.new_markdown_cell("padding " * 4_000_000))  # ~32 MB
    add("huge-notebook", nb, FULL, "graded")
    corpus += attacks(student, correct, with_cell, add_cells, read_paths, unix_sockets, shm_key, leave_key,
                      marker_dir, write_paths)
    return corpus



# ============================================================================================== issue 8: attacks

FUNCTIONS = ("basic_sigmoid", "sigmoid", "sigmoid_derivative", "image2vector", "normalize_rows", "softmax", "L1", "L2")

# 1. Steering the grader through records: the record's "assignment" picks the master and the fixture the grader loads.
STEER = r'''
import json, os
from IPython.display import display
import public_tests.harness as _h
import coursekit.grading as _g
from public_tests.C1W2A1 import CASES as _CASES
_fake = os.path.join(os.getcwd(), "steer")          # the job's work folder is the same path in the grader
os.makedirs(_fake, exist_ok=True)
_code = ("import os\nos.makedirs(%r, exist_ok=True)\n"
         "open(os.path.join(%r, 'steered-%%d' %% os.getpid()), 'w').write("
         "'a submission ran its own code in the grader as uid %%d' %% os.getuid())\n" % (MARKER, MARKER))
_code += "".join("def %s(*args, **kwargs):\n    return 0.0\n" % n for n in _CASES)
with open(os.path.join(_fake, "fake.ipynb"), "w") as f:
    json.dump({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": "steer", "metadata": {}, "execution_count": None, "outputs": [], "source": _code}]}, f)
with open(_fake + ".json", "w") as f:  # public_tests/fixtures/<assignment>.json, with an absolute "assignment"
    json.dump({"functions": {n: [{"case": c.name, "expected": 0.0, "stdout": "", "mistakes": []} for c in cs]
                             for n, cs in _CASES.items()}}, f)
def _forge(kind, name, cases):
    seen = [{"output": 0.0, "stdout": "", "modified": None, "error": None} for _ in cases]
    display({_h.RECORD_MIME: json.dumps({"kind": kind, "assignment": _fake, "name": name, "problem": None,
                                          "seen": seen})}, raw=True)
_h.run_cases = lambda assignment, name, target, cases: _forge("public", name, cases)
_g.hidden_check = lambda assignment, name, target, cases: _forge("hidden", name, cases)
'''

# The grader's questions about L2 get the payloads below for an answer ("REAL": the real answer).
FORGE_L2 = r'''
import public_tests.harness as _h
from IPython.display import display as _display
_real_observe = _h.grader_observe
def _forged_observe(target, request):
    if getattr(target, "__name__", "") == "L2":
        for payload in PAYLOADS:
            if payload == "REAL":
                _real_observe(target, request)
            else:
                _display({_h.RECORD_MIME: payload}, raw=True)
        return
    return _real_observe(target, request)
_h.grader_observe = _forged_observe
'''


def _record(seen, **fields):
    """An answer to the grader in its own format (coursekit.grading.read_record), with `seen` forged."""
    data = {"callable": True, "globals": [], "seen": seen}
    data.update(fields)
    return json.dumps(data)


def _seen(output, n=3):
    return [{"output": output, "stdout": "", "modified": None, "error": None, "etype": None}] * n


RECORD_ATTACKS = {  # each must cost exactly L2's two test cells, and never the grader's memory or the job
    # ~200 bytes that would decode to a 2 GB array
    "record-huge-decode": [_record(_seen({"__ndarray__": "x", "dtype": "U500000000", "shape": []}))],
    "record-object-dtype": [_record(_seen({"__ndarray__": [{"a": [1]}, None], "dtype": "object", "shape": [2]}))],
    "record-bad-dtype": [_record(_seen({"__ndarray__": [1.0], "dtype": "no such dtype", "shape": [1]}))],
    "record-bad-shape": [_record(_seen({"__ndarray__": [], "dtype": "float64", "shape": [100000, 100000]}))],
    "record-seen-not-a-list": [_record(5)],
    "record-seen-nulls": [_record([None, None, None])],
    "record-error-not-a-pair": [_record([{"output": 1.0, "stdout": "", "modified": None, "error": 7,
                                          "etype": None}] * 3)],
    "record-etype-not-a-name": [_record([{"output": None, "stdout": "", "modified": None, "error": ["x", "y"],
                                          "etype": "\x1b[2J<script>"}] * 3)],
    "record-globals-not-text": [_record(_seen(1.0), globals=[{"not": ["a", "name"]}])],
    "record-big-int": ['{"callable": true, "globals": [], "seen": ['
                       + ", ".join(['{"output": {"__npscalar__": 1' + "0" * 5000 + ', "dtype": "float64"}, '
                                    '"stdout": "", "modified": null, "error": null, "etype": null}'] * 3) + "]}"],
    "record-deep-nesting": [_record(_seen("NEST")).replace('"NEST"', "[" * 200_000 + "]" * 200_000)],
    "record-nan": [_record(_seen(float("nan")))],
    "record-not-json": ["{this is not json"],
    "record-too-many-cases": [_record(_seen(1.0, n=50))],
    "record-extra": ["REAL", "REAL"],
    "record-old-format": [json.dumps({"kind": "public", "assignment": "/tmp/x", "name": "L2", "seen": []})],
}

# 2. Hidden tests visible to student code
SPY_HIDDEN = r'''
import json as _json, threading as _threading, time as _time
import public_tests.harness as _h
_LOG = []
_real_observe = _h.grader_observe
def _spy(target, request):  # every input the grader sends, public and hidden
    _LOG.append(_json.loads(request))
    return _real_observe(target, request)
_h.grader_observe = _spy
def _shout():  # and a thread that keeps printing them, in case output after the last cell is kept
    while True:
        _time.sleep(0.05)
        if _LOG:
            print("spied inputs:", _LOG[-1])
_threading.Thread(target=_shout, daemon=True).start()
'''
PRINT_SPIED = "print('hidden inputs seen so far:', _LOG)\n"
PRINT_HISTORY = "print('cells run so far:', *In, sep='\\n')\n"

# 3. Reading outside the allow-list
READ_OUTSIDE = r'''
import glob, os
print("environment:", dict(os.environ))  # first: the grader keeps 20,000 characters per output
def _try(label, read):
    try:
        data = read()
        print("LEAKED", label, repr(data[:300]))
    except Exception as exc:
        print("blocked", label, type(exc).__name__)
for pattern in PATHS:
    for path in sorted(glob.glob(pattern, recursive=True))[:10] or [pattern]:
        _try(path, lambda: open(path, "rb").read())
# other checkouts of the kit on this machine (their masters hold every hidden test)
for path in sorted(glob.glob(os.path.join(ROOT_PARENT, "*", "source", "C1W2A1", "*.ipynb")))[:2]:
    _try(path, lambda: [l.strip() for l in open(path).read().split("\\n") if "hidden_check(" in l or "Case(" in l][:3])
try:
    pids = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
except OSError:
    pids = []
readable = []
for pid in pids:
    try:
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ")
    except OSError:
        continue
    if b"coursekit" in cmd and b"ipykernel" not in cmd:
        print("LEAKED", f"/proc/{pid}/cmdline", cmd[:400])
    try:
        readable.append((pid, open(f"/proc/{pid}/environ", "rb").read()[:100]))
    except OSError:
        pass
print(f"processes seen: {len(pids)}; other processes' environ readable: {readable[:3]}")
'''

CONNECT_UNIX = r'''
import socket
for path in SOCKETS:
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(2)
    try:
        s.connect("\0" + path[1:] if path.startswith("@") else path)
        print("CONNECTED", path)
    except OSError as exc:
        print("blocked", path, exc)
    finally:
        s.close()
'''

SYSV_IPC = r'''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
sid = libc.shmget(SHM_KEY, 0, 0)
if sid < 0:
    print("blocked: no shared memory under the planted key", os.strerror(ctypes.get_errno()))
else:
    addr = libc.shmat(sid, None, 0o10000)  # SHM_RDONLY
    if addr in (None, 2 ** 64 - 1):
        print("blocked: shmat", os.strerror(ctypes.get_errno()))
    else:
        print("LEAKED shm", ctypes.string_at(addr, 80))
left = libc.shmget(LEAVE_KEY, 4096, 0o1000 | 0o666)  # IPC_CREAT: outlives the job unless it has its own namespace
print("left a SysV segment behind" if left >= 0 else "blocked: shmget", left)
try:
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
    mq = rt.mq_open(b"/coursekit-attack-left", os.O_CREAT | os.O_RDWR, ctypes.c_int(0o666), None)
    print("left a POSIX message queue behind" if mq >= 0 else "blocked: mq_open", os.strerror(ctypes.get_errno()))
except OSError as exc:
    print("blocked: no librt", exc)
'''

WRITE_CODE = r'''
import os, site, sysconfig
import public_tests.harness, coursekit.grading
targets = [public_tests.harness.__file__, coursekit.grading.__file__,
           os.path.join(os.path.dirname(public_tests.harness.__file__), "fixtures", "C1W2A1.json")] + list(EXTRA)
for path in targets:
    try:
        with open(path, "a"):  # append nothing: only the permission is tested
            pass
        print("WROTE (could modify)", path)
    except OSError as exc:
        print("blocked", path, exc.strerror)
pth = os.path.join(sysconfig.get_paths()["purelib"], "zz_coursekit_attack.pth")  # runs in every later Python
try:
    os.close(os.open(pth, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    print("WROTE", pth)
except OSError as exc:
    print("blocked", pth, exc.strerror)
'''

# The kernel's inherited file descriptors and /dev/tty: straight to the instructor's terminal (with escape codes)
WRITE_TERMINAL = r'''
import os
for fd in (1, 2):
    try:
        os.write(fd, b"\n\x1b[2J\x1b]0;FD-MARKER-owned\x07mallory 16.0 16.0 FD-MARKER table row\n")
    except OSError as exc:
        print("blocked fd", fd, exc)
try:
    with open("/dev/tty", "w") as tty:
        tty.write("TTY-MARKER\n")
    print("wrote /dev/tty")
except OSError as exc:
    print("blocked /dev/tty", exc)
'''

DAEMON = r'''
import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(3600)", "ck-attack-daemon"])
    os._exit(0)
print("a daemon was started")
'''
DAEMON_MARK = "ck-attack-daemon"  # in the daemon's command line

LATE_THREAD = r'''
import sys, threading, time
def _flood():
    while True:
        sys.stdout.write("T" * 19_000 + "\n")
        sys.stdout.flush()
        time.sleep(0.01)
threading.Thread(target=_flood, daemon=True).start()
'''

HTML_OUTPUTS = r'''
from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML('<script>window.CKPWN1 = 1</script><img src="x" onerror="window.CKPWN2 = 1">'))
display(Javascript('window.CKPWN3 = 1'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>window.CKPWN4 = 1</script>'
            '<rect width="10" height="10" onload="window.CKPWN5 = 1"/></svg>'))
display(Markdown('<img src="x" onerror="window.CKPWN6 = 1">'))
display({"text/html": '<iframe srcdoc="&lt;script&gt;window.CKPWN7 = 1&lt;/script&gt;"></iframe>'
                      '<a href="javascript:window.CKPWN8 = 1">click</a><form action="javascript:window.CKPWN9=1">'},
        raw=True)
print("\x1b]8;;javascript:window.CKPWN10=1\x1b\\link\x1b]8;;\x1b\\ \x1b[31mred\x1b[0m")
'''
HTML_ERROR = "raise type('<img src=x onerror=window.CKPWN11=1>', (Exception,), {})('<script>window.CKPWN12=1</script>')\n"
HTML_MARKDOWN = '<img src="x" onerror="window.CKPWN13 = 1"><script>window.CKPWN14 = 1</script>'
LIVE_MARK = "CKPWN"


def _code_on_none_line(master_source, after_stub=False):
    """A correct answer written on the `x = None` line (or after the stub), the stub block left empty."""
    lines = master_source.split("\n")
    begin = next(i for i, l in enumerate(lines) if l.strip() == "### BEGIN SOLUTION")
    end = next(i for i, l in enumerate(lines) if l.strip() == "### END SOLUTION")
    indent = lines[begin][:len(lines[begin]) - len(lines[begin].lstrip())]
    solution = lines[begin + 1:end]
    stub = [indent + "# YOUR CODE STARTS HERE", indent, indent + "# YOUR CODE ENDS HERE"]
    none_line = begin - 1
    assert lines[none_line].strip().endswith("= None"), lines[none_line]
    if after_stub:
        return "\n".join(lines[:begin] + stub + solution + lines[end + 1:])
    return "\n".join(lines[:none_line] + solution + stub + lines[end + 1:])


def attacks(student, correct, with_cell, add_cells, read_paths, unix_sockets, shm_key, leave_key, marker_dir,
            write_paths):
    """The issue-8 entries, with the score a trustworthy grader must give."""
    from coursekit import ROOT
    out = []

    def add(name, nb, score, word):
        out.append((name, nbformat.writes(nb).encode(), score, word))

    def blank():
        return nbformat.reads(nbformat.writes(student), as_version=4)

    def source(cell_id):
        return next(c.source for c in correct().cells if c.id == cell_id)

    # 1. records
    add("steer-fake-master", add_cells("basic_sigmoid", [STEER.replace("MARKER", repr(str(marker_dir)))], blank()),
        0.0, "not implemented|did not report|failed")
    for name, payloads in RECORD_ATTACKS.items():
        add(name, with_cell("L2", FORGE_L2.replace("PAYLOADS", repr(payloads)) + source("L2")), FULL - 2, "L2")
    # 2. hidden tests
    add("leak-hidden-inputs", with_cell("L2", PRINT_SPIED + source("L2"),
                                        with_cell("basic_sigmoid", SPY_HIDDEN + source("basic_sigmoid"))), FULL, "graded")
    add("leak-hidden-code", with_cell("L2", PRINT_HISTORY + source("L2")), FULL, "graded")
    # 3. outside the allow-list
    paths = [str(p) for p in read_paths] or [str(ROOT / "build" / "**" / "*.ipynb"), str(ROOT / "*.zip"),
                                             str(ROOT / "*.csv")]
    add("read-outside", add_cells("L2", [READ_OUTSIDE.replace("PATHS", repr(paths)).replace(
        "ROOT_PARENT", repr(str(ROOT.parent)))]), FULL, "blocked")
    sockets = [str(s) for s in unix_sockets] or ["/run/dbus/system_bus_socket", "/run/docker.sock"]
    add("unix-socket", add_cells("L2", [CONNECT_UNIX.replace("SOCKETS", repr(sockets))]), FULL, "blocked")
    add("sysv-ipc", add_cells("L2", [SYSV_IPC.replace("SHM_KEY", str(shm_key)).replace("LEAVE_KEY", str(leave_key))]),
        FULL, "blocked")
    add("write-code", add_cells("L2", [WRITE_CODE.replace("EXTRA", repr([str(p) for p in write_paths]))]), FULL,
        "blocked")
    add("write-terminal", add_cells("L2", [WRITE_TERMINAL]), FULL, "graded")
    add("daemon-outlives-kernel", add_cells("L2", [DAEMON]), FULL, "graded")
    # 4. output caps: every graded notebook must stay under MAX_GRADED_BYTES
    add("huge-error", add_cells("L2", ['raise ValueError("E" * 20_000_000)']), FULL, "graded")
    add("huge-traceback", add_cells("L2", [
        "def boom(n):  # " + "A" * 60_000 + "\n    if n == 0:\n        raise ValueError('deep')  # " + "B" * 60_000
        + "\n    return boom(n - 1)  # " + "C" * 60_000 + "\nboom(60)\n"]), FULL, "graded")
    add("record-mime-bypasses-cap", add_cells("L2", [
        "from IPython.display import display\n"
        "display({'text/x-coursekit-record': '{}', 'text/plain': 'R' * 20_000_000}, raw=True)\n"]), FULL, "graded")
    add("many-outputs-many-cells", add_cells("L2", [
        "import sys\nfor i in range(50):\n    out = sys.stdout if i % 2 else sys.stderr\n"
        "    out.write('M' * 19_000 + '\\n')\n    out.flush()\n"] * 25), FULL, "graded")
    add("display-flood", add_cells("L2", ["from IPython.display import display\n"
                                          "display({'text/plain': 'D' * 990_000}, raw=True)\n"] * 20), FULL, "graded")
    add("display-metadata", add_cells("L2", ["from IPython.display import display\n"
                                             "display({'text/plain': 'ok'}, metadata={'m': 'M' * 20_000_000}, raw=True)\n"]),
        FULL, "graded")
    add("widget-state", add_cells("L2", [
        "import comm\nfor i in range(10):\n    comm.create_comm(target_name='jupyter.widget', data={'state': {"
        "'_model_name': 'X', '_model_module': 'Y', '_model_module_version': '1', 'v': 'W' * 5_000_000}, "
        "'buffer_paths': []})\n"]), FULL, "graded")
    add("display-id-multiplier", add_cells("L2", [
        "from IPython.display import display\nfor _ in range(200):\n"
        "    display({'text/plain': 'u'}, raw=True, display_id='same')\n",
        "from IPython.display import update_display\n"
        "update_display({'text/plain': 'U' * 500_000}, raw=True, display_id='same')\n"]), FULL, "graded")
    add("late-thread-output", add_cells("basic_sigmoid", [LATE_THREAD]), FULL, "graded")
    add("clear-output-refill", add_cells("L2", [
        "from IPython.display import clear_output\nimport sys\nfor _ in range(30):\n"
        "    print('C' * 900_000)\n    sys.stdout.flush()\n    clear_output()\n"]), FULL, "graded")
    # 5. HTML and terminal
    nb = add_cells("L2", [HTML_OUTPUTS, HTML_ERROR])
    add("html-live", add_cells("L2", [HTML_MARKDOWN], nb, kind="markdown"), FULL, "graded")
    nb = correct()
    extra = nbformat.v4.new_code_cell("x = 1")
    extra.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "\x1b]0;pwned\x07\x1b[2J\x1b[31mL9",
                                  "locked": False, "schema_version": 3}
    nb.cells.append(extra)
    add("escape-codes-in-grade-id", nb, 0.0, "not a notebook of C1W2A1")
    # 7. correct work must not lose points
    master = {c.id: c.source for c in _master_cells()}
    nb = correct()
    for cell in nb.cells:
        if cell.id in FUNCTIONS:
            cell.source = _code_on_none_line(master[cell.id])
    add("code-on-none-line", nb, FULL, "graded")
    nb = correct()
    for cell in nb.cells:
        if cell.id in FUNCTIONS:
            cell.source = _code_on_none_line(master[cell.id], after_stub=True)
    add("code-after-stub", nb, FULL, "graded")
    return out


def _master_cells():
    return read(master_path(ASSIGNMENT)).cells


MAX_GRADED_BYTES = 2 << 20  # every graded notebook, whatever the submission printed


# ---------------------------------------------------------------------------------------------- not one notebook

def correct_bytes(assignment=ASSIGNMENT):
    student = nbformat.reads(build_student_version(assignment), as_version=4)
    return nbformat.writes(correct_submission(student, read(master_path(assignment)))).encode()


def blank_bytes(assignment=ASSIGNMENT):
    return build_student_version(assignment).encode()


def identity_zip_entries():
    """(entry name in an LMS zip, content kind, why it must be refused or None if it must be graded).
    content kind: "correct" or "blank".  Expected: refused with a reason naming the entry; nothing written outside
    submitted/<valid id>/; the valid entries graded as usual."""
    return [
        ("yan.ipynb", "correct", None),
        ("...ipynb", "correct", "its student id would be '..'"),
        ("..ipynb", "correct", "its student id would be '.'"),
        ("../evil.ipynb", "correct", "a path outside the archive"),
        ("zoe.ipynb", "correct", "two entries for student zoe"),
        ("x/zoe.ipynb", "blank", "two entries for student zoe"),
        ("\x1b[2J\x1b]0;pwned\x07esc.ipynb", "correct", "control characters in the student id"),
        ("=HYPERLINK(1).ipynb", "correct", "a spreadsheet formula as student id (CSV injection)"),
    ]


# Notebooks whose kernel attacks the grader process itself after the kernel is gone (work-folder files the grader
# reads): they must be graded (FULL) within the time limits, the grader's memory bounded.
GRADER_DOS = {
    "sandbox-record-fifo": "import os\nos.remove('.sandbox.json')\nos.mkfifo('.sandbox.json')\n",
    "sandbox-record-dev-zero": "import os\nos.remove('.sandbox.json')\nos.symlink('/dev/zero', '.sandbox.json')\n",
    "sandbox-record-forged": "import json\njson.dump({'no_network': True, 'forged': 'x' * 50_000_000}, "
                             "open('.sandbox.json', 'w'))\n",
}


def grader_dos_notebooks():
    student = nbformat.reads(build_student_version(ASSIGNMENT), as_version=4)
    out = {}
    for name, code in GRADER_DOS.items():
        nb = correct_submission(nbformat.reads(nbformat.writes(student), as_version=4), read(master_path(ASSIGNMENT)))
        index = next(i for i, c in enumerate(nb.cells) if c.id == "L2")
        nb.cells.insert(index, nbformat.v4.new_code_cell(code))
        out[name] = nbformat.writes(nb).encode()
    return out


def steering_pair(marker_dir=MARKER_DIR):
    """(steering submission, correct submission): graded in this order by ONE worker process, the steering one must
    get 0 and the correct one FULL (today: 16 and 8)."""
    return next(d for n, d, *_ in build(marker_dir=marker_dir) if n == "steer-fake-master"), correct_bytes()


# ---------------------------------------------------------------------------------------------- detectors

def outputs_text(nb):
    """Everything the kernel produced in a notebook: outputs (text, data, metadata, errors) and notebook metadata."""
    parts = [json.dumps(nb.get("metadata", {}))]
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            parts.append(json.dumps(output))
            parts.append(output.get("text", "") if isinstance(output.get("text"), str) else "")
            parts += [v for v in output.get("data", {}).values() if isinstance(v, str)]
    return "\n".join(parts)


def _numbers(values):
    import numpy as np
    found = []
    for value in values:
        array = np.asarray(value)
        if array.dtype.kind == "f":
            found += [float(v) for v in array.ravel()]
    return found


def hidden_values(assignment=ASSIGNMENT):
    """The hidden cases' input numbers that look random (at least 5 significant decimals)."""
    from coursekit import job
    values = []
    for check in job.checks(job.template(assignment)).values():
        if check.kind == "hidden":
            for case in check.cases:
                values += _numbers(case.args())
    return sorted({v for v in values if abs(round(v, 4) - v) > 1e-9})


def hidden_leaks(text, assignment=ASSIGNMENT):
    """Hidden-test code lines, and hidden input values (3 or more), found in `text`."""
    from coursekit.demo import hidden_texts
    found = [line for line in hidden_texts(assignment) + ["BEGIN HIDDEN TESTS"] if line in text]
    values = hidden_values(assignment)
    # numbers printed with at least 6 decimals (numpy prints 8), matching to 1e-7: a looser match finds hidden values
    # by chance among the hundreds of numbers a notebook prints
    printed = {float(m) for m in re.findall(r"-?\d+\.\d{6,}(?:e[-+]?\d+)?", text)}
    matched = {v for v in values for p in printed if abs(p - v) <= 1e-7 * max(1.0, abs(v))}
    if len(matched) >= 3:
        found.append(f"{len(matched)} hidden input values, e.g. {sorted(matched)[:3]}")
    return found


class _LiveHTML(html.parser.HTMLParser):
    """Finds payload markers in places a browser would run them."""

    def __init__(self, mark):
        super().__init__(convert_charrefs=True)
        self.mark, self.live, self.script = mark, [], None

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            value = value or ""
            if self.mark in value and (key.startswith("on") or key == "srcdoc" or
                                       value.strip().lower().startswith("javascript:")):
                self.live.append(f"<{tag} {key}={value[:60]!r}>")
        if tag == "script":
            self.script = []

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            text = "".join(self.script)
            if self.mark in text:
                self.live.append(f"<script>{text[:60]!r}")
            self.script = None

    def handle_data(self, data):
        if self.script is not None:
            self.script.append(data)


def live_html(page, mark=LIVE_MARK):
    """Payload markers that would run if `page` (HTML text) were opened in a browser."""
    parser = _LiveHTML(mark)
    parser.feed(page)
    return parser.live


def expected_word_found(word, result_status, notebook_text):
    return any(w in result_status or w in (notebook_text or "") for w in word.split("|"))


if __name__ == "__main__":
    for name, data, score, word in build():
        print(f"{name:<22} {len(data):>10,} bytes  expect {score:4.1f}  ({word})")
