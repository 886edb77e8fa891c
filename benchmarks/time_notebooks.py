"""Time every reference (master) notebook end to end, as the grader's kernel runs it.

    .venv/bin/python benchmarks/time_notebooks.py [ID ...]

Prints seconds per notebook and the total (target: the whole course in under 3 minutes on 2 cores).
"""
import sys
import time

from coursekit import assignments, master_path
from coursekit.execute import errors, execute
from coursekit.notebooks import read


def main(ids):
    total = 0.0
    for assignment in ids:
        nb = read(master_path(assignment))
        start = time.perf_counter()
        execute(nb, cwd=master_path(assignment).parent, allow_errors=True)
        seconds = time.perf_counter() - start
        total += seconds
        problems = errors(nb)
        print(f"{assignment:<8} {seconds:7.1f} s  {master_path(assignment).name}" +
              (f"  ({len(problems)} errors!)" if problems else ""))
    print(f"{'total':<8} {total:7.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:] or assignments())
