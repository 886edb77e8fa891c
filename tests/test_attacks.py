"""Issue 8: attacks on the class grader that need more than a score per notebook.

Each test states what a trustworthy grader MUST do; many fail against the grader of 423883c (see the report on
branch `attack`).  Nothing here is xfail: a failure is an attack that gets through.

The corpus run (one `python -m coursekit grade` over every entry of tests/hostile_corpus.py, with secrets planted
around it) is shared by the tests of its section; the others grade their own submissions.
"""
import ctypes
import html
import json
import os
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import nbformat
import pytest

from coursekit import ROOT, master_path
from coursekit.intake import printable
from coursekit.release import nbgrader, scratch_course
from tests import hostile_corpus as hc

A = "C1W2A1"
NAME = master_path(A).name
FLAGS = ["--cell-timeout", "10", "--notebook-timeout", "120", "--memory-gib", "1"]
MAX_GRADER_RSS = 1536 << 20  # bytes: every grader process (driver, workers; kernels are capped at 1 GiB themselves)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x9b]")  # a terminal must never get these from a submission

# run a command, then report the largest resident size of any process it waited for (kB, Linux)
WRAP = ("import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n")
ROW = re.compile(r"^(\S+)\s+(-?\d+\.\d)\s+(\d+\.\d)\s+(\d+\.\d)s  (.*)$")


def grade_command(course, submissions, *extra, env=None, memory=None, timeout=2400):
    """`python -m coursekit grade` as the instructor runs it; returns (process, rows {student: (score, status)},
    largest resident size in bytes among its processes)."""
    def limit():
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cmd = [sys.executable, "-c", WRAP, sys.executable, "-m", "coursekit", "grade", A, "--course", str(course),
           "--submissions", str(submissions), *FLAGS, *extra]
    run = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=ROOT, env=env, preexec_fn=limit)
    rows = {}
    for line in run.stdout.decode(errors="replace").splitlines()[1:]:
        match = ROW.match(line)
        if match:
            rows[match[1]] = (float(match[2]), match[5])
    rss = [int(m) << 10 for m in re.findall(rb"MAXRSS_KB (\d+)", run.stderr)]
    return run, rows, max(rss or [0])


def new_course():
    course = scratch_course([A])
    nbgrader("generate_assignment", A, "--force", cwd=course)
    return course


def graded_path(course, student):
    return course / "autograded" / student / A / NAME


# ---------------------------------------------------------------------------------------------- planted secrets

_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
_libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]


def plant_shm(key, text):
    sid = _libc.shmget(key, 4096, 0o1000 | 0o644)
    assert sid >= 0, os.strerror(ctypes.get_errno())
    addr = _libc.shmat(sid, None, 0)
    ctypes.memmove(addr, text.encode(), len(text))
    _libc.shmdt(ctypes.c_void_p(addr))
    return sid


def shm_keys():
    """{key: shmid} of every SysV segment of the host's IPC namespace."""
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return {int(line.split()[0]): int(line.split()[1]) for line in lines}


def remove_shm(key):
    sid = shm_keys().get(key)
    if sid is not None:
        _libc.shmctl(sid, 0, None)  # IPC_RMID


def mqueue_existed(name=b"/coursekit-attack-left"):
    """True if the queue existed (it is removed)."""
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
    return rt.mq_unlink(name) == 0


class Listener:
    """A socket that records who connected (unix path, abstract "@name", or TCP on 127.0.0.1)."""

    def __init__(self, address):
        self.address, self.hits, self.stopped = address, [], False
        if address == "tcp":
            self.sock = socket.socket()
            self.sock.bind(("127.0.0.1", 0))
            self.address = self.sock.getsockname()[1]
        else:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.bind("\0" + address[1:] if address.startswith("@") else address)
            if not address.startswith("@"):
                os.chmod(address, 0o777)  # world-writable, as many sockets in /run are
        self.sock.listen()
        self.sock.settimeout(0.5)
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while not self.stopped:
            try:
                self.hits.append(self.sock.accept())
            except OSError:
                pass

    def close(self):
        self.stopped = True
        self.sock.close()
        if isinstance(self.address, str) and not self.address.startswith("@"):
            Path(self.address).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------- the corpus run

