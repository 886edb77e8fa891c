"""The class grader: hostile corpus, a generated class of 50 through the local pool and a real Dask scheduler/worker
pair on loopback, resumability, the gradebook and leak-free feedback."""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict

import nbformat
import pytest

from coursekit import ROOT, classgrade, job, master_path, sandbox
from coursekit.demo import correct_submission, leaks, text_mistake
from coursekit.notebooks import read
from coursekit.release import build_student_version, nbgrader, scratch_course
from tests import hostile_corpus

ASSIGNMENT = "C1W2A1"
LIMITS = sandbox.Limits(cell_timeout=10, notebook_timeout=120, memory_bytes=1 << 30)


@pytest.fixture(scope="module")
def course():
    folder = scratch_course([ASSIGNMENT, "C1W2A2"])
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def submit(course, name, data, assignment=ASSIGNMENT):
    path = course / "submitted" / name / assignment / master_path(assignment).name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture(scope="module")
def listener():
    """A loopback port the network test submission tries to reach; records whether anything connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    hits = []

    def accept():
        while not stopped:
            try:
                hits.append(server.accept())
            except OSError:
                pass
    stopped = False
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stopped = True
    server.close()


def test_protections_are_active_here():
    active = {k: v for k, v in sandbox.protections().items() if k != "reasons"}
    assert active and all(v is True for v in active.values()), sandbox.protections()


def test_hostile_corpus(course, listener):
    port, hits = listener
    secrets = [ROOT / "source" / ASSIGNMENT / master_path(ASSIGNMENT).name, course / "gradebook.db",
               course / "submitted" / "alice" / ASSIGNMENT / master_path(ASSIGNMENT).name]
    corpus = hostile_corpus.build(port=port, secret_paths=secrets)
    good = correct_submission(nbformat.reads(build_student_version(ASSIGNMENT), as_version=4),
                              read(master_path(ASSIGNMENT)))
    submit(course, "alice", nbformat.writes(good).encode())
    for name, data, _, _ in corpus:
        submit(course, name, data)
    before = {p: p.read_bytes() for p in secrets[2:]}
    rows = classgrade.grade_class(ASSIGNMENT, course, workers=2, limits=LIMITS, quiet=True)
    got = {student: (score, status) for student, score, _, _, status in rows}
    assert got["alice"][0] == hostile_corpus.FULL
    problems = []
    for name, _, expected, word in corpus:
        score, status = got[name]
        graded = course / "autograded" / name / ASSIGNMENT / master_path(ASSIGNMENT).name
        text = graded.read_text() if graded.exists() else ""
        if score != expected or not hostile_corpus.expected_word_found(word, status, text):
            problems.append((name, score, expected, status, word))
    assert not problems, problems
    assert not hits, "a submission reached the network"
    assert {p: p.read_bytes() for p in secrets[2:]} == before, "a submission changed another submission"
    assert not sandbox_leftovers(), "processes survived their job"
    big = (course / "autograded" / "megabytes-of-output" / ASSIGNMENT / master_path(ASSIGNMENT).name).stat().st_size
    assert big < 1 << 20


def sandbox_leftovers():
    """Processes of sandbox uids still alive."""
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            uid = os.stat(f"/proc/{pid}").st_uid
        except FileNotFoundError:
            continue
        if 200000 <= uid < 266000:
            left.append(pid)
    return left


def make_class(course, size=50):
    """A generated class: correct, one function wrong, blank, and hostile submissions, with expected scores."""
    student = nbformat.reads(build_student_version(ASSIGNMENT), as_version=4)
    master = read(master_path(ASSIGNMENT))
    grade_id, old, new = text_mistake(ASSIGNMENT)
    hostile = [h for h in hostile_corpus.build() if h[0] in ("memory-bomb", "not-json", "equals-anything",
                                                             "patch-public-tests", "os-exit")]
    expected = {}
    for i in range(size):
        kind = i % 5
        name = f"s{i:03d}"
        nb = correct_submission(nbformat.reads(nbformat.writes(student), as_version=4), master)
        if kind == 0:
            score = hostile_corpus.FULL
        elif kind == 1:
            next(c for c in nb.cells if c.id == grade_id).source = \
                next(c for c in nb.cells if c.id == grade_id).source.replace(old, new, 1)
            score = hostile_corpus.FULL - 2
        elif kind == 2:
            nb, score = nbformat.reads(nbformat.writes(student), as_version=4), 0.0
        else:
            _, data, score, _ = hostile[(i // 5 + kind) % len(hostile)]
            submit(course, name, data)
            expected[name] = score
            continue
        submit(course, name, nbformat.writes(nb).encode())
        expected[name] = score
    return expected


def check_rows(rows, expected):
    got = {student: score for student, score, *_ in rows}
    assert got == expected


@pytest.fixture
def class_course():
    folder = scratch_course([ASSIGNMENT])
    nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_class_of_50_local_pool_resumable(class_course):
    expected = make_class(class_course)
    calls = []
    real_merge = classgrade.merge

    def merge_then_interrupt(*args):
        real_merge(*args)
        calls.append(1)
        if len(calls) == 7:
            raise KeyboardInterrupt  # Ctrl-C in the middle of a run
    classgrade.merge = merge_then_interrupt
    try:
        with pytest.raises(KeyboardInterrupt):
            classgrade.grade_class(ASSIGNMENT, class_course, workers=2, limits=LIMITS, quiet=True)
    finally:
        classgrade.merge = real_merge
    rows = classgrade.grade_class(ASSIGNMENT, class_course, workers=2, limits=LIMITS, quiet=True,
                                  csv_path=class_course / "grades.csv")
    check_rows(rows, expected)
    # everything merged before the interrupt is kept (the 7th may be regraded if the interrupt hit mid-merge)
    assert sum(status == "unchanged" for *_, status in rows) >= 6
    again = classgrade.grade_class(ASSIGNMENT, class_course, workers=2, limits=LIMITS, quiet=True)
    assert all(status == "unchanged" for *_, status in again)
    assert (class_course / "grades.csv").read_text().count("\n") == 51
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{class_course / 'gradebook.db'}") as gradebook:
        assert {s: gradebook.find_submission(ASSIGNMENT, s).score for s in expected} == expected
    nbgrader("generate_feedback", ASSIGNMENT, "--force", cwd=class_course)
    assert len(list((class_course / "feedback").rglob("*.html"))) >= 45
    assert leaks(class_course, [ASSIGNMENT]) == []


def test_class_of_50_on_a_dask_cluster(class_course):
    expected = make_class(class_course)
    with dask_cluster(workers=2) as address:
        rows = classgrade.grade_class(ASSIGNMENT, class_course, scheduler=address, limits=LIMITS, quiet=True)
    check_rows(rows, expected)


@contextlib.contextmanager
def dask_cluster(workers):
    """A real Dask scheduler and a worker with `workers` processes, on loopback; yields the scheduler's address."""
    port = free_port()
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", f"tcp://127.0.0.1:{port}",
                               "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)
        yield f"tcp://127.0.0.1:{port}"
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(30)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lms_zip_export(class_course, tmp_path):
    import zipfile
    good = correct_submission(nbformat.reads(build_student_version(ASSIGNMENT), as_version=4),
                              read(master_path(ASSIGNMENT)))
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zoe.ipynb", nbformat.writes(good))
        z.writestr("yan.ipynb", nbformat.writes(nbformat.reads(build_student_version(ASSIGNMENT), as_version=4)))
    rows = classgrade.grade_class(ASSIGNMENT, class_course, source=archive, limits=LIMITS, quiet=True)
    assert {s: score for s, score, *_ in rows} == {"zoe": 16.0, "yan": 0.0}
    assert (class_course / "submitted" / "zoe" / ASSIGNMENT / master_path(ASSIGNMENT).name).exists()


