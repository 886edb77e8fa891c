"""Grading throughput: submissions per minute with --workers 1 and 2, and on a Dask cluster on loopback.

    .venv/bin/python benchmarks/bench_grading.py [--n 12] [--assignments C1W2A1 C1W4A2] [--no-dask]

For each assignment, N correct submissions are graded in a scratch course (sandbox on, demo cells skipped), by one
local worker, two local workers, and a Dask scheduler with two single-threaded workers started as separate processes.
Also prints the overhead per submission (a blank submission: no student code to run) and, for comparison, one
`nbgrader autograde` call on one submission.
"""
import argparse
import shutil
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


def timed_grade(assignment, n, **kwargs):
    course = course_with(assignment, n, blank=kwargs.pop("blank", False))
    start = time.perf_counter()
    rows = classgrade.grade_class(assignment, course, quiet=True, **kwargs)
    seconds = time.perf_counter() - start
    shutil.rmtree(course, ignore_errors=True)
    assert len(rows) == n
    return seconds, rows


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
    parser.add_argument("--n", type=int, default=12)
    parser.add_argument("--assignments", nargs="*", default=["C1W2A1", "C1W4A2"])
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    address, processes = (None, []) if args.no_dask else start_dask()
    try:
        for assignment in args.assignments:
            figures = {}
            for label, kwargs in [("workers 1", {"workers": 1}), ("workers 2", {"workers": 2}),
                                  ("dask 2", {"scheduler": address})]:
                if kwargs.get("scheduler", 1) is None:
                    continue
                seconds, _ = timed_grade(assignment, args.n, **kwargs)
                figures[label] = args.n / seconds * 60
                print(f"{assignment} {label:<10} {args.n} submissions in {seconds:6.1f} s = "
                      f"{figures[label]:5.1f} per minute", flush=True)
            print(f"{assignment} speed-up 1 -> 2 workers: {figures['workers 2'] / figures['workers 1']:.2f}x")
        seconds, rows = timed_grade("C1W2A1", 4, workers=1, blank=True)
        print(f"overhead per submission (blank C1W2A1, sandbox, one worker): {seconds / 4:.2f} s")
        course = course_with("C1W2A1", 1)
        start = time.perf_counter()
        nbgrader("autograde", "C1W2A1", "--force", cwd=course)
        print(f"one `nbgrader autograde` call on one C1W2A1 submission: {time.perf_counter() - start:.2f} s")
        shutil.rmtree(course, ignore_errors=True)
    finally:
        for process in processes:
            process.terminate()


if __name__ == "__main__":
    main()
