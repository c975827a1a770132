"""Generate the README's "Reproducing the papers" and speed tables from result JSON.

    python -m benchmarks --render [--results DIR] [--speed bench-<time>.json] [--readme README.md]

The README holds each generated block between two markers,
``<!-- papers-table:begin -->`` / ``<!-- papers-table:end -->`` and
``<!-- speed-table:begin -->`` / ``<!-- speed-table:end -->``; only the text between them
is replaced, so nothing in those blocks is ever typed by hand. A row without a result
file keeps the lines an earlier render wrote for it, and the heading names it as kept
(result JSON is not committed, so a render on another machine would otherwise erase
rows it did not run); with ``--fresh``, or with no earlier lines, it says "not run". A
row run in part (``--papers --set``, e.g. the k-sparse sweep's k run as lanes) replaces
the lines of the figures it ran and keeps the others, and its recipe joins the earlier
ones. A row whose run failed says so with the error.
"""
import argparse
import json
import pathlib
import re

from benchmarks.papers import common
from benchmarks.papers.verdict import describe

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MARKERS = {"papers": ("<!-- papers-table:begin -->", "<!-- papers-table:end -->"),
           "speed": ("<!-- speed-table:begin -->", "<!-- speed-table:end -->")}
HEADER = ["| # | experiment | paper | minidl | PyTorch | time | result |",
          "|---|---|---|---|---|---|---|"]


def _num(x):
    if x is None:
        return "—"
    return f"{x:.4g}" if abs(x) < 1000 else f"{x:,.0f}"


def _value(r):
    """minidl's figure; a sandwiched one (``lower``: the pessimistic bound) as "A to B"."""
    if r.get("lower") is not None:
        return f"{_num(r['lower'])} to {_num(r['minidl'])}"
    return _num(r["minidl"])


def duration(seconds):
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def parse_duration(cell):
    """Seconds from a time cell :func:`duration` wrote ("59 s", "7 min", "4.2 h"); None for
    "—", "″" or anything else."""
    m = re.fullmatch(r"\s*([\d.,]+) (s|min|h)\s*", cell)
    if not m:
        return None
    return float(m.group(1).replace(",", "")) * {"s": 1, "min": 60, "h": 3600}[m.group(2)]


def kept_seconds(lines):
    """The time kept lines give: the sum of their time cells (the second-last cell), which a
    row's first line holds, or the first line of each part of a row run in parts."""
    times = [parse_duration(ln.rstrip().rstrip("|").split("|")[-2]) for ln in lines]
    return sum(t for t in times if t is not None)


def _figure(line):
    """A table line's experiment cell: what identifies one figure of a row."""
    return line.split("|")[2].strip()


def merge_part(old_lines, new_lines):
    """The lines of a row run in part: a new line replaces the old one of the same figure in
    place, the other new lines follow; returns (lines, the old lines kept)."""
    new = {_figure(ln): ln for ln in new_lines}
    kept = [ln for ln in old_lines if _figure(ln) not in new]
    merged = [new.pop(_figure(ln), ln) for ln in old_lines]
    return merged + [ln for ln in new_lines if _figure(ln) in new], kept


def overrides_text(rec):
    """``--set`` as the run was given it: "ks=10,70"."""
    return " ".join(f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
                    for k, v in rec.get("overrides", {}).items())


def table_lines(records):
    """Markdown table lines (header included) for row records, one line per figure."""
    lines = list(HEADER)
    for rec in records:
        n = rec["row"]
        if rec.get("status") == "not run":
            lines.append(f"| {n} | {rec['title']} | | not run | | | not run |")
            continue
        if rec.get("status") != "ok":
            lines.append(f"| {n} | {rec['title']} | | run failed: {rec.get('error', '?')} "
                         f"| | {duration(rec.get('wall_seconds'))} | failed |")
            continue
        for i, r in enumerate(rec["results"]):
            paper = _num(r["paper"]) + (" (recalled)" if r["paper_recalled"] and
                                        r["paper"] is not None else "")
            time_cell = duration(rec["wall_seconds"]) if i == 0 else "″"
            scale = "" if rec["scale"] == "full" else f" [{rec['scale']}: {rec['dataset']}]"
            lines.append(f"| {n} | {r['label']}: {r['metric']}{scale} | {paper} | "
                         f"{_value(r)} | {_num(r['pytorch'])} | {time_cell} | "
                         f"{describe(r)} |")
    return lines