LARGE = ("huge-notebook", "huge-error", "huge-traceback", "record-mime-bypasses-cap", "many-outputs-many-cells",
         "display-flood", "display-metadata", "widget-state", "display-id-multiplier", "late-thread-output",
         "clear-output-refill", "megabytes-of-output")


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """The whole hostile corpus graded by the real command, with secrets planted where a kernel should not reach."""
    tmp = tmp_path_factory.mktemp("attacks")
    course = new_course()
    tokens = {k: f"ck{k.replace('-', '')}{secrets.token_hex(6)}" for k in
              ("build", "zip", "csv", "cmdline", "jpy", "coursekit", "pg", "shm")}
    decoy = ROOT / "build" / f"decoy-{secrets.token_hex(4)}"
    decoy.mkdir(parents=True)
    (decoy / "solutions.ipynb").write_text(json.dumps({"executed solution": tokens["build"]}))
    # the default course folder is the repo itself (`coursekit grade` without --course); the scratch course is under
    # /tmp, private in the sandbox, so the instructor's files are planted where the default course keeps them
    tag = secrets.token_hex(4)
    old_zip, old_csv = ROOT / f"export-{tag}.zip", ROOT / f"grades-{tag}.csv"
    with zipfile.ZipFile(old_zip, "w", zipfile.ZIP_STORED) as z:
        z.writestr("ann.ipynb", tokens["zip"])
    old_csv.write_text(f"student,score\nann,{tokens['csv']}\n")
    shm_key, leave_key = 0x43000000 + secrets.randbelow(1 << 20), 0x44000000 + secrets.randbelow(1 << 20)
    plant_shm(shm_key, tokens["shm"])
    markers = tmp / "markers"
    listeners = [Listener("tcp"), Listener(f"/run/ck-attack-{secrets.token_hex(4)}.sock"),
                 Listener(f"@ck-attack-{secrets.token_hex(4)}")]
    corpus = hc.build(port=listeners[0].address,
                      secret_paths=[master_path(A), course / "gradebook.db", course / "submitted" / "alice" / A / NAME],
                      read_paths=[decoy / "*.ipynb", old_zip, old_csv],
                      unix_sockets=[listeners[1].address, listeners[2].address], shm_key=shm_key,
                      leave_key=leave_key, marker_dir=markers,
                      write_paths=[ROOT / "utils" / "dnn_utils.py", course / "nbgrader_config.py"])
    export = tmp / "export"
    export.mkdir()
    (export / "alice.ipynb").write_bytes(hc.correct_bytes())
    for name, data, _, _ in corpus:
        (export / f"{name}.ipynb").write_bytes(data)
    env = dict(os.environ, JPY_API_TOKEN=tokens["jpy"], COURSEKIT_DB_PASSWORD=tokens["coursekit"],
               PGPASSWORD=tokens["pg"])
    pth = Path(__import__("sysconfig").get_paths()["purelib"], "zz_coursekit_attack.pth")
    try:
        run, rows, rss = grade_command(course, export, "--workers", "2", "--csv", tmp / f"grades-{tokens['cmdline']}.csv",
                                       env=env)
        feedback = nbgrader("generate_feedback", A, "--force",
                            f"--CourseDirectory.student_id_exclude={','.join(LARGE)}", cwd=course, check=False)
        left_ipc = {"shm": leave_key in shm_keys(), "mqueue": mqueue_existed()}
        daemons = [p for p in _pids() if hc.DAEMON_MARK.encode() in _cmdline(p)]
        if os.environ.get("COURSEKIT_ATTACK_SUMMARY"):  # for a report: every row, every graded size
            Path(os.environ["COURSEKIT_ATTACK_SUMMARY"]).write_text(json.dumps({
                "rows": rows, "rss": rss, "left_ipc": left_ipc, "daemons": daemons,
                "sizes": {n: graded_path(course, n).stat().st_size for n, *_ in corpus
                          if graded_path(course, n).exists()},
                "read-outside": _graded_text(course, "read-outside")[-60000:]}, indent=1))
        yield {"course": course, "corpus": corpus, "run": run, "rows": rows, "rss": rss, "tokens": tokens,
               "listeners": listeners, "markers": markers, "left_ipc": left_ipc, "daemons": daemons,
               "pth": pth.exists(), "feedback": feedback}
    finally:
        for listener in listeners:
            listener.close()
        remove_shm(shm_key)
        remove_shm(leave_key)
        mqueue_existed()
        for pid in [p for p in _pids() if hc.DAEMON_MARK.encode() in _cmdline(p)]:
            os.kill(pid, 9)
        pth.unlink(missing_ok=True)
        shutil.rmtree(decoy, ignore_errors=True)
        old_zip.unlink(missing_ok=True)
        old_csv.unlink(missing_ok=True)
        shutil.rmtree(course, ignore_errors=True)


