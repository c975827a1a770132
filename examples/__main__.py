"""Run the examples gallery: every example, its claims, its figures, and an index page.

    python -m examples                      # quick settings, all examples, into gallery/
    python -m examples --full               # paper-scale settings (full MNIST when present)
    python -m examples --only kmeans_pca datasets_overview --out /tmp/gallery
    python -m examples --list
    python -m examples --full --only dbn_samples --record   # kept in examples/full_runs.json
    python -m examples --seed 3             # every example at seed 3 (default: 0)

Each example writes its figures into ``DIR/<name>/``. With ``--jobs 1`` the examples
run in this process one after another; with more (the default is one per CPU core),
each runs in a fresh worker process whose BLAS is limited to one thread, and its
console output is printed in one piece when it ends.

Every example states its lesson as measured claims ("the denoising AE restores noisy
digits better than a plain AE: 16.3 dB > 14.4 dB"), checked as it runs (see
:meth:`examples._common.Result.claim`), and prints its metrics (``result.report()``).
The gallery prints each example's claims, and writes

* ``DIR/index.md`` and ``DIR/index.html``: title, claims with ✓/✗, measured numbers,
  figures with captions, wall and CPU time of each example;
* ``DIR/results.json``: the same, machine-readable (the test suite reads it).

The exit status is 1 when an example raised, when one of its claims failed, or when
it states no claim at all (an example without a measured lesson proves nothing);
the others still run.
"""
import argparse
import concurrent.futures
import html
import importlib
import json
import multiprocessing
import os
import sys
import time

from examples import names as example_names
from examples._worker import _fmt, _run_quietly, _worker_init, run_one

FULL_RUNS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "full_runs.json")
QUICK_BUDGET_S = 15.0  # CPU seconds per example at most; 40 x 15 s on 2 cores = 5 minutes


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m examples", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="quick settings (the default)")
    mode.add_argument("--full", action="store_true", help="paper-scale settings")
    parser.add_argument("--out", default="gallery", help="output folder (default gallery/)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these examples")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default=None,
                        help="array backend passed to every example")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed passed to every example (default: each example's own, 0); "
                             "a lesson must hold at any seed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="examples run at once in worker processes (default: one per "
                             "CPU core; 1 runs them in this process)")
    parser.add_argument("--list", action="store_true", help="list the examples and exit")
    parser.add_argument("--record", action="store_true",
                        help="with --full: add the runs' claims, time and machine to "
                             "examples/full_runs.json (shown in every index)")
    args = parser.parse_args(argv)
    if args.record and not args.full:
        parser.error("--record keeps --full runs only; add --full")
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    available = example_names()
    unknown = sorted(set(args.only or ()) - set(available))
    if unknown:
        parser.error(f"unknown example(s) {', '.join(unknown)}; available: "
                     f"{', '.join(available)}")
    args.names = [n for n in available if n in args.only] if args.only else available
    return args


def run_all(names, out, *, full, backend, jobs, on_done, seed=None):
    """Run every example (``jobs`` at a time); calls ``on_done(record)`` as each ends.

    Returns the records in the order of ``names``.
    """
    if jobs == 1 or len(names) == 1:
        records = []
        for name in names:
            print(f"{name} ...", flush=True)
            records.append(run_one(name, out, full=full, backend=backend, seed=seed))
            on_done(records[-1])
        return records
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: BLAS reads the env
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context,
                                                initializer=_worker_init) as pool:
        futures = {pool.submit(_run_quietly, n, out, full, backend, seed): n for n in names}
        by_name = {}
        for future in concurrent.futures.as_completed(futures):
            try:
                record = future.result()
            except Exception as err:  # the worker died (out of memory, a crash in C code)
                name = futures[future]
                record = {"name": name, "title": name, "figures": [], "metrics": {},
                          "claims": [], "notes": "", "folder": os.path.join(out, name),
                          "error": f"the worker process running it failed: {err!r}",
                          "seconds": 0.0, "cpu_seconds": 0.0, "status": "FAILED",
                          "unprinted": [], "output": ""}
            print(record["output"], end="", flush=True)
            by_name[record["name"]] = record
            on_done(record)
    return [by_name[n] for n in names]