def load_records(results_dir, rows=None):
    """The record of each row (default: all, in table order) from ``papers-<row>.json``, or a
    "not run" stub."""
    from benchmarks.papers.runner import ROWS, TITLES
    out = []
    rows = ROWS if rows is None else rows
    for n in rows:
        path = pathlib.Path(results_dir) / f"papers-{n}.json"
        if path.exists():
            out.append(json.loads(path.read_text()))
        else:
            out.append({"row": n, "title": TITLES[n], "status": "not run"})
    return out


def previous_rows(block):
    """What an earlier render wrote, per row: {"lines": {row: [table lines]}, "bullets":
    {row: [recipe lines]}, "machine": the machine of the rows it ran, "kept_machine" and
    "kept_rows": the machine and the rows it had itself kept, "diagnosis": [lines]}.

    ``block`` is the text between the papers markers. A row whose JSON is not in the results
    folder (run on another machine, its JSON not committed) keeps these lines, so a render
    after one new row does not turn the others into "not run".
    """
    out = {"lines": {}, "bullets": {}, "machine": None, "kept_machine": None,
           "kept_rows": [], "diagnosis": []}
    in_diagnosis = False
    for line in (block or "").splitlines():
        bullet = re.match(r"- \*\*Row (\w+)\*\*", line)
        if line.startswith("Row 6 diagnosis"):
            in_diagnosis = True
        if in_diagnosis:
            out["diagnosis"].append(line)
        elif line.startswith("| ") and not line.startswith("| #"):
            out["lines"].setdefault(line.split("|")[1].strip(), []).append(line)
        elif bullet:
            out["bullets"].setdefault(bullet.group(1), []).append(line)
        elif line.startswith("Machine: "):
            machine = line[len("Machine: "):].split(". Times are")[0]
            out["machine"] = None if machine == "—" else machine       # it ran no row
            kept = re.search(r" Kept rows: (.*)\.$", line)
            out["kept_machine"] = kept.group(1) if kept else None
        elif line.startswith("Generated by"):
            kept = re.search(r"; rows? ([\w, ]+) kept as an earlier render", line)
            out["kept_rows"] = kept.group(1).split(", ") if kept else []
    return out


def _kept_machines(kept, old):
    """The machine sentence of the rows kept now: each keeps the machine it was run on (the
    earlier render's kept rows the machine its "Kept rows" sentence gave them, in groups
    "M (rows 1, 2); N (row 5)" where it named several; the rows it ran its own machine)."""
    earlier = {}
    for group in (old["kept_machine"] or "").split("; "):
        m = re.fullmatch(r"(.*) \(rows? ([\w, ]+)\)", group)
        for r in (m.group(2).split(", ") if m else old["kept_rows"]):
            earlier[r] = m.group(1) if m else group
    groups = {}                                       # machine -> its rows, in table order
    for r in kept:
        m = earlier.get(r) if r in old["kept_rows"] else old["machine"]
        if m:
            groups.setdefault(m, []).append(r)
    return "; ".join(m if len(groups) == 1 else
                     f"{m} (row{'s' if len(rs) > 1 else ''} {', '.join(rs)})"
                     for m, rs in groups.items())