def _pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _graded_text(course, student):
    path = graded_path(course, student)
    return path.read_text(errors="replace") if path.exists() else ""


def _feedback_pages(course):
    return {p.parent.parent.name: p.read_text(errors="replace") for p in (course / "feedback").glob(f"*/{A}/*.html")}


def test_corpus_scores(corpus_run):
    """Every entry gets the score a trustworthy grader must give, and says why (the word)."""
    rows, course = corpus_run["rows"], corpus_run["course"]
    assert rows.get("alice", (None,))[0] == hc.FULL, (corpus_run["run"].stderr[-3000:], rows.get("alice"))
    wrong = {}
    for name, _, expected, word in corpus_run["corpus"]:
        score, status = rows.get(name, (None, "no row"))
        if score != expected or not hc.expected_word_found(word, status, _graded_text(course, name)):
            wrong[name] = (score, expected, status[:160])
    assert not wrong, json.dumps(wrong, indent=1)


def test_steering_runs_no_code_in_the_grader(corpus_run):
    """A record's fields (the assignment) must never pick what the grader loads: no master or fixture of the
    student's making is read, no code of theirs runs in the grader."""
    markers = corpus_run["markers"]
    found = {p.name: p.read_text() for p in markers.glob("*")} if markers.exists() else {}
    assert not found, found


def test_graded_notebooks_stay_small(corpus_run):
    sizes = {name: graded_path(corpus_run["course"], name).stat().st_size for name, *_ in corpus_run["corpus"]
             if graded_path(corpus_run["course"], name).exists()}
    big = {name: size for name, size in sizes.items() if size > hc.MAX_GRADED_BYTES}
    assert not big, json.dumps(big, indent=1)


def test_grader_memory_stays_bounded(corpus_run):
    assert 0 < corpus_run["rss"] < MAX_GRADER_RSS, f"largest process: {corpus_run['rss'] >> 20} MiB"


HIDDEN_CELLS = {c.id for c in nbformat.read(str(master_path(A)), as_version=4).cells if "BEGIN HIDDEN TESTS" in c.source}


def test_no_hidden_test_leaks(corpus_run):
    """No hidden-test code and no hidden input values in what the kernel produced (graded notebook outputs) or in
    the feedback a student reads."""
    course, leaks = corpus_run["course"], {}
    pages = _feedback_pages(course)
    for name, *_ in corpus_run["corpus"]:
        path = graded_path(course, name)
        if name in LARGE or not path.exists():
            continue
        nb = nbformat.reads(path.read_text(), as_version=4)
        nb.cells = [c for c in nb.cells if c.id not in HIDDEN_CELLS]  # their own outputs: the feedback check
        found = hc.hidden_leaks(hc.outputs_text(nb))
        found += [f"feedback: {x}" for x in hc.hidden_leaks(html.unescape(re.sub(r"<[^>]+>", "", pages.get(name, ""))))]
        if found:
            leaks[name] = found[:4]
    assert not leaks, json.dumps(leaks, indent=1)