def _claim_counts(r):
    return f"{sum(c['passed'] for c in r['claims'])}/{len(r['claims'])}"


def load_full_runs(path=FULL_RUNS):
    """The record of ``--full`` runs measured so far: a list of dicts with ``name``,
    ``date``, ``machine``, ``seconds``, ``dataset`` and ``claims`` (each ``line`` and
    ``passed``), as ``results.json`` gives them. An absent file is an empty record."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def full_runs_md(runs):
    """The index's section on the ``--full`` runs on record, newest first."""
    lines = ["", "## `--full` runs on record", "",
             "Measured runs of `python -m examples.<name> --full` on full MNIST (one BLAS "
             "thread), from `examples/full_runs.json`; examples not listed have no `--full` "
             "run on record.", "",
             "| example | date | machine | time (min) | claims held | claims |",
             "|---|---|---|---|---|---|"]
    for r in sorted(runs, key=lambda r: r["date"], reverse=True):
        held = f"{sum(c['passed'] for c in r['claims'])}/{len(r['claims'])}"
        claims = "<br>".join(c["line"] for c in r["claims"])
        if r.get("note"):
            claims += f"<br>({r['note']})"
        lines.append(f"| {r['name']} | {r['date']} | {r['machine']} | {r['seconds'] / 60:.1f} "
                     f"| {held} | {claims} |")
    return lines


def record_full_runs(records, path=FULL_RUNS):
    """Add the finished ``--full`` records to the record at ``path`` (written atomically),
    replacing an earlier run of the same example. Returns the new record."""
    import datetime
    import platform
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()}"
    runs = {r["name"]: r for r in load_full_runs(path)}
    for r in records:
        if r["error"] is None and r["claims"]:
            runs[r["name"]] = dict(
                name=r["name"], date=datetime.datetime.now(datetime.timezone.utc).strftime(
                    "%Y-%m-%d %H:%M UTC"), machine=machine, seconds=round(r["seconds"], 1),
                claims=[dict(line=c["line"], passed=c["passed"]) for c in r["claims"]])
    new = sorted(runs.values(), key=lambda r: r["name"])
    _write(path, json.dumps(new, indent=1, ensure_ascii=False) + "\n")
    return new


def write_index_md(records, out, *, mode, total, full_runs=None):
    n_ok = sum(r["status"] == "ok" for r in records)
    lines = [f"# minidl examples gallery ({mode})", "",
             f"{len(records)} examples, {n_ok} ok (ran and every claim held), "
             f"total {total:.1f} s.", "",
             "| example | status | claims held | time (s) | CPU (s) | figures |",
             "|---|---|---|---|---|---|"]
    for r in records:
        status = r["status"] if r["status"] == "ok" else f"**{r['status']}**"
        lines.append(f"| [{r['title']}](#{r['name']}) | {status} | {_claim_counts(r)} "
                     f"| {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {len(r['figures'])} |")
    for r in records:
        lines += ["", f"<a id=\"{r['name']}\"></a>", f"## {r['title']}", "",
                  f"`python -m examples.{r['name']}` — {r['seconds']:.1f} s", ""]
        if r["claims"]:
            lines += ["**Claims**", ""] + [f"- {c['line']}" for c in r["claims"]] + [""]
        elif r["error"] is None:
            lines += ["**No claim: this example states no measured lesson.**", ""]
        if r["notes"]:
            lines += [r["notes"], ""]
        if r["metrics"]:
            lines += ["| metric | value |", "|---|---|"]
            lines += [f"| {k} | {_fmt(v)} |" for k, v in r["metrics"].items()] + [""]
        for path, caption in r["figures"]:
            lines += [f"![{caption}]({path.replace(os.sep, '/')})", "", f"*{caption}*", ""]
        if r["error"]:
            lines += ["```", r["error"].rstrip(), "```", ""]
    runs = load_full_runs() if full_runs is None else full_runs
    if runs:
        lines += full_runs_md(runs)
    return _write(os.path.join(out, "index.md"), "\n".join(lines) + "\n")


