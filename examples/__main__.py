"""Run the examples gallery: every example, its figures, and an index page.

    python -m examples                      # quick settings, all examples, into gallery/
    python -m examples --full               # paper-scale settings (full MNIST when present)
    python -m examples --only kmeans_pca datasets_overview --out /tmp/gallery
    python -m examples --list

Each example runs in this process, one after another, writing its figures into
``DIR/<name>/``. A failing example is reported (with its traceback, in the index
too) and the others still run; the exit status is 1 if any failed. The index,
``DIR/index.md`` (and ``DIR/index.html``), lists each example's title, figures with
captions, measured numbers and wall time.
"""
import argparse
import html
import importlib
import os
import sys
import time
import traceback

from examples import names as example_names

QUICK_BUDGET_S = 12.0  # per example, so that ~20 examples fit in 5 minutes on 2 cores


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
    parser.add_argument("--list", action="store_true", help="list the examples and exit")
    args = parser.parse_args(argv)
    available = example_names()
    unknown = sorted(set(args.only or ()) - set(available))
    if unknown:
        parser.error(f"unknown example(s) {', '.join(unknown)}; available: "
                     f"{', '.join(available)}")
    args.names = [n for n in available if n in args.only] if args.only else available
    return args


def run_one(name, out, *, full=False, backend=None):
    """Run ``examples.<name>``; a dict with status, seconds, title, figures, metrics."""
    record = {"name": name, "title": name, "figures": [], "metrics": {}, "notes": "",
              "error": None, "folder": os.path.join(out, name)}
    argv = ["--out", record["folder"]] + (["--full"] if full else [])
    if backend:
        argv += ["--backend", backend]
    start = time.perf_counter()
    try:
        module = importlib.import_module(f"examples.{name}")
        record["title"] = getattr(module, "TITLE", name)
        result = module.main(argv)
        record["figures"] = [(os.path.relpath(p, out), c) for p, c in result.figures]
        record["metrics"] = dict(result.metrics)
        record["notes"] = result.notes
    except BaseException as err:  # noqa: B036  SystemExit from argparse counts as a failure
        if isinstance(err, KeyboardInterrupt):
            raise
        record["error"] = traceback.format_exc()
    record["seconds"] = time.perf_counter() - start
    return record


def _fmt(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def write_index_md(records, out, *, mode, total):
    lines = [f"# minidl examples gallery ({mode})", "",
             f"{len(records)} examples, {sum(r['error'] is None for r in records)} ok, "
             f"total {total:.1f} s.", "",
             "| example | status | time (s) | figures |", "|---|---|---|---|"]
    for r in records:
        status = "ok" if r["error"] is None else "**FAILED**"
        lines.append(f"| [{r['title']}](#{r['name']}) | {status} | {r['seconds']:.1f} "
                     f"| {len(r['figures'])} |")
    for r in records:
        lines += ["", f"<a id=\"{r['name']}\"></a>", f"## {r['title']}", "",
                  f"`python -m examples.{r['name']}` — {r['seconds']:.1f} s", ""]
        if r["notes"]:
            lines += [r["notes"], ""]
        if r["metrics"]:
            lines += ["| metric | value |", "|---|---|"]
            lines += [f"| {k} | {_fmt(v)} |" for k, v in r["metrics"].items()] + [""]
        for path, caption in r["figures"]:
            lines += [f"![{caption}]({path.replace(os.sep, '/')})", "", f"*{caption}*", ""]
        if r["error"]:
            lines += ["```", r["error"].rstrip(), "```", ""]
    return _write(os.path.join(out, "index.md"), "\n".join(lines) + "\n")


def write_index_html(records, out, *, mode, total):
    esc = html.escape
    parts = [f"<!doctype html><meta charset='utf-8'><title>minidl gallery</title>"
             f"<h1>minidl examples gallery ({esc(mode)})</h1><p>total {total:.1f} s</p>"]
    for r in records:
        status = "ok" if r["error"] is None else "FAILED"
        parts.append(f"<h2 id='{esc(r['name'])}'>{esc(r['title'])}</h2>"
                     f"<p><code>python -m examples.{esc(r['name'])}</code> — {status}, "
                     f"{r['seconds']:.1f} s</p>")
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


def _write(path, text):
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return path


def main(argv=None):
    """Run the gallery; returns the exit status (0 when every example succeeded)."""
    args = parse_args(argv)
    if args.list:
        for name in args.names:
            title = getattr(importlib.import_module(f"examples.{name}"), "TITLE", "")
            print(f"{name:28s} {title}")
        return 0
    mode = "full" if args.full else "quick"
    os.makedirs(args.out, exist_ok=True)
    print(f"minidl gallery ({mode}): {len(args.names)} examples into {args.out}/", flush=True)
    records, start = [], time.perf_counter()
    for i, name in enumerate(args.names, 1):
        print(f"[{i}/{len(args.names)}] {name} ...", flush=True)
        r = run_one(name, args.out, full=args.full, backend=args.backend)
        records.append(r)
        slow = (" (over the quick budget of 12 s)"
                if mode == "quick" and r["seconds"] > QUICK_BUDGET_S else "")
        if r["error"] is None:
            print(f"[{i}/{len(args.names)}] {name}: ok, {r['seconds']:.1f} s, "
                  f"{len(r['figures'])} figures{slow}", flush=True)
        else:
            print(r["error"], file=sys.stderr)
            print(f"[{i}/{len(args.names)}] {name}: FAILED after {r['seconds']:.1f} s",
                  flush=True)
    total = time.perf_counter() - start
    index = write_index_md(records, args.out, mode=mode, total=total)
    write_index_html(records, args.out, mode=mode, total=total)
    failed = [r["name"] for r in records if r["error"] is not None]
    print(f"done in {total:.1f} s: {len(records) - len(failed)} ok, {len(failed)} failed"
          + (f" ({', '.join(failed)})" if failed else "") + f"; index: {index}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
