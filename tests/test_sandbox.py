"""The grading sandbox: tiny notebooks run through SandboxKernelManager hit each limit and protection.

A test that needs a protection asserts it is active when we are root (as in CI) and is skipped, with
the probe's reason, elsewhere (a non-root laptop)."""
import ctypes
import dataclasses
import json
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import nbclient
import pytest
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook

from coursekit import ROOT
from coursekit.sandbox import (Limits, SandboxKernelManager, cleanup, explain, explain_notebook, job_uid,
                               protections, uid_processes)

LIMITS = Limits(cell_timeout=30, notebook_timeout=60, cpu_seconds=60, memory_bytes=1 << 30)


def need(name):
    found = protections()
    if os.geteuid() == 0:
        assert found[name], found["reasons"].get(name)
    elif not found[name]:
        pytest.skip(f"{name} unavailable here: {found['reasons'][name]}")


def run(tmp_path, *cells, limits=LIMITS, readable=(), env=None, **options):
    """Execute the cells in a fresh sandboxed kernel; return (notebook, km, exception or None).
    The kernel is always cleaned up, and no process of the job's uid may survive it."""
    work = Path(tempfile.mkdtemp(prefix="w", dir=tmp_path))
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    km = SandboxKernelManager(limits=limits, workdir=work, readable=readable)
    client = nbclient.NotebookClient(nb, km=km, timeout=limits.cell_timeout, allow_errors=True,
                                     kernel_name="python3", resources={"metadata": {"path": str(work)}},
                                     **options)
    error = None
    try:
        client.execute(**({"env": env} if env else {}))
    except (CellTimeoutError, DeadKernelError) as e:
        error = e
    km.sandbox = json.loads((work / ".sandbox.json").read_text())
    cleanup(km, client)
    if protections()["unprivileged_uid"]:
        assert uid_processes(km.uid) == []
    return nb, km, error


def text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def ename(cell):
    return [o.ename for o in cell.outputs if o.output_type == "error"]


def test_protections_are_probed():
    found = protections()
    assert set(found) == {"rlimits", "unprivileged_uid", "process_limit", "no_network", "allow_list",
                          "pid_namespace", "ipc_namespace", "clean_env", "reasons"}
    assert all(isinstance(found[name], bool) for name in found if name != "reasons")
    assert set(found["reasons"]) == {name for name in found if found[name] is False}
    if os.geteuid() == 0:
        assert all(found[name] for name in found if name != "reasons") and not found["reasons"]


def test_normal_code_runs_and_record_matches(tmp_path):
    nb, km, error = run(tmp_path, "import numpy as np\nprint(np.arange(4).sum())",
                        "import matplotlib.pyplot as plt\n%matplotlib inline\nplt.plot([1, 2, 3]); plt.show()",
                        "import os\nprint(os.getuid(), os.environ['HOME'], os.environ['OPENBLAS_NUM_THREADS'])",
                        "print(os.environ.get('COURSEKIT_GRADER'), os.environ.get('GRADER_SECRET'))",
                        env=dict(os.environ, COURSEKIT_GRADER="record", GRADER_SECRET="s3cret"))
    assert error is None and not any(ename(c) for c in nb.cells)
    assert text(nb.cells[0]) == "6\n"
    assert any("image/png" in o.get("data", {}) for o in nb.cells[1].outputs)
    uid, home, threads = text(nb.cells[2]).split()
    assert km.sandbox["protections"] == protections()
    assert int(uid) == km.sandbox["uid"] == (job_uid(km.workdir) if protections()["unprivileged_uid"] else os.getuid())
    assert home.startswith(str(km.workdir)) and threads == "1"
    assert text(nb.cells[3]) == "None None\n"  # the grader's environment is not passed on
    assert os.stat(km.workdir).st_uid == os.getuid()  # cleanup gave the workdir back