def papers_section(results_dir, previous=None):
    """The generated block: the table, the machines, then each row's recipe and sources.

    ``previous``: the block an earlier render wrote (see :func:`previous_rows`); rows with
    no JSON here keep its lines and are named as kept; a row run in part (its record has
    ``"overrides"``) keeps the lines of the figures it did not run (:func:`merge_part`).
    """
    records = load_records(results_dir)
    old = previous_rows(previous)
    kept = [str(r["row"]) for r in records
            if r.get("status") == "not run" and str(r["row"]) in old["lines"]]
    ran = [r for r in records if r.get("status") == "ok"]
    part = {str(r["row"]): merge_part(old["lines"][str(r["row"])], table_lines([r])[2:])
            for r in ran if r.get("overrides") and str(r["row"]) in old["lines"]}
    rows_on = {}                                     # machine description -> its rows
    for r in ran:
        rows_on.setdefault(common.describe_machine(r["machine"]), []).append(str(r["row"]))
    machines = [m if len(rows_on) == 1 else f"{m} (row{'s' if len(rs) > 1 else ''} "
                f"{', '.join(rs)})" for m, rs in sorted(rows_on.items())]
    total = sum(r["wall_seconds"] for r in ran)
    kept_total = (sum(kept_seconds(old["lines"][r]) for r in kept) +
                  sum(kept_seconds(k) for _, k in part.values()))
    parts = [f"row {r['row']} run in part (`--set {overrides_text(r)}`)" + (
                 ": the lines of its other figures kept as an earlier render wrote them"
                 if part.get(str(r["row"]), (0, 0))[1] else "")
             for r in ran if r.get("overrides")]
    lines = [f"Generated by `python -m benchmarks --render` from `{_rel(results_dir)}/papers-"
             f"<row>.json`; {len(ran)} of {len(records)} rows run, {duration(total)} of "
             f"training and evaluation in all" + (
                 f"; row{'s' if len(kept) > 1 else ''} {', '.join(kept)} kept as an earlier "
                 f"render wrote {'them' if len(kept) > 1 else 'it'} (no JSON in that folder; "
                 f"the code's recipe may have changed since)" if kept else "") +
             "".join(f"; {s}" for s in parts) + (
                 f"; with the kept lines' times as printed, {duration(total + kept_total)} "
                 f"for the whole table" if kept_total else "") + ".", ""]
    for rec in records:
        n = str(rec["row"])
        lines += (old["lines"][n] if n in kept else part[n][0] if n in part
                  else table_lines([rec])[2:])
    lines[2:2] = HEADER
    earlier = [str(r["row"]) for r in records if str(r["row"]) in kept or
               (str(r["row"]) in part and part[str(r["row"])][1])]   # lines kept, table order
    lines += ["", "Machine: " + ("; ".join(machines) if machines else "—") + ". Times are "
              "wall-clock for the whole row (all its stages) and depend on the load: a row "
              "run with one BLAS thread shared the machine with other work."
              + (f" Kept rows: {_kept_machines(earlier, old)}." if earlier and
                 _kept_machines(earlier, old) else "")]
    lines += ["", "Recipes and sources:", ""]
    for rec in records:
        n = str(rec["row"])
        if n in kept or (n in part and part[n][1]):     # not an earlier render of this part
            same = f"; run in part, `--set {overrides_text(rec)}`)" if n in part else None
            lines += [b for b in old["bullets"].get(n, []) if not (same and same in b)]
        if rec.get("status") != "ok":
            continue
        sources = "; ".join(sorted({r["paper_source"] + (" (recalled)" if r["paper_recalled"]
                                                         else "") for r in rec["results"]}))
        notes = "; ".join(f"{r['label']}: {r['note']}" for r in rec["results"] if r["note"])
        how = f"; run in part, `--set {overrides_text(rec)}`" if rec.get("overrides") else ""
        lines.append(f"- **Row {n}** ({rec['dataset']}{how}). {rec['recipe']}. "
                     f"Paper: {sources}." + (f" Notes: {notes}." if notes else ""))
    diagnosis = pathlib.Path(results_dir) / "papers-6-diagnosis.json"
    lines += diagnosis_lines(diagnosis) if diagnosis.exists() else (
        [""] + old["diagnosis"] if old["diagnosis"] else [])
    return "\n".join(lines)


def diagnosis_lines(path):
    """Row 6's diagnosis (``python -m benchmarks.papers.diagnose_rbm``), when it was run."""
    if not path.exists():
        return []
    d = json.loads(path.read_text())
    a = d["A_ais_vs_exact"]
    out = ["", f"Row 6 diagnosis ({d['dataset']}, `python -m benchmarks.papers.diagnose_rbm`):", "",
           f"- AIS against the exact log Z of a 784-{a['n_hidden']} RBM (CD-1, {a['epochs']} "
           f"epochs): exact {a['log_z_exact']:.2f}; " + "; ".join(
               f"AIS {r['n_betas']:,} betas x {r['n_chains']} chains {r['log_z']:.2f} ± "
               f"{r['log_z_stderr' if 'log_z_stderr' in r else 'stderr']:.2f} "
               f"(off by {r['error']:+.2f})" for r in a["ais"]) + "."]
    b_set = d.get("B_settings")
    if b_set:
        out.append(f"- Recipes, each changing one thing (784-{b_set['hidden']} RBMs, "
                   f"CD-{b_set['k']}, batch {b_set['batch_size']}, {b_set['binarise']}; AIS "
                   f"{b_set['n_betas']:,} betas x {b_set['n_chains']} chains after the epochs "
                   f"shown):")
    for name, b in d.get("B_recipes", {}).items():
        curve = ", ".join(f"epoch {c['epoch']}: {c['test_loglik']:.1f} (|W| {c['weight_norm']:.0f})"
                          for c in b["curve"])
        line = f"- CD-1, 784-500, {name}: AIS test log-prob {curve}"
        if "ais_check" in b:
            c = b["ais_check"]
            line += (f"; again with {c['n_betas']:,} betas: {c['test_loglik']:.1f} "
                     f"(log Z ± {c['log_z_stderr']:.2f})")
        out.append(line + ".")
    return out


