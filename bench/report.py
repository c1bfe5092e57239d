#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Print the benchmark's figures from bench/.run (written by bench/run.sh).

    report.py [RUN_DIR] [--markdown]

Reads RUN_DIR/machine.txt, RUN_DIR/results.tsv and RUN_DIR/paging.tsv (if
there). rows/s is rows loaded / wall seconds measured by run.sh around the whole
command (process start to exit). "x \\copy" divides by the psql \\copy rate of
the same size (key in place), "x key after" by the \\copy-then-ADD-PRIMARY-KEY
rate (the shape replicate creates). With REPEAT > 1 each line is the run with
the median time and "n" says how many runs there were; peak RSS figures in the
memory and target blocks are the largest of all runs, not the median run's.

Then the issue's targets, each set against replicate's DEFAULTS line (a mapping
with no workers, batch_size or chunk_rows, no --workers), with the measured
ratio and MET / NOT met. Standard library only.
"""
import csv
import os
import re
import statistics
import sys
from collections import OrderedDict

CEILING = "psql \\copy (ceiling)"
CEILING_KEY_AFTER = "psql \\copy, key after (ceiling)"
PGCOPYDB = "pgcopydb copy table-data"
PGCOPYDB_KEY_AFTER = "pgcopydb table-data, key after"
PGLOADERS = ("pgloader", "pgloader (4096 MB heap)")
INSERTS = "INSERT 4000-row batches"

# Issue 12's targets.
CEILING_TARGET = 1.2
PGLOADER_TARGET = 6.0
PGCOPYDB_TARGET = 1.3
WORKER_RSS_TARGET_MB = 30.0
FLAT_MB = 2.0  # "flat": a peak that moves by less than this from the smallest size to the largest
RUNS_WANTED = 3


def mb(kb):
    return float(kb) / 1024 if kb not in ("", None) else None


def fmt_int(x):
    return f"{x:,.0f}"


def load_results(path):
    """(picked, raw): the median-time run of each (rows, method, source, workers), and all runs."""
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    groups = OrderedDict()
    for r in rows:
        key = (int(r["rows"]), r["method"], r["source"], r["workers"])
        groups.setdefault(key, []).append(r)
    picked = OrderedDict()
    for key, runs in groups.items():
        ok = [r for r in runs if r["status"] == "ok"] or runs
        ok.sort(key=lambda r: float(r["seconds"]))
        chosen = dict(ok[(len(ok) - 1) // 2])
        chosen["n"] = len(runs)
        chosen["n_ok"] = sum(1 for r in runs if r["status"] == "ok")
        failed = [r for r in runs if r["status"] != "ok"]
        if failed and chosen["status"] == "ok":
            chosen["status"] = f"ok in {len(runs) - len(failed)} of {len(runs)} runs"
            chosen["note"] = f"{len(failed)} {failed[0]['status']}: {failed[0]['note']}"
        chosen["spread"] = (f" ({float(ok[0]['seconds']):.2f}-{float(ok[-1]['seconds']):.2f})"
                            if len(ok) > 1 else "")
        loads = [float(x) for r in runs for x in (r["load_before"], r["load_after"]) if x]
        chosen["load_range"] = (min(loads), max(loads)) if loads else None
        picked[key] = chosen
    return picked, groups


def rate(r):
    if r is None or not r["status"].startswith("ok"):
        return None
    secs = float(r["seconds"])
    return int(r["rows_loaded"]) / secs if secs > 0 else None


def rss_cell(r):
    c, w, m = mb(r["rss_coordinator_kb"]), mb(r["rss_worker_kb"]), mb(r["rss_max_kb"])
    if c is not None and w is not None:
        return f"{c:.1f} / {w:.1f}"
    if m is not None:
        return f"{m:.1f} (one process)" if r["method"] != PGCOPYDB and not r["method"].startswith("pgcopydb") \
            else f"{m:.1f} (largest process)"
    return "?"


def table(headers, rows, markdown):
    if not rows:
        return "(none)"
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join(out)
    widths = [max(len(str(x)) for x in [h] + [row[i] for row in rows]) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(row) for row in rows])


def load_text(rng):
    return f"{rng[0]:.2f}-{rng[1]:.2f}" if rng else "?"


def runs_text(rs):
    """"3 / 3", or "3 / 1 ok of 3 (< 3)": the runs behind each median compared."""
    parts = [str(r["n"]) if r["n_ok"] == r["n"] else f"{r['n_ok']} ok of {r['n']}" for r in rs]
    short = any(r["n_ok"] < RUNS_WANTED for r in rs)
    return " / ".join(parts) + (f" (< {RUNS_WANTED})" if short else "")


def why_none(r):
    """Why a line has no rate: not run, or its runs failed (the first words of why)."""
    if r is None:
        return "not run"
    words = re.sub(r"^\d+ failed \(exit \d+\): ", "", r["note"])
    return f"failed in {r['n'] - r['n_ok']} of {r['n']} runs: {words[:40]}"


def verdict(ratio, goal):
    if ratio is None:
        return "no figure"
    return "MET" if ratio >= goal else "NOT met"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    markdown = "--markdown" in sys.argv
    run = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), ".run")
    out = []

    machine = OrderedDict()
    with open(os.path.join(run, "machine.txt"), encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                machine[k] = v
    out.append("Machine and run:")
    out += [f"  {k:<26} {v}" for k, v in machine.items()]
    m = re.match(r"\s*(\d+)", machine.get("replicate_default_workers", ""))
    default_workers = m.group(1) if m else None
    out.append("")

    results, raw = load_results(os.path.join(run, "results.tsv"))
    sizes = sorted({k[0] for k in results})

    # The machine's load: others' work makes every figure noisy.
    loads = [float(x) for runs in raw.values() for r in runs for x in (r["load_before"], r["load_after"]) if x]
    cores = None
    m = re.match(r"\s*(\d+)", machine.get("nproc", ""))
    if m:
        cores = int(m.group(1))
    out.append("Load (1-minute load average from /proc/loadavg, before > after each timed step):")
    out.append(f"  at the start {machine.get('load_start', '?')}; at the end {machine.get('load_end', '?')}")
    if loads:
        out.append(f"  over the timed steps {min(loads):.2f} to {max(loads):.2f} "
                   f"(median {statistics.median(loads):.2f}) on {cores or '?'} cores; the bench's own processes count "
                   "in it too (up to about 3 on 2 cores with nothing else running)")
    start = re.match(r"\s*([0-9.]+)", machine.get("load_start", ""))
    if start and float(start.group(1)) >= 0.5:
        out.append(f"  NOTE: the load was {start.group(1)} before the bench started: other work shared the machine, "
                   "so these figures are noisy. The issue's figures want a quiet machine.")
    out.append("")

    ceilings = {n: rate(results.get((n, CEILING, "csv", "1"))) for n in sizes}
    key_after = {n: rate(results.get((n, CEILING_KEY_AFTER, "csv", "1"))) for n in sizes}

    def workers_cell(w):
        return f"default ({default_workers})" if w == "default" and default_workers else w

    headers = ["method", "source", "workers", "rows", "seconds (min-max)", "rows/s", "x \\copy", "x key after",
               "peak RSS MB (coord / worker)", "load 1m before>after", "n", "status"]
    body = []
    for key, r in results.items():
        n = key[0]
        rt = rate(r)
        ratio = f"{rt / ceilings[n]:.2f}" if rt and ceilings.get(n) else "-"
        ratio_ka = f"{rt / key_after[n]:.2f}" if rt and key_after.get(n) else "-"
        if r["method"].startswith("COPY TO"):
            ratio = ratio_ka = "(export)"
        name = r["method"] + (", DEFAULTS" if r["method"] == "replicate" and key[3] == "default" else "")
        body.append([name, r["source"], workers_cell(r["workers"]), fmt_int(n), r["seconds"] + r["spread"],
                     fmt_int(rt) if rt else "-", ratio, ratio_ka, rss_cell(r),
                     f"{r['load_before']}>{r['load_after']}", r["n"],
                     r["status"] + (f"; {r['note'][:120]}" if r["status"] != "ok" else "")])
    out.append("All lines (the median run of each):")
    out.append(table(headers, body, markdown))
    out.append("")
    out.append("peak RSS: replicate's own summary line (coordinator; largest worker, from getrusage of its")
    out.append("children); for the other tools GNU time's maximum RSS of the client process (pgcopydb: the")
    out.append("largest of its processes). The PostgreSQL server's backends are not counted for anyone.")
    out.append("")

    # pgcopydb: what its table-data step contains.
    pgc = [(k, r) for k, r in results.items() if k[1] == PGCOPYDB]
    if pgc:
        body = []
        for k, r in pgc:
            vac = [float(m.group(1)) for x in raw[k] for m in [re.search(r"vacuum_s=([0-9.]+)", x["note"])] if m]
            parts = re.search(r"(\d+) COPY part", r["note"])
            ka = results.get((k[0], PGCOPYDB_KEY_AFTER) + k[2:])
            same = all("rows = bench_src" in x["note"] for x in raw[k])
            vac_med = statistics.median(vac) if vac else None
            body.append([fmt_int(k[0]), k[3], parts.group(1) if parts else "?", r["seconds"] + r["spread"],
                         f"{vac_med:.2f} ({vac_med / float(r['seconds']) * 100:.0f}%)" if vac_med is not None
                         and float(r["seconds"]) > 0 else "?",
                         (ka["seconds"] + ka["spread"]) if ka else "-",
                         "yes, every run" if same else "NO (see results.tsv)"])
        out.append("pgcopydb copy table-data (into the table without its key, the shape replicate creates):")
        out.append(table(["rows", "jobs", "COPY parts", "seconds", "of which VACUUM ANALYZE s (share)",
                          "with ADD PRIMARY KEY after, s", "rows = source (count + md5)"], body, markdown))
        out.append("Its table-data step runs VACUUM ANALYZE on the table after the COPY (no option turns that off")
        out.append("in 0.10); replicate does not. The VACUUM time comes from the server log (log_min_duration_statement")
        out.append("set for pgcopydb's sessions only).")
        out.append("")

    # Memory: every replicate line, every size; the largest of all runs.
    rep_lines = OrderedDict()
    for k, runs in raw.items():
        if k[1] != "replicate":
            continue
        w = [mb(r["rss_worker_kb"]) for r in runs if r["rss_worker_kb"]]
        c = [mb(r["rss_coordinator_kb"]) for r in runs if r["rss_coordinator_kb"]]
        rep_lines.setdefault((k[2], k[3]), {})[k[0]] = (max(c) if c else None, max(w) if w else None)
    worst_by_size = {}
    growth = []
    if rep_lines:
        body = []
        for (source, w), by in rep_lines.items():
            row = [source, workers_cell(w)]
            for n in sizes:
                c, wk = by.get(n, (None, None))
                row.append(f"{c:.1f} / {wk:.1f}" if c is not None and wk is not None else "-")
                if wk is not None:
                    worst_by_size[n] = max(worst_by_size.get(n, 0.0), wk)
            a, b = by.get(sizes[0]), by.get(sizes[-1])
            if len(sizes) >= 2 and a and b and None not in a + b:
                dc, dw = b[0] - a[0], b[1] - a[1]
                growth.append((dw, dc, source, w))
                row.append(f"{dc:+.1f} / {dw:+.1f}")
            else:
                row.append("-")
            body.append(row)
        out.append("replicate's peak RSS, MB (coordinator / largest worker; the largest of all runs at that size):")
        out.append(table(["source", "workers"] + [f"{n:,} rows" for n in sizes]
                         + [f"change {sizes[0]:,} -> {sizes[-1]:,}" if len(sizes) >= 2 else "change"],
                         body, markdown))
        out.append("")

    # The targets.
    body = []

    def target(n, what, mine, other, goal, runs_of, note=""):
        ratio = mine / other if mine and other else None
        rng = [x for x in runs_of if x and x.get("load_range")]
        lr = (min(x["load_range"][0] for x in rng), max(x["load_range"][1] for x in rng)) if rng else None
        n_text = runs_text([x for x in runs_of if x])
        body.append([fmt_int(n), what, fmt_int(mine) if mine else "-",
                     fmt_int(other) if other else (note or "no figure"),
                     f"{ratio:.2f}x" if ratio else "-", f">= {goal:g}x", verdict(ratio, goal), load_text(lr), n_text])

    for n in sizes:
        ceil_r = results.get((n, CEILING, "csv", "1"))
        ka_r = results.get((n, CEILING_KEY_AFTER, "csv", "1"))
        for source, label in (("sqlite", "SQLite -> PG"), ("postgresql", "PG -> PG")):
            d = results.get((n, "replicate", source, "default"))
            if not d:
                continue
            dr = rate(d)
            what = f"{label}, defaults"
            target(n, f"{what} vs \\copy, key in place", dr, ceilings[n], CEILING_TARGET, [d, ceil_r])
            target(n, f"{what} vs \\copy, then the key", dr, key_after[n], CEILING_TARGET, [d, ka_r])
            for method in PGLOADERS:
                p = results.get((n, method, source, "-"))
                target(n, f"{what} vs {method} from {source}", dr, rate(p), PGLOADER_TARGET, [d, p], why_none(p))
            if source == "postgresql":
                jobs = default_workers or "?"
                p = results.get((n, PGCOPYDB, "postgresql", jobs))
                target(n, f"{what} vs pgcopydb table-data, {jobs} jobs", dr, rate(p), PGCOPYDB_TARGET,
                       [d, p], why_none(p))
        if n in worst_by_size:
            worst = worst_by_size[n]
            body.append([fmt_int(n), "worker peak RSS, every replicate run", f"{worst:.1f} MB", "-", "-",
                         f"<= {WORKER_RSS_TARGET_MB:.0f} MB", "MET" if worst <= WORKER_RSS_TARGET_MB else "NOT met",
                         "-", "-"])
    if growth:
        dw = max(g[0] for g in growth)
        dc = max(g[1] for g in growth)
        body.append([f"{sizes[0]:,} -> {sizes[-1]:,}", "RSS flat with the table (worst change, same source and "
                     "workers)", f"worker {dw:+.1f} MB, coordinator {dc:+.1f} MB", "-", "-", f"< {FLAT_MB:g} MB",
                     "MET" if max(dw, dc) < FLAT_MB else "NOT met", "-", "-"])
    elif rep_lines:
        body.append(["-", "RSS flat with the table", "one size only", "-", "-", "-", "no figure", "-",
                     "-"])
    out.append("Targets (issue 12), replicate's DEFAULTS line against each; medians; load = 1-minute load over "
               "the runs compared:")
    out.append(table(["rows", "target", "replicate rows/s", "against, rows/s", "ratio", "goal", "verdict",
                      "load", "runs (each side)"], body, markdown))
    if sizes and sizes[-1] < 4_000_000 and rep_lines:
        out.append(f"  The memory target asks for flat RSS from 1M to 4M rows: ROWS=\"1000000 4000000\" "
                   f"(this run's largest size: {sizes[-1]:,}).")
    if any(r["n"] < RUNS_WANTED for r in results.values() if not r["method"].startswith(("COPY TO", "INSERT"))):
        out.append(f"  Some lines have fewer than {RUNS_WANTED} runs: the issue's figures are medians of "
                   f"{RUNS_WANTED} (REPEAT={RUNS_WANTED}).")
    out.append("")

    # Context: the best worker count, the original system.
    ctx = []
    for n in sizes:
        for source in ("sqlite", "postgresql"):
            cands = [(rate(r), k[3]) for k, r in results.items()
                     if k[0] == n and k[1] == "replicate" and k[2] == source and rate(r)]
            if cands and ceilings.get(n):
                best, w = max(cands)
                ctx.append(f"  {n:>9,} rows, replicate from {source:<10} best line: {fmt_int(best)} rows/s "
                           f"({workers_cell(w)} workers) = {best / ceilings[n]:.2f}x \\copy")
        ins = rate(results.get((n, INSERTS, "sqlite", "1")))
        d = rate(results.get((n, "replicate", "sqlite", "default")))
        if ins and d:
            ctx.append(f"  {n:>9,} rows, 4000-row INSERTs {fmt_int(ins)} rows/s; replicate's defaults from SQLite "
                       f"are {d / ins:.1f}x that")
        for k, r in results.items():
            if k[0] == n and k[1] == PGCOPYDB_KEY_AFTER and k[3] == default_workers:
                pr, dpg = rate(r), rate(results.get((n, "replicate", "postgresql", "default")))
                if pr and dpg:
                    ctx.append(f"  {n:>9,} rows, PG -> PG defaults vs pgcopydb table-data then ADD PRIMARY KEY "
                               f"({k[3]} jobs; the same end state as replicate's copy): {dpg / pr:.2f}x")
    if ctx:
        out.append("Context:")
        out += ctx
        out.append("")

    paging = os.path.join(run, "paging.tsv")
    if os.path.exists(paging):
        with open(paging, encoding="utf-8") as f:
            prow = list(csv.DictReader(f, delimiter="\t"))
        pages = {}
        for r in prow:
            pages.setdefault((r["kind"], r["position"]), {})[r["method"]] = r
        body = []
        for (kind, pos), m in pages.items():
            if "OFFSET" not in m or "keyset" not in m:
                continue
            o, k = float(m["OFFSET"]["seconds"]), float(m["keyset"]["seconds"])
            if kind == "page":
                what = f"one 4000-row page at row {int(pos):,}"
            elif kind == "full":
                what = f"whole table, {m['OFFSET']['pages']} pages ({int(m['OFFSET']['rows']):,} rows)"
            else:
                what = f"mean page, {kind.replace('-', ' ')} of the pass"
            unit = 1000.0 if kind != "full" else 1.0
            suffix = " ms" if kind != "full" else " s"
            body.append([what, f"{o * unit:.1f}{suffix}", f"{k * unit:.1f}{suffix}", f"{o / k:.1f}x" if k else "-"])
        out.append("Reads in PostgreSQL, OFFSET paging vs keyset paging (ORDER BY id LIMIT 4000):")
        out.append(table(["what", "OFFSET k", "WHERE id > k", "OFFSET / keyset"], body, markdown))
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