def test_memory_bomb_gets_memory_error_and_kernel_survives(tmp_path):
    limits = Limits(memory_bytes=512 << 20)
    nb, _, error = run(tmp_path, "x = bytearray(8 << 30)", "import numpy as np\ny = np.ones(1 << 28)",
                       "chunks = []\nwhile True:\n    chunks.append(bytearray(16 << 20))", "del chunks\nprint('alive')",
                       limits=limits)
    assert error is None
    assert ename(nb.cells[0]) == ["MemoryError"] and "MemoryError" in ename(nb.cells[1])[0]
    assert ename(nb.cells[2]) == ["MemoryError"] and text(nb.cells[3]) == "alive\n"
    assert explain_notebook(nb, limits)[0] == (1, "Your notebook used more than 512 MiB of memory in cell 1.")


BOMB = """
import os, time
n = 0
try:
    while True:
        if os.fork() == 0:  # a child: fork forever, as do its children
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.05)
        n += 1
except OSError as e:  # the kernel itself stops at the process limit
    print(type(e).__name__, n > 0)
"""
COUNT = "import os\nprint(sum(os.stat(f'/proc/{p}').st_uid == os.getuid() for p in os.listdir('/proc') if p.isdigit()))"


def test_fork_bomb_is_stopped_and_cleaned_up(tmp_path):
    need("process_limit")
    limits = Limits(max_processes=24)
    nb, km, error = run(tmp_path, BOMB, COUNT, limits=limits)
    assert error is None and text(nb.cells[0]) == "BlockingIOError True\n"
    assert int(text(nb.cells[1])) > 5  # the bomb's processes were alive; run() checked that cleanup killed them
    assert "too many processes" in explain("BlockingIOError: [Errno 11] Resource temporarily unavailable", limits)


def test_no_network(tmp_path):
    need("no_network")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        nb, _, _ = run(tmp_path, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=5)")
    assert ename(nb.cells[0]) == ["OSError"] and "unreachable" in nb.cells[0].outputs[0].evalue


def test_kernel_has_what_students_need(tmp_path):
    need("allow_list")
    extra = tmp_path / "extra.txt"
    extra.write_text("extra")
    nb, _, _ = run(tmp_path, "import numpy, matplotlib.pyplot, h5py, ipykernel\nfrom public_tests.C1W2A1 import *\n"
                             "from lr_utils import load_dataset\nprint(load_dataset()[0].shape[0] > 0)",
                   f"import os\nprint(sorted(os.listdir({str(ROOT)!r})))",
                   f"print(open({str(extra)!r}).read())", f"open({str(extra)!r}, 'w')", readable=[extra])
    assert not ename(nb.cells[0]) and text(nb.cells[0]) == "True\n"
    assert set(eval(text(nb.cells[1]))) <= {"utils", "public_tests", "datasets", "images", ".venv"}
    assert text(nb.cells[2]) == "extra\n" and ename(nb.cells[3]) == ["OSError"]  # read-only


def test_course_files_are_invisible(tmp_path):
    """Executed solutions in ROOT/build, an LMS export and a grades CSV in a course folder, the kit itself."""
    need("allow_list")
    build = ROOT / "build"
    made_build = not build.exists()
    secrets = [build / f"coursekit-test-{uuid.uuid4().hex}" / "solution.ipynb",
               tmp_path / "course" / "export.zip", tmp_path / "course" / "grades.csv"]
    for path in secrets:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("secret")
    try:
        nb, _, _ = run(tmp_path, *[f"open({str(path)!r}).read()" for path in secrets],
                       "import os\nprint([os.path.exists(os.path.join({!r}, name)) for name in "
                       "('coursekit', 'source', 'tests', 'build', '.git', 'README.md')])".format(str(ROOT)))
    finally:
        shutil.rmtree(secrets[0].parent)
        if made_build:
            build.rmdir()
    assert [ename(cell) for cell in nb.cells[:3]] == [["FileNotFoundError"]] * 3
    assert text(nb.cells[3]) == "[False, False, False, False, False, False]\n"


def test_grader_process_is_invisible(tmp_path):
    need("pid_namespace")
    nb, _, _ = run(tmp_path, f"open('/proc/{os.getpid()}/cmdline', 'rb').read()",
                   f"open('/proc/{os.getpid()}/environ', 'rb').read()")
    assert ename(nb.cells[0]) == ename(nb.cells[1]) == ["FileNotFoundError"]