def write_index_html(records, out, *, mode, total):
    esc = html.escape
    parts = [f"<!doctype html><meta charset='utf-8'><title>minidl gallery</title>"
             f"<h1>minidl examples gallery ({esc(mode)})</h1><p>total {total:.1f} s</p>"]
    for r in records:
        parts.append(f"<h2 id='{esc(r['name'])}'>{esc(r['title'])}</h2>"
                     f"<p><code>python -m examples.{esc(r['name'])}</code> — "
                     f"{esc(r['status'])}, {r['seconds']:.1f} s</p>")
        if r["claims"]:
            items = "".join(f"<li style='color:{'green' if c['passed'] else 'red'}'>"
                            f"{esc(c['line'])}</li>" for c in r["claims"])
            parts.append(f"<ul>{items}</ul>")
        if r["metrics"]:
            rows = "".join(f"<tr><td>{esc(str(k))}</td><td>{esc(_fmt(v))}</td></tr>"
                           for k, v in r["metrics"].items())
            parts.append(f"<table border='1'>{rows}</table>")
        for path, caption in r["figures"]:
            src = esc(path.replace(os.sep, "/"))
            parts.append(f"<figure><img src='{src}' style='max-width:100%'>"
                         f"<figcaption>{esc(caption)}</figcaption></figure>")
        if r["error"]:
            parts.append(f"<pre>{esc(r['error'])}</pre>")
    return _write(os.path.join(out, "index.html"), "\n".join(parts) + "\n")


def write_json(records, out, *, mode, total, seed=None):
    """``results.json``: mode, total seconds and every record (metrics as strings if odd)."""
    def plain(v):
        return v if isinstance(v, (int, float, str, bool)) or v is None else str(v)
    data = {"mode": mode, "seed": seed, "seconds": total,
            "examples": [dict(r, metrics={str(k): plain(v) for k, v in r["metrics"].items()})
                         for r in records]}
    return _write(os.path.join(out, "results.json"), json.dumps(data, indent=1) + "\n")


def _write(path, text):
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return path


def _summary_line(i, n, r, mode):
    """``[i/n] name: status, claims held, seconds, figures``."""
    slow = (f" (over the quick budget of {QUICK_BUDGET_S:g} s CPU)"
            if mode == "quick" and r["cpu_seconds"] > QUICK_BUDGET_S else "")
    if r["status"] == "FAILED":
        return f"[{i}/{n}] {r['name']}: FAILED after {r['seconds']:.1f} s"
    return (f"[{i}/{n}] {r['name']}: {r['status']}, claims {_claim_counts(r)} held, "
            f"{r['seconds']:.1f} s ({r['cpu_seconds']:.1f} s CPU), {len(r['figures'])} "
            f"figures{slow}")


def main(argv=None):
    """Run the gallery; returns the exit status (0 when every example ran and proved its
    claims)."""
    args = parse_args(argv)
    if args.list:
        for name in args.names:
            title = getattr(importlib.import_module(f"examples.{name}"), "TITLE", "")
            print(f"{name:28s} {title}")
        return 0
    mode = "full" if args.full else "quick"
    os.makedirs(args.out, exist_ok=True)
    jobs = min(args.jobs, len(args.names))
    print(f"minidl gallery ({mode}): {len(args.names)} examples into {args.out}/, "
          f"{jobs} at a time", flush=True)
    done, start = [], time.perf_counter()

    def on_done(r):
        done.append(r)
        if r["error"] is not None:
            print(r["error"], file=sys.stderr)
        print(_summary_line(len(done), len(args.names), r, mode), flush=True)

    records = run_all(args.names, args.out, full=args.full, backend=args.backend, jobs=jobs,
                      on_done=on_done, seed=args.seed)
    total = time.perf_counter() - start
    if args.record:
        record_full_runs(records)
    index = write_index_md(records, args.out, mode=mode, total=total)
    write_index_html(records, args.out, mode=mode, total=total)
    write_json(records, args.out, mode=mode, total=total, seed=args.seed)
    bad = [f"{r['name']} ({r['status']})" for r in records if r["status"] != "ok"]
    print(f"done in {total:.1f} s: {len(records) - len(bad)} ok, {len(bad)} not ok"
          + (f": {', '.join(bad)}" if bad else "") + f"; index: {index}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