def _rel(path):
    path = pathlib.Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def speed_section(bench_json):
    """The speed table of one ``python -m benchmarks`` run (entries with a ratio target)."""
    try:
        run = json.loads(pathlib.Path(bench_json).read_text())
        run["meta"], run["benchmarks"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise SystemExit(f"--speed {bench_json}: not the JSON of a `python -m benchmarks` run "
                         f"({type(err).__name__}: {err}); pass a benchmarks/results/bench-*.json")
    meta = run["meta"]
    m = meta.get("machine_info")
    where = common.describe_machine(m) if m else (f"{meta.get('platform')}, "
                                                 f"{meta.get('cpu_count')} cores (CPU model "
                                                 f"and BLAS not recorded by this run)")
    only = f" --only {' '.join(meta['only'])}" if meta.get("only") else ""
    lines = [f"Generated by `python -m benchmarks --render` from `{_rel(bench_json)}` "
             f"(`python -m benchmarks{' --quick' if meta.get('quick') else ''} --repeat "
             f"{meta.get('repeat')}{only}`, started {meta.get('started')}) on {where}. Median "
             f"epoch time after a warm-up; a ratio below 1 means minidl is faster.", "",
             "| benchmark | minidl | reference | ratio | target | result |",
             "|---|---|---|---|---|---|"]
    for b in run["benchmarks"]:
        if b.get("target") is None:
            continue
        sides, base = b["sides"], b["baseline"]
        mine, ref = sides.get("minidl", {}), sides.get(base, {})
        ratio = b["ratios"].get("minidl")
        cell = (lambda s: f"{s['seconds']:.3f} s" if s.get("status") == "ok"
                else s.get("status", "—"))
        result = {True: "pass", False: "FAIL", None: "—"}[b.get("passed")]
        lines.append(f"| {b.get('description') or b['name']} | {cell(mine)} | {base} "
                     f"{cell(ref)} | {'—' if ratio is None else f'{ratio:.2f}x'} | "
                     f"≤ {b['target']:g}x | {result} |")
    return "\n".join(lines)


def current_block(text, name):
    """The text between the ``name`` markers (None when the README has no such block)."""
    begin, end = MARKERS[name]
    if text.count(begin) != 1 or text.count(end) != 1:
        return None
    return text.split(begin)[1].split(end)[0]


def replace_block(text, name, block):
    """``text`` with the lines between the ``name`` markers replaced by ``block``."""
    begin, end = MARKERS[name]
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise ValueError(f"the README needs exactly one '{begin}' followed by one '{end}' "
                         f"line around the generated {name} table; add them where it goes")
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{block}\n{end}{tail}"


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks --render",
                                description="Rebuild the README's generated tables.")
    p.add_argument("--render", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--results", default=str(HERE.parent / "results"), metavar="DIR")
    p.add_argument("--speed", metavar="FILE.json",
                   help="the `python -m benchmarks` run for the speed table (a run on a quiet "
                        "machine, --repeat 3); without it the speed table is left as it is")
    p.add_argument("--readme", default=str(ROOT / "README.md"))
    p.add_argument("--fresh", action="store_true",
                   help="rows without JSON say 'not run' (default: they keep the README's lines)")
    args = p.parse_args(argv)
    readme = pathlib.Path(args.readme)
    text = readme.read_text()
    previous = None if args.fresh else current_block(text, "papers")
    text = replace_block(text, "papers", papers_section(args.results, previous))
    if args.speed:
        text = replace_block(text, "speed", speed_section(args.speed))
    else:
        print("no --speed FILE.json given: the speed table is left as it is")
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text)
    tmp.replace(readme)
    print(f"updated {readme}")
    return 0