def test_only_its_own_processes_are_visible(tmp_path):
    need("pid_namespace")
    with subprocess.Popen(["sleep", "60"]) as other:
        try:
            nb, _, _ = run(tmp_path, "import os\nfor pid in sorted(os.listdir('/proc')):\n    if pid.isdigit():\n"
                                     "        print(open(f'/proc/{pid}/cmdline', 'rb').read().split(b'\\0')[:4])")
        finally:
            other.kill()
    seen = text(nb.cells[0]).splitlines()
    assert 2 <= len(seen) <= 4, seen  # PID 1 (the launcher) and the kernel, perhaps with a helper of its own
    assert all("sandbox.py" in line or "ipykernel" in line for line in seen), seen


def test_grader_environment_is_not_passed_on(tmp_path):
    need("clean_env")
    secret = f"s3cret-{uuid.uuid4().hex}"
    env = dict(os.environ, COURSEKIT_DB_URL=f"postgresql://grader:{secret}@db/grades", PYTHONSECRET=secret,
               GRADER_TOKEN=secret)
    nb, _, _ = run(tmp_path, "import os\n"
                             "found = [k for k, v in os.environ.items() if {!r} in v or k.startswith('COURSEKIT')]\n"
                             "for pid in filter(str.isdigit, os.listdir('/proc')):\n    try:\n"
                             "        found += [pid] if {!r} in open(f'/proc/{{pid}}/environ', 'rb').read() else []\n"
                             "    except OSError:\n        pass\nprint(found)".format(secret, secret.encode()), env=env)
    assert text(nb.cells[0]) == "[]\n"


def test_grader_log_is_unreachable(tmp_path):
    """The grader's stdout/stderr (a log file, say) reach the kernel only as a pipe, not as a file to reopen."""
    need("allow_list")
    log, secret = tmp_path / "grader.log", f"s3cret-{uuid.uuid4().hex}"
    log.write_text(secret)
    log.chmod(0o644)
    saved = os.dup(2)
    try:
        with open(log, "a") as f:
            os.dup2(f.fileno(), 2)
        nb, _, _ = run(tmp_path, "import os, stat\nfound = []\nfor fd in os.listdir('/proc/self/fd'):\n    try:\n"
                                 "        path = f'/proc/self/fd/{fd}'\n"
                                 "        if stat.S_ISREG(os.stat(path).st_mode):\n"
                                 f"            found += [fd] if {secret!r} in open(path).read(1000) else []\n"
                                 "    except OSError:\n        pass\nprint(found)")
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    assert text(nb.cells[0]) == "[]\n"


def test_host_unix_sockets_are_unreachable(tmp_path):
    need("allow_list")
    need("no_network")
    name = f"coursekit-test-{uuid.uuid4().hex[:12]}"
    paths, servers = [f"/tmp/{name}.sock", f"/run/{name}.sock", f"\0{name}"], []
    try:
        for path in paths:
            server = socket.socket(socket.AF_UNIX)
            servers.append(server)
            server.bind(path)
            server.listen()
            if not path.startswith("\0"):
                os.chmod(path, 0o777)
        nb, _, _ = run(tmp_path, f"import socket\nfor path in {paths!r}:\n    try:\n"
                                 "        socket.socket(socket.AF_UNIX).connect(path)\n        print('connected')\n"
                                 "    except OSError as e:\n        print(type(e).__name__)")
    finally:
        for server in servers:
            server.close()
        for path in paths[:2]:
            Path(path).unlink(missing_ok=True)
    assert text(nb.cells[0]).split() == ["FileNotFoundError", "FileNotFoundError", "ConnectionRefusedError"]


