"""``python -m exercises list | start NAME | check NAME | check --all``.

Exit status: 0 when the command did what was asked (for ``check``: every check passed),
1 when a check failed or an exercise is not started, 2 for a usage error.
"""
import argparse
import sys
import time

import exercises

USAGE = __doc__.splitlines()[0]


def _folder(args):
    return exercises.exercise_dir() if args.dir is None else args.dir


def cmd_list(args):
    folder = _folder(args)
    print(f"exercises, in lecture order (your files: {folder}/NAME.py)")
    for i, (name, ex) in enumerate(exercises.EXERCISES.items(), 1):
        status = exercises.grade_file(name, folder / f"{name}.py").status
        print(f"  {i:2d}. {name:16s} {status:12s} {ex.title}")
    return 0


def cmd_start(args):
    path, new = exercises.start(args.name, _folder(args))
    if new:
        print(f"wrote {path}: fill in each NotImplementedError, then run "
              f"`python -m exercises check {args.name}`")
        return 0
    print(f"{path} already exists: left as it is (start never overwrites). Delete or rename it "
          f"to start afresh.")
    return 0


def cmd_check(args):
    folder = _folder(args)
    if args.all:
        return _check_all(folder, args.reference)
    if args.name is None:
        print("check needs an exercise name or --all", file=sys.stderr)
        return 2
    if args.reference:
        from exercises.solutions import SOLUTIONS
        report = exercises.grade(args.name, SOLUTIONS[args.name])
    else:
        report = exercises.grade_file(args.name, folder / f"{args.name}.py")
    print(report.text())
    return 0 if report.passed else 1


def _check_all(folder, reference):
    from exercises.solutions import SOLUTIONS
    rows, start = [], time.perf_counter()
    for name in exercises.EXERCISES:
        t = time.perf_counter()
        report = (exercises.grade(name, SOLUTIONS[name]) if reference
                  else exercises.grade_file(name, folder / f"{name}.py"))
        n_pass = sum(o.passed for o in report.outcomes)
        rows.append((name, report.status, f"{n_pass}/{len(report.outcomes)}",
                     time.perf_counter() - t))
    what = "the library's solutions" if reference else f"your files in {folder}"
    print(f"progress ({what}):")
    print(f"  {'exercise':16s} {'status':12s} {'checks':>7s} {'time':>7s}")
    for name, status, checks, seconds in rows:
        print(f"  {name:16s} {status:12s} {checks:>7s} {seconds:6.2f}s")
    done = sum(r[1] == "done" for r in rows)
    print(f"{done} of {len(rows)} done in {time.perf_counter() - start:.1f} s")
    return 0 if done == len(rows) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m exercises", description=USAGE)
    parser.add_argument("--dir", type=__import__("pathlib").Path, default=None,
                        help="your exercise folder (default $MINIDL_EXERCISES or ./my_exercises)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the exercises in lecture order, with your status")
    p = sub.add_parser("start", help="write the skeleton NAME.py (never overwrites)")
    p.add_argument("name", choices=list(exercises.EXERCISES))
    p = sub.add_parser("check", help="grade your NAME.py (or --all)")
    p.add_argument("name", nargs="?", choices=list(exercises.EXERCISES))
    p.add_argument("--all", action="store_true", help="grade every exercise: a progress table")
    p.add_argument("--reference", action="store_true",
                   help="grade the library's own code (the solutions) instead of your files")
    args = parser.parse_args(argv)
    return {"list": cmd_list, "start": cmd_start, "check": cmd_check}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