def test_secrets_stay_outside_the_sandbox(corpus_run):
    """Planted secrets (a file under ROOT/build, a zip and a CSV in the course folder, the grader's command line,
    its environment, a SysV segment) never reach a graded notebook or feedback; nothing was connected to; the
    kit's code, fixtures, site-packages and the course config could not be modified."""
    course, tokens = corpus_run["course"], corpus_run["tokens"]
    texts = {name: _graded_text(course, name) for name, *_ in corpus_run["corpus"]}
    texts.update({f"feedback/{k}": v for k, v in _feedback_pages(course).items()})
    leaked = {kind: sorted(name for name, text in texts.items() if token in text) for kind, token in tokens.items()}
    leaked = {k: v for k, v in leaked.items() if v}
    connected = {str(l.address): len(l.hits) for l in corpus_run["listeners"] if l.hits}
    graded = graded_path(course, "write-code")
    outputs = hc.outputs_text(nbformat.reads(graded.read_text(), as_version=4)) if graded.exists() else ""
    wrote = sorted({line.strip()[:200] for line in outputs.splitlines() if line.startswith("WROTE")})
    assert not leaked and not connected and not wrote and not corpus_run["pth"], \
        json.dumps({"leaked": leaked, "connected": connected, "wrote": wrote, "pth": corpus_run["pth"]}, indent=1)


def test_nothing_outlives_its_job(corpus_run):
    """No SysV segment or POSIX queue created by a kernel, no process it started, survives the job."""
    assert not any(corpus_run["left_ipc"].values()) and not corpus_run["daemons"], \
        {**corpus_run["left_ipc"], "daemons": corpus_run["daemons"]}


def test_feedback_is_inert(corpus_run):
    """Student HTML, JavaScript, SVG, markdown and error names are rendered inert in the feedback."""
    pages = _feedback_pages(corpus_run["course"])
    assert "html-live" in pages, (corpus_run["feedback"].stdout[-2000:], sorted(pages))
    live = {name: hc.live_html(page) for name, page in pages.items()}
    assert not {k: v for k, v in live.items() if v}, json.dumps({k: v for k, v in live.items() if v}, indent=1)


def test_terminal_gets_nothing_from_submissions(corpus_run):
    """What a kernel writes to its inherited file descriptors or /dev/tty, and control characters of a submission
    (grade ids in a status), never reach the instructor's terminal."""
    out = corpus_run["run"].stdout.decode(errors="replace") + corpus_run["run"].stderr.decode(errors="replace")
    bad = sorted({repr(c) for c in CONTROL.findall(out) if c not in "\r"})
    assert "FD-MARKER" not in out and "TTY-MARKER" not in out and not bad, \
        (bad, [line for line in out.splitlines() if "MARKER" in line][:5])


# ---------------------------------------------------------------------------------------------- poisoning

POISON = """
import json, sys
from dataclasses import asdict
from coursekit import job, sandbox
from tests import hostile_corpus
steer, good = hostile_corpus.steering_pair(sys.argv[1])
tmpl = job.template("C1W2A1")
limits = sandbox.Limits(cell_timeout=10, notebook_timeout=120, memory_bytes=1 << 30)
for student, content in [("mallory", steer), ("alice", good)]:
    r = job.grade_submission({"student": student, "content": content, "sha256": student, "template": tmpl,
                              "run_all": False, "limits": asdict(limits), "sandbox": True})
    print("RESULT", json.dumps({"student": student, "score": sum(s for _, s, _ in r["cells"]),
                                "failed": [g for g, s, p in r["cells"] if s < p]}), flush=True)
"""


