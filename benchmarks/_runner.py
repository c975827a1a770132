"""The benchmark runner: discover ``bench_*.py`` modules, run each side, report.

Every side runs in its own fresh subprocess (``python -m benchmarks._side``) with a
timeout; sides are interleaved across repeats (A B A B ...) so slow drift of a
shared machine hits all of them alike, and the median over repeats is reported.
"""
import argparse
import datetime
import importlib
import importlib.util
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

from benchmarks._side import MARKER
from benchmarks.papers.common import machine

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
REQUIRED = ("name", "sides", "baseline")


# --- discovery ---------------------------------------------------------------------
def discover(directory=HERE, package="benchmarks"):
    """All BENCHMARKS entries of ``<directory>/bench_*.py``, in file order.

    ``package`` is the dotted package the files belong to ("" for top-level modules).
    """
    found = []
    for path in sorted(pathlib.Path(directory).glob("bench_*.py")):
        module_name = f"{package}.{path.stem}" if package else path.stem
        module = _load(module_name, path)
        for i, bench in enumerate(getattr(module, "BENCHMARKS", [])):
            _validate(bench, f"{module_name}.BENCHMARKS[{i}]")
            found.append(dict(bench, module=module_name))
    return found


def _load(module_name, path):
    """Execute the file afresh (not the cached module): it is read for its BENCHMARKS only."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _validate(bench, where):
    missing = [k for k in REQUIRED if k not in bench]
    if missing:
        raise ValueError(f"{where} lacks {missing}: each benchmark is dict(name=..., "
                         f"description=..., sides={{side: 'module:function'}}, baseline=..., "
                         f"target=...)")
    if bench["baseline"] is not None and bench["baseline"] not in bench["sides"]:
        raise ValueError(f"{where}: baseline {bench['baseline']!r} is not one of its sides "
                         f"{sorted(bench['sides'])}")


def select(benchmarks, only):
    """Keep the benchmarks named in ``only`` (all when empty); unknown names are an error."""
    if not only:
        return benchmarks
    names = {b["name"] for b in benchmarks}
    unknown = sorted(set(only) - names)
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; available: {sorted(names)}")
    return [b for b in benchmarks if b["name"] in only]


# --- running one side --------------------------------------------------------------
def run_side(target, *, quick, timeout, env=None):
    """Run ``module:function`` in a fresh interpreter; return a status dict.

    ``{"status": "ok", "seconds": s, ...}``, ``{"status": "skipped", "reason": ...}``,
    ``{"status": "failed", "reason": <last stderr lines>}`` or ``{"status": "timeout"}``.
    """
    cmd = [sys.executable, "-m", "benchmarks._side", target] + (["--quick"] if quick else [])
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "reason": f"no result within {timeout:g} s"}
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        return {"status": "failed", "reason": f"exit {proc.returncode}: {tail}"}
    result = json.loads(lines[-1][len(MARKER):])
    if "skipped" in result:
        return {"status": "skipped", "reason": result["skipped"]}
    return dict(result, status="ok", process_seconds=wall)


def _side_env(extra_path, threads):
    env = dict(os.environ)
    paths = [str(ROOT)] + ([str(extra_path)] if extra_path else [])
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    if threads:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
    return env


def _combine(runs):
    """Median seconds (and other numbers) over the repeats of one side."""
    ok = [r for r in runs if r["status"] == "ok"]
    if not ok:
        return dict(runs[-1], repeats=len(runs))
    out = {"status": "ok", "repeats": len(ok), "all_seconds": [r["seconds"] for r in ok]}
    for key in ok[0]:
        values = [r.get(key) for r in ok]
        if key != "status" and all(isinstance(v, (int, float)) for v in values):
            out[key] = statistics.median(values)
    return out


def run_benchmark(bench, *, quick, repeat, timeout, env):
    """All sides of one benchmark, interleaved over ``repeat`` rounds; ratios and verdict."""
    runs = {side: [] for side in bench["sides"]}
    for _ in range(repeat):
        for side, target in bench["sides"].items():
            if runs[side] and runs[side][-1]["status"] in ("skipped", "failed"):
                continue  # no point retrying a side that cannot run
            runs[side].append(run_side(target, quick=quick, timeout=timeout, env=env))
    sides = {side: _combine(r) for side, r in runs.items()}
    record = {k: bench.get(k) for k in ("name", "description", "baseline", "target", "module")}
    record.update(sides=sides, ratios=_ratios(sides, bench["baseline"]))
    ratio = record["ratios"].get("minidl")
    target = bench.get("target")
    record["passed"] = None if ratio is None or target is None else ratio <= target
    return record


def _ratios(sides, baseline):
    base = sides.get(baseline, {})
    if base.get("status") != "ok" or not base.get("seconds"):
        return {}
    return {side: s["seconds"] / base["seconds"] for side, s in sides.items()
            if side != baseline and s.get("status") == "ok"}


# --- reporting -----------------------------------------------------------------------
def _cell(side):
    if side["status"] == "ok":
        return f"{side['seconds']:.4f}s"
    return side["status"]


def table(records):
    """A plain-text table: name, each side's seconds, ratio minidl/baseline, target, verdict."""
    rows = [("benchmark", "sides (seconds)", "minidl/baseline", "target", "result")]
    for r in records:
        cells = "  ".join(f"{side}={_cell(s)}" for side, s in r["sides"].items())
        ratio = r["ratios"].get("minidl")
        verdict = {True: "pass", False: "FAIL", None: "-"}[r["passed"]]
        rows.append((r["name"], cells,
                     "-" if ratio is None else f"{ratio:.2f}x vs {r['baseline']}",
                     "-" if r["target"] is None else f"<= {r['target']:g}x", verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    for r in records:
        for side, s in r["sides"].items():
            if s["status"] != "ok":
                lines.append(f"  {r['name']}/{side}: {s['status']}: {s.get('reason', '')}")
    return "\n".join(lines)


def _meta(args):
    return {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "quick": args.quick, "repeat": args.repeat, "threads": args.threads,
            "only": args.only or None,
            "python": platform.python_version(), "platform": platform.platform(),
            "machine": platform.machine(), "cpu_count": os.cpu_count(),
            "machine_info": machine()}


def _default_out():
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return str(HERE / "results" / f"bench-{stamp}.json")


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks",
                                description="Run minidl's speed benchmarks against PyTorch.")
    p.add_argument("--quick", action="store_true", help="small settings (~20 s per side)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    p.add_argument("--out", metavar="FILE.json", help="results file "
                   "(default benchmarks/results/bench-<time>.json)")
    p.add_argument("--repeat", type=int, default=1, help="fresh runs per side; median reported")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per side run")
    p.add_argument("--threads", type=int, default=None,
                   help="set OMP/OpenBLAS/MKL thread counts for every side (default: untouched)")
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    p.add_argument("--from-dir", help=argparse.SUPPRESS)  # tests: bench_*.py outside the package
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error(f"--repeat must be at least 1, got {args.repeat}")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--papers" in argv:      # the papers table: benchmarks/papers/runner.py
        from benchmarks.papers.runner import main as papers_main
        return papers_main(argv)
    if "--render" in argv:      # README tables from the JSON: benchmarks/papers/render.py
        from benchmarks.papers.render import main as render_main
        return render_main(argv)
    args = parse_args(argv)
    if args.from_dir:
        benchmarks = discover(args.from_dir, package="")
    else:
        benchmarks = discover()
    benchmarks = select(benchmarks, args.only)
    if args.list:
        for b in benchmarks:
            print(f"{b['name']:24s} {b.get('description', '')}")
        return 0
    env = _side_env(args.from_dir, args.threads)
    records = []
    for b in benchmarks:
        print(f"running {b['name']} ({', '.join(b['sides'])}) ...", flush=True)
        records.append(run_benchmark(b, quick=args.quick, repeat=args.repeat,
                                     timeout=args.timeout, env=env))
    out = args.out or _default_out()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"meta": _meta(args), "benchmarks": records}, f, indent=2)
    print(table(records))
    print(f"results written to {out}")
    broken = any(s["status"] in ("failed", "timeout") for r in records for s in r["sides"].values())
    return 1 if broken else 0