def test_ipc_objects_die_with_the_job(tmp_path):
    """A SysV shared memory segment and a POSIX message queue made by the kernel are gone after the job."""
    need("ipc_namespace")
    key, name = int.from_bytes(os.urandom(3), "big") + 1, f"/coursekit-test-{uuid.uuid4().hex[:12]}".encode()
    nb, _, _ = run(tmp_path, f"import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                             f"print(libc.shmget({key}, 4096, 0o1666) >= 0, "
                             f"libc.mq_open({name!r}, os.O_CREAT | os.O_RDWR, 0o666, None) >= 0)")
    libc = ctypes.CDLL(None, use_errno=True)
    segment, queue = libc.shmget(key, 0, 0), libc.mq_open(name, os.O_RDONLY)
    if segment >= 0:
        libc.shmctl(segment, 0, None)  # IPC_RMID
    if queue >= 0:
        os.close(queue), libc.mq_unlink(name)
    assert text(nb.cells[0]) == "True True\n"
    assert segment == queue == -1


def test_cannot_write_outside_workdir(tmp_path):
    need("unprivileged_uid")
    need("allow_list")
    outside = [ROOT / "evil.txt", ROOT / "coursekit" / "evil.py", Path(f"/tmp/coursekit-leak-{uuid.uuid4().hex}")]
    nb, km, _ = run(tmp_path, *[f"open({str(path)!r}, 'w').write('x')" for path in outside],
                    "open('mine.txt', 'w').write('ok')")
    leaked = [path for path in outside if path.exists()]
    for path in leaked:
        path.unlink()
    assert not leaked
    assert ename(nb.cells[0]) == ["OSError"] and ename(nb.cells[1]) == ["FileNotFoundError"]  # read-only, absent
    assert not ename(nb.cells[2])  # allowed, but it went to the kernel's private /tmp
    assert not ename(nb.cells[3]) and (km.workdir / "mine.txt").read_text() == "ok"


def test_file_size_limit(tmp_path):
    need("rlimits")
    limits = Limits(max_file_bytes=1 << 20)
    nb, _, _ = run(tmp_path, "open('big', 'wb').write(b'x' * (2 << 20))", limits=limits)
    assert ename(nb.cells[0]) == ["OSError"] and "File too large" in nb.cells[0].outputs[0].evalue
    assert explain(nb.cells[0].outputs[0], limits, cell=1) == "Your notebook wrote a file larger than 1 MiB in cell 1."


def test_infinite_loop_cell_timeout(tmp_path):
    limits = Limits(cell_timeout=2)
    _, _, error = run(tmp_path, "while True:\n    pass", limits=limits)
    assert isinstance(error, CellTimeoutError)
    assert explain(error, limits) == "Your notebook took longer than 2 s (the limit per cell)."
    nb, _, error = run(tmp_path, "while True:\n    pass", "print('next')", limits=limits,
                       interrupt_on_timeout=True)
    assert error is None and ename(nb.cells[0]) == ["KeyboardInterrupt"] and text(nb.cells[1]) == "next\n"


def test_sys_exit_and_os_exit(tmp_path):
    nb, km, error = run(tmp_path, "import sys\nsys.exit(3)", "print('still here')", "import os\nos._exit(1)",
                        "print('never')")
    assert ename(nb.cells[0]) == ["SystemExit"] and text(nb.cells[1]) == "still here\n"  # IPython catches it
    assert isinstance(error, DeadKernelError) and km.exit_status == 1 and not nb.cells[3].outputs
    assert "The kernel stopped" in explain(error, LIMITS, km=km)


def test_cpu_and_notebook_time_limits(tmp_path):
    need("rlimits")
    limits = Limits(cpu_seconds=2)
    _, km, error = run(tmp_path, "while True:\n    pass", limits=limits)
    assert isinstance(error, DeadKernelError) and km.exit_status == -24  # SIGXCPU
    assert explain(error, limits, km=km) == "Your notebook used more than 2 s of CPU time."
    limits = Limits(notebook_timeout=5)  # time enough to start the kernel on a busy machine
    _, km, error = run(tmp_path, "import time\ntime.sleep(30)", limits=limits)
    assert isinstance(error, DeadKernelError) and km.timed_out
    assert "longer than 5 s in total" in explain(error, limits, km=km)


def test_explain():
    limits = Limits()
    assert explain(MemoryError(), limits, cell=14) == "Your notebook used more than 2 GiB of memory in cell 14."
    assert explain({"ename": "ValueError", "evalue": "bad shape", "traceback": []}, limits) is None
    assert explain(DeadKernelError("Kernel died"), limits).startswith("The kernel stopped")
    assert Limits(**json.loads(json.dumps(dataclasses.asdict(limits)))) == limits