def test_demo_cells_are_skipped_only_when_nothing_needs_them():
    tmpl = job.template("C1W4A2")
    demo = {c["id"] for c in tmpl["cells"] if c["kind"] == "demo"}
    assert demo and set(tmpl["skippable"]) == demo
    cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("y = 2"), nbformat.v4.new_code_cell("x + 1")]
    for i, cell in enumerate(cells):
        cell.id = f"c{i}"
    cells[0].metadata["coursekit"] = {"demo": True}
    cells[1].metadata["coursekit"] = {"demo": True}
    assert job.skippable_demo_cells(cells) == {"c1"}  # c0 defines x, which a later cell reads


def test_master_passes_with_demo_cells_skipped():
    """The proof that skipping is safe: every test of every master passes when its demo cells do not run."""
    from coursekit.execute import execute
    for assignment in ("C1W2A2", "C1W3A1", "C1W4A2"):
        tmpl = job.template(assignment)
        nb = read(master_path(assignment))
        for cell in nb.cells:
            if cell.id in tmpl["skippable"]:
                cell.source = job.SKIPPED
        execute(nb, cwd=master_path(assignment).parent)
        text = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        tests = [c for c in tmpl["cells"] if c["kind"] == "test"]
        assert text.count("All tests passed.") + text.count("All hidden tests passed.") == len(tests), assignment


