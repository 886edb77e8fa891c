"""`python -m coursekit COMMAND`: the instructor's tools.  See README.md."""
import argparse
import sys
from pathlib import Path

from coursekit import ROOT, assignments, master_path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in [("fmt", "normalise masters: no outputs, stable cell ids"),
                            ("fixtures", "regenerate public_tests/fixtures from the masters"),
                            ("release", "regenerate the student notebooks in notebooks/ from the masters"),
                            ("build", "fmt + fixtures + release"),
                            ("solutions", "write executed clean solutions (no hidden tests) to build/solutions")]:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("assignments", nargs="*", help="assignment IDs (default: all)")
    p = sub.add_parser("to-text", help="print a master as editable text")
    p.add_argument("assignment")
    p = sub.add_parser("from-text", help="write a master from its text form")
    p.add_argument("assignment")
    p.add_argument("text", type=Path)
    p.add_argument("--name", help="notebook file name for a new assignment")
    p = sub.add_parser("grade", help="grade every new or changed submission of an assignment (parallel, sandboxed)")
    p.add_argument("assignment")
    p.add_argument("--course", type=Path, default=ROOT, help="nbgrader course folder (default: this repo)")
    p.add_argument("--submissions", type=Path, help="a folder or zip of <student>.ipynb (default: submitted/)")
    p.add_argument("--workers", type=int, default=1, help="parallel jobs on this machine")
    p.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://127.0.0.1:8786")
    p.add_argument("--db-url", help="nbgrader gradebook URL (default: sqlite:///<course>/gradebook.db)")
    p.add_argument("--run-all", action="store_true", help="also run demonstration cells")
    p.add_argument("--no-sandbox", action="store_true", help="run kernels without the sandbox")
    p.add_argument("--csv", type=Path, help="write the grades in nbgrader's export format")
    from coursekit.sandbox import Limits  # the defaults live there
    for flag, kind, default, what in [
            ("--cell-timeout", int, Limits.cell_timeout, "wall seconds per cell"),
            ("--notebook-timeout", int, Limits.notebook_timeout, "wall seconds per notebook"),
            ("--cpu-seconds", int, Limits.cpu_seconds, "CPU seconds of the kernel"),
            ("--memory-gib", float, Limits.memory_bytes / (1 << 30), "address space per process, GiB"),
            ("--max-processes", int, Limits.max_processes, "processes + threads per job"),
            ("--max-file-mib", float, Limits.max_file_bytes / (1 << 20), "largest file a job may write, MiB")]:
        p.add_argument(flag, type=kind, default=default, help=what + " (default %(default)s)")
    p = sub.add_parser("demo", help="the end-to-end demo: release, execute, autograde a demo class, feedback, grades")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "demo")
    args = parser.parse_args(argv)

    if args.command == "to-text":
        from coursekit.authoring import to_text
        from coursekit.notebooks import read
        sys.stdout.write(to_text(read(master_path(args.assignment))))
        return 0
    if args.command == "from-text":
        from coursekit.authoring import from_text
        from coursekit.notebooks import write
        folder = ROOT / "source" / args.assignment
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / args.name if args.name else master_path(args.assignment)
        write(from_text(args.text.read_text()), path)
        print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if args.command == "grade":
        from coursekit import classgrade, intake, sandbox  # (coursekit puts this venv's scripts first on PATH)
        try:  # bad arguments: one line, exit status 2, nothing written
            intake.check_arguments(args.assignment, args.course, args.submissions, args.workers)
            limits = sandbox.Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                                    cpu_seconds=args.cpu_seconds, memory_bytes=int(args.memory_gib * (1 << 30)),
                                    max_processes=args.max_processes,
                                    max_file_bytes=int(args.max_file_mib * (1 << 20)))
            if not args.no_sandbox:
                active = sandbox.protections()
                print("sandbox: " + ", ".join(f"{k} on" if v else f"{k} OFF ({active['reasons'].get(k, '?')})"
                                             for k, v in active.items() if k != "reasons"), file=sys.stderr)
            rows = classgrade.grade_class(args.assignment, args.course, args.submissions, args.workers,
                                          args.scheduler, args.db_url, args.run_all, limits, not args.no_sandbox,
                                          args.csv)
        except intake.UsageError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        classgrade.print_table(rows)
        return 0
    if args.command == "demo":
        from coursekit.demo import run_demo
        return run_demo(args.out)

    ids = args.assignments or assignments()
    for assignment in ids:
        if args.command in ("fmt", "build"):
            from coursekit.notebooks import normalize, read, write
            write(normalize(read(master_path(assignment))), master_path(assignment))
        if args.command in ("fixtures", "build"):
            from coursekit.fixtures import write as write_fixtures
            print(f"wrote {write_fixtures(assignment).relative_to(ROOT)}")
        if args.command in ("release", "build"):
            from coursekit.release import release_students
            print(f"wrote {release_students(assignment).relative_to(ROOT)}")
        if args.command == "solutions":
            from coursekit.release import release_solutions
            print(f"wrote {release_solutions(assignment, ROOT / 'build' / 'solutions').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