def test_steering_then_correct_in_one_worker_process(tmp_path):
    """A blank notebook that steers the grader to its own master gets 0, runs nothing in the grader, and the
    correct submission graded next by the same worker process still gets full marks (nothing cached from it)."""
    run = subprocess.run([sys.executable, "-c", POISON, str(tmp_path / "markers")], capture_output=True, text=True,
                         cwd=ROOT, timeout=600)
    results = {r["student"]: r for r in (json.loads(l[7:]) for l in run.stdout.splitlines() if l.startswith("RESULT "))}
    markers = [p.read_text() for p in (tmp_path / "markers").glob("*")]
    assert (results.get("mallory", {}).get("score"), results.get("alice", {}).get("score"), markers) == \
        (0.0, hc.FULL, []), (results, markers, run.stderr[-2000:])


# ---------------------------------------------------------------------------------------------- identity

def _files(folder):
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def test_lms_zip_identities(tmp_path):
    """Entries that are no valid student, or two entries for one student: refused with a reason naming the entry;
    nothing written outside submitted/<valid id>/ (and autograded/<valid id>/); the valid ones graded as usual; no
    control character reaches the terminal, no formula reaches the CSV."""
    course = new_course()
    try:
        content = {"correct": hc.correct_bytes(), "blank": hc.blank_bytes()}
        archive = tmp_path / "export.zip"
        with zipfile.ZipFile(archive, "w") as z:
            for entry, kind, _ in hc.identity_zip_entries():
                z.writestr(zipfile.ZipInfo(entry), content[kind])
        before = _files(course)
        run, rows, _ = grade_command(course, archive, "--csv", tmp_path / "grades.csv")
        out = run.stdout.decode(errors="replace") + run.stderr.decode(errors="replace")
        refused = [entry for entry, _, why in hc.identity_zip_entries() if why]
        problems = {}
        if rows.get("yan", (None,))[0] != hc.FULL:
            problems["yan"] = rows.get("yan")
        allowed = re.compile(rf"^(submitted|autograded)/yan/{A}/{re.escape(NAME)}$|^gradebook\.db$|^\.coursekit/")
        written = sorted(f for f in _files(course) - before if not allowed.match(f))
        if written:
            problems["written outside submitted/<valid id>/"] = written
        strange = sorted(s for s in rows if s != "yan" and not rows[s][1].startswith("refused: "))
        if strange:
            problems["graded under these ids"] = {s: rows[s] for s in strange}
        unnamed = [entry for entry in refused if printable(entry) not in out]
        if unnamed:
            problems["refused entries not named"] = unnamed
        control = sorted({repr(c) for c in CONTROL.findall(out) if c != "\r"})
        if control:
            problems["control characters on the terminal"] = control
        if (tmp_path / "grades.csv").exists():
            formulas = [line for line in (tmp_path / "grades.csv").read_text().splitlines()
                        if any(cell[:1] and cell[:1] in "=+-@" for cell in line.split(","))]
            if formulas:
                problems["formulas in the CSV"] = formulas
        assert not problems, json.dumps(problems, indent=1, default=str)
    finally:
        shutil.rmtree(course, ignore_errors=True)