def test_state_log_survives_a_cut_last_line(tmp_path):
    state = classgrade.State(tmp_path, ASSIGNMENT)
    state.record("ann", {"sha256": "a1", "score": 1.0})
    state.record("bob", {"sha256": "b1", "score": 2.0})
    state.record("ann", {"sha256": "a2", "score": 3.0})
    with open(state.path, "a") as log:
        log.write('{"student": "cat", "sha2')  # the machine died mid-write
    again = classgrade.State(tmp_path, ASSIGNMENT).data
    assert again == {"ann": {"sha256": "a2", "score": 3.0}, "bob": {"sha256": "b1", "score": 2.0}}


def test_a_cell_printing_without_end_cannot_fill_the_graders_memory(tmp_path):
    """Output beyond MAX_CELL_OUTPUT_CHARS per cell is counted and dropped as it arrives; the test still decides."""
    nb = correct_submission(nbformat.reads(build_student_version(ASSIGNMENT), as_version=4),
                            read(master_path(ASSIGNMENT)))
    flood = "import sys\nfor _ in range(300):\n    print('y' * 10_000)\n    sys.stdout.flush()\n"
    answer = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    answer.source = flood + answer.source
    tmpl = job.template(ASSIGNMENT)
    content = nbformat.writes(nb).encode()
    result = job.grade_submission({"student": "s", "content": content, "sha256": "x", "template": tmpl,
                                   "run_all": False, "limits": asdict(LIMITS), "sandbox": False})
    graded = nbformat.reads(result["notebook"], as_version=4)
    kept = sum(len(o.get("text", "")) for c in graded.cells for o in c.get("outputs", []))
    assert kept < 2 * job.MAX_CELL_OUTPUT_CHARS
    assert any("more characters not kept" in o.get("text", "") for c in graded.cells for o in c.get("outputs", []))
    assert sum(s for _, s, _ in result["cells"]) == sum(p for _, _, p in result["cells"])


def test_a_killed_worker_loses_nothing(class_course):
    """A local worker process killed mid-run (say by the OOM killer): its jobs are graded again, nothing is lost."""
    nb = correct_submission(nbformat.reads(build_student_version(ASSIGNMENT), as_version=4),
                            read(master_path(ASSIGNMENT)))
    for i in range(8):
        submit(class_course, f"k{i}", nbformat.writes(nb).encode())
    merged, count, killed_after = threading.Event(), [], []
    real_merge = classgrade.merge

    def merge_and_signal(*args):
        real_merge(*args)
        count.append(1)
        merged.set()

    def kill_a_worker():
        merged.wait(300)
        workers = [p for p in os.listdir("/proc") if p.isdigit() and _is_pool_worker(int(p))]
        killed_after.append(len(count))
        os.kill(int(workers[0]), 9)

    killer = threading.Thread(target=kill_a_worker)
    classgrade.merge = merge_and_signal
    try:
        killer.start()
        rows = classgrade.grade_class(ASSIGNMENT, class_course, workers=2, limits=LIMITS, quiet=True)
    finally:
        classgrade.merge = real_merge
        killer.join()
    assert killed_after and killed_after[0] < 6  # the kill came while most jobs were still to do
    assert [(s, score, status) for s, score, _, _, status in rows] == \
        [(f"k{i}", hostile_corpus.FULL, "graded") for i in range(8)]


def _is_pool_worker(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            return parent == os.getpid() and b"spawn_main" in cmdline.read()
    except OSError:
        return False


def test_the_grade_command_with_its_limits(class_course, tmp_path):
    """`python -m coursekit grade` on an LMS folder: limits from the flags, the table, the CSV, the reason in the
    graded notebook."""
    folder = tmp_path / "export"
    folder.mkdir()
    good = correct_submission(nbformat.reads(build_student_version(ASSIGNMENT), as_version=4),
                              read(master_path(ASSIGNMENT)))
    (folder / "zoe.ipynb").write_text(nbformat.writes(good))
    loop = next(item for item in hostile_corpus.build() if item[0] == "infinite-loop")
    (folder / "ivy.ipynb").write_bytes(loop[1])
    run = subprocess.run([sys.executable, "-m", "coursekit", "grade", ASSIGNMENT, "--course", str(class_course),
                          "--submissions", str(folder), "--cell-timeout", "3", "--notebook-timeout", "90",
                          "--memory-gib", "1", "--csv", str(tmp_path / "grades.csv")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "sandbox: rlimits " in run.stderr and "no_network " in run.stderr  # what held, said before grading
    table = {line.split()[0]: line.split()[1] for line in run.stdout.splitlines()[1:]}
    assert table == {"ivy": f"{loop[2]:.1f}", "zoe": f"{hostile_corpus.FULL:.1f}"}
    assert (tmp_path / "grades.csv").read_text().count("\n") == 3
    graded = (class_course / "autograded" / "ivy" / ASSIGNMENT / master_path(ASSIGNMENT).name).read_text()
    assert "longer than 3 s" in graded
