"""Grading throughput: submissions per minute with --workers 1 and 2, and on a Dask cluster on loopback.

    .venv/bin/python benchmarks/bench_grading.py [--n 30] [--rounds 2] [--assignments C1W2A1 C1W4A2] [--no-dask]

For each assignment, N correct submissions are graded in a scratch course (sandbox on, demo cells skipped), by one
local worker, two local workers, and a Dask scheduler with two single-threaded workers started as separate processes.
The one- and two-worker runs alternate for --rounds rounds (1,2 then 2,1 ...) and the median is reported, because
this machine's speed drifts by tens of per cent from minute to minute (other tenants).  Each line also shows how busy
the machine was (cores, from /proc/stat) and the CPU time it spent per submission, all processes included.

The machine's own ceiling is measured the same way: one CPU-bound Python process alone vs two at once.  Two vCPUs that
share a physical core, or a busy host, give less than 2x; the grader cannot scale better than that.

Also prints the overhead per submission (a blank submission: no student code to run) and, for comparison, one
`nbgrader autograde` call on one submission.
"""
import argparse
import os
import shutil
import statistics
import socket
import subprocess
import sys
import time

import nbformat

from coursekit import classgrade, master_path
from coursekit.demo import correct_submission
from coursekit.notebooks import read
from coursekit.release import build_student_version, nbgrader, scratch_course


def course_with(assignment, n, blank=False):
    course = scratch_course([assignment])
    nbgrader("generate_assignment", assignment, "--force", cwd=course)
    student = nbformat.reads(build_student_version(assignment), as_version=4)
    nb = student if blank else correct_submission(student, read(master_path(assignment)))
    for i in range(n):
        path = course / "submitted" / f"s{i:03d}" / assignment / master_path(assignment).name
        path.parent.mkdir(parents=True)
        path.write_text(nbformat.writes(nb))
    return course


def busy_seconds():
    """CPU seconds the whole machine has spent not idle since boot (all cores, all processes)."""
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def timed_grade(assignment, n, **kwargs):
    """(seconds, rows, CPU seconds of the machine during the run, steady-state submissions per minute).

    Steady state: the rate between the 3rd and the last result, leaving out the start-up of the run and of
    each worker (imports, the hidden tests' expected values), paid once per worker however large the class."""
    course = course_with(assignment, n, blank=kwargs.pop("blank", False))
    merged, real_merge = [], classgrade.merge

    def timed_merge(*args):
        real_merge(*args)
        merged.append(time.perf_counter())
    classgrade.merge = timed_merge
    try:
        start, busy = time.perf_counter(), busy_seconds()
        rows = classgrade.grade_class(assignment, course, quiet=True, **kwargs)
        seconds, busy = time.perf_counter() - start, busy_seconds() - busy
    finally:
        classgrade.merge = real_merge
    shutil.rmtree(course, ignore_errors=True)
    assert len(rows) == n
    assert all(status == "graded" for *_, status in rows), {status for *_, status in rows}
    steady = (len(merged) - 3) / (merged[-1] - merged[2]) * 60 if len(merged) > 4 else float("nan")
    return seconds, rows, busy, steady


SPIN = "import time; t = time.process_time()\nwhile time.process_time() - t < 1.5: pass"


def machine_scaling(rounds=3):
    """Median speed-up of two CPU-bound Python processes at once over one alone (2.0 = two full cores)."""
    ratios = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", SPIN], check=True)
        one = time.perf_counter() - start
        start = time.perf_counter()
        pair = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(2)]
        for process in pair:
            process.wait()
        ratios.append(2 * one / (time.perf_counter() - start))
    return statistics.median(ratios)


def start_dask():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"], **quiet)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", f"tcp://127.0.0.1:{port}",
                               "--nworkers", "2", "--nthreads", "1", "--no-dashboard"], **quiet)
    time.sleep(4)
    return f"tcp://127.0.0.1:{port}", [worker, scheduler]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--assignments", nargs="*", default=["C1W2A1", "C1W4A2"])
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    print(f"machine: two CPU-bound processes at once run {machine_scaling():.2f}x one alone "
          f"(load average {os.getloadavg()[0]:.2f})", flush=True)

    def run(assignment, label, **kwargs):
        seconds, _, busy, steady = timed_grade(assignment, args.n, **kwargs)
        print(f"{assignment} {label:<10} {args.n} submissions in {seconds:6.1f} s = "
              f"{args.n / seconds * 60:5.1f} per minute (steady state {steady:5.1f}); machine busy "
              f"{busy / seconds:.2f} cores, {busy / args.n:.2f} CPU s per submission", flush=True)
        return args.n / seconds * 60, steady

    for assignment in args.assignments:
        rates = {1: [], 2: []}
        for round_ in range(args.rounds):
            for workers in ((1, 2) if round_ % 2 == 0 else (2, 1)):
                rates[workers].append(run(assignment, f"workers {workers}", workers=workers))
        for kind, index in (("end to end", 0), ("steady state", 1)):
            one = statistics.median(r[index] for r in rates[1])
            two = statistics.median(r[index] for r in rates[2])
            print(f"{assignment} speed-up 1 -> 2 workers, {kind} (medians {one:.1f} -> {two:.1f} per minute): "
                  f"{two / one:.2f}x; each round: "
                  + ", ".join(f"{b[index] / a[index]:.2f}x" for a, b in zip(rates[1], rates[2])), flush=True)
    address, processes = (None, []) if args.no_dask else start_dask()  # started now: idle, it still costs CPU
    try:
        for assignment in args.assignments if address else []:
            run(assignment, "dask 2", scheduler=address)
    finally:
        for process in processes:
            process.terminate()
    seconds, rows, _, _ = timed_grade("C1W2A1", 4, workers=1, blank=True)
    print(f"overhead per submission (blank C1W2A1, sandbox, one worker): {seconds / 4:.2f} s")
    course = course_with("C1W2A1", 1)
    start = time.perf_counter()
    nbgrader("autograde", "C1W2A1", "--force", cwd=course)
    print(f"one `nbgrader autograde` call on one C1W2A1 submission: {time.perf_counter() - start:.2f} s")
    shutil.rmtree(course, ignore_errors=True)
    print(f"machine again: {machine_scaling():.2f}x")


if __name__ == "__main__":
    main()