def test_symlinks_and_two_notebooks_in_submitted(tmp_path):
    """submitted/<student>/<ID>/: a symlink (to the master) is refused and never graded or copied; two notebooks in
    one student's folder are refused naming both; the others are graded."""
    from coursekit import classgrade
    from coursekit.sandbox import Limits
    course = new_course()
    try:
        def folder(student):
            path = course / "submitted" / student / A
            path.mkdir(parents=True, exist_ok=True)
            return path
        (folder("yan") / NAME).write_bytes(hc.correct_bytes())
        (folder("mallory") / NAME).symlink_to(master_path(A))
        (folder("bob") / "a.ipynb").write_bytes(hc.correct_bytes())
        (folder("bob") / "b.ipynb").write_bytes(hc.blank_bytes())
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / NAME).write_bytes(hc.correct_bytes())
        (course / "submitted" / "trudy").symlink_to(outside, target_is_directory=True)  # a whole folder elsewhere
        rows = {s: (score, status) for s, score, _, _, status in classgrade.grade_class(
            A, course, workers=2, limits=Limits(cell_timeout=10, notebook_timeout=120, memory_bytes=1 << 30),
            quiet=True)}
        problems = {}
        if rows.get("yan", (None,))[0] != hc.FULL:
            problems["yan"] = rows.get("yan")
        for student in ("mallory", "trudy"):
            if student in rows and (rows[student][0] != 0 or rows[student][1] == "graded"):
                problems[student] = rows[student]
            if graded_path(course, student).exists():
                problems[f"{student} graded notebook"] = "written"
        if "bob" in rows and not ("a.ipynb" in rows["bob"][1] and "b.ipynb" in rows["bob"][1]):
            problems["bob"] = rows["bob"]
        if "bob" not in rows:
            problems["bob"] = "no row: the refusal must be reported"
        master = graded_path(course, "mallory")
        if master.exists() and "### BEGIN SOLUTION" in master.read_text():
            problems["master solutions in autograded/"] = str(master)
        assert not problems, json.dumps(problems, indent=1, default=str)
    finally:
        shutil.rmtree(course, ignore_errors=True)


def test_zip_bomb(tmp_path):
    """A 1 MiB zip entry that inflates to 1 GiB is refused before it is inflated (driver memory bounded, no 1 GiB
    copy in submitted/); the other entries are graded."""
    course = new_course()
    try:
        archive = tmp_path / "bomb.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr("yan.ipynb", hc.correct_bytes())
            info = zipfile.ZipInfo("bomb.ipynb")
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as entry:
                chunk = b" " * (16 << 20)
                for _ in range(64):  # 1 GiB of JSON whitespace
                    entry.write(chunk)
        assert archive.stat().st_size < 2 << 20
        run, rows, rss = grade_command(course, archive, memory=6 << 30, timeout=900)
        out = run.stdout.decode(errors="replace") + run.stderr.decode(errors="replace")
        biggest = max((p.stat().st_size for p in course.rglob("*") if p.is_file()), default=0)
        assert (run.returncode, rows.get("yan", (None,))[0], "bomb.ipynb" in out, biggest < 64 << 20,
                rss < MAX_GRADER_RSS) == (0, hc.FULL, True, True, True), \
            (run.returncode, rows, biggest, rss >> 20, out[-1500:])
    finally:
        shutil.rmtree(course, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- the grader itself

GRADE_ONE = """
import json, sys
from dataclasses import asdict
from coursekit import ROOT, job, sandbox
content = open(sys.argv[1], "rb").read()
limits = sandbox.Limits(cell_timeout=10, notebook_timeout=120, memory_bytes=1 << 30)
r = job.grade_submission({"student": "s", "content": content, "sha256": "s", "template": job.template("C1W2A1"),
                          "run_all": False, "limits": asdict(limits), "sandbox": True})
print("RESULT", json.dumps({"score": sum(s for _, s, _ in r["cells"]), "status": r["status"],
                            "protections": str(r["protections"])[:200]}))
"""


@pytest.mark.parametrize("name", sorted(hc.GRADER_DOS))
def test_work_folder_files_cannot_stop_the_grader(name, tmp_path):
    """The kernel owns its work folder; what it leaves there (a FIFO, a symlink to /dev/zero, a forged 50 MB
    sandbox record) must not hang the grader, exhaust its memory or be believed."""
    path = tmp_path / "nb.ipynb"
    path.write_bytes(hc.grader_dos_notebooks()[name])

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    try:
        run = subprocess.run([sys.executable, "-c", GRADE_ONE, str(path)], capture_output=True, text=True, cwd=ROOT,
                             timeout=240, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        pytest.fail("the grader hung after the kernel ended (240 s)")
    results = [json.loads(l[7:]) for l in run.stdout.splitlines() if l.startswith("RESULT ")]
    assert results and results[0]["score"] == hc.FULL and "forged" not in results[0]["protections"], \
        (results, run.stderr[-1500:])
