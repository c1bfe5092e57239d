#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Print the benchmark's figures from bench/.run (written by bench/run.sh).

    report.py [RUN_DIR] [--markdown]

Reads RUN_DIR/machine.txt, RUN_DIR/results.tsv and RUN_DIR/paging.tsv (if
there). rows/s is rows loaded / wall seconds measured by run.sh around the whole
command (process start to exit). "x ceiling" divides by the psql \\copy rate of
the same size. With REPEAT > 1 each line is the run with the median time and
"n" says how many runs there were. Standard library only.
"""
import csv
import os
import sys
from collections import OrderedDict

CEILING = "psql \\copy (ceiling)"
CEILING_KEY_AFTER = "psql \\copy, key after (ceiling)"
WORKER_RSS_TARGET_MB = 30.0


def mb(kb):
    return float(kb) / 1024 if kb not in ("", None) else None


def fmt_int(x):
    return f"{x:,.0f}"


def load_results(path):
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
        failed = [r for r in runs if r["status"] != "ok"]
        if failed and chosen["status"] == "ok":
            chosen["status"] = f"ok in {len(runs) - len(failed)} of {len(runs)} runs"
            chosen["note"] = f"{len(failed)} {failed[0]['status']}: {failed[0]['note']}"
        chosen["spread"] = (f" ({float(ok[0]['seconds']):.2f}-{float(ok[-1]['seconds']):.2f})"
                            if len(ok) > 1 else "")
        picked[key] = chosen
    return picked


def rate(r):
    if not r["status"].startswith("ok"):
        return None
    secs = float(r["seconds"])
    return int(r["rows_loaded"]) / secs if secs > 0 else None


def rss_cell(r):
    c, w, m = mb(r["rss_coordinator_kb"]), mb(r["rss_worker_kb"]), mb(r["rss_max_kb"])
    if c is not None and w is not None:
        return f"{c:.1f} / {w:.1f}"
    if m is not None:
        return f"{m:.1f} (one process)"
    return "?"


def table(headers, rows, markdown):
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        return "\n".join(out)
    widths = [max(len(str(x)) for x in [h] + [row[i] for row in rows]) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(row) for row in rows])


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
    out += [f"  {k:<14} {v}" for k, v in machine.items()]
    out.append("")

    results = load_results(os.path.join(run, "results.tsv"))
    sizes = sorted({k[0] for k in results})
    headers = ["method", "source", "workers", "rows", "seconds (min-max)", "rows/s", "x ceiling",
               "peak RSS MB (coord / worker)", "load 1m before>after", "n", "status"]
    ceilings = {}
    for n in sizes:
        c = results.get((n, CEILING, "csv", "1"))
        ceilings[n] = rate(c) if c else None
    body = []
    for key, r in results.items():
        n = key[0]
        rt = rate(r)
        ratio = f"{rt / ceilings[n]:.2f}" if rt and ceilings.get(n) else "-"
        if r["method"].startswith("COPY TO"):
            ratio = "(export)"
        body.append([r["method"], r["source"], r["workers"], fmt_int(n), r["seconds"] + r["spread"],
                     fmt_int(rt) if rt else "-", ratio, rss_cell(r),
                     f"{r['load_before']}>{r['load_after']}", r["n"],
                     r["status"] + (f"; {r['note'][:120]}" if r["status"] != "ok" else "")])
    out.append(table(headers, body, markdown))
    out.append("")
    out.append("peak RSS: replicate's own summary line (coordinator; largest worker, from getrusage of its")
    out.append("children); for the other tools GNU time's maximum RSS of the client process. The PostgreSQL")
    out.append("server's backends are not counted for anyone.")
    out.append("")

    # Targets.
    out.append("Targets:")
    for n in sizes:
        ceil = ceilings.get(n)
        reps = {k: r for k, r in results.items() if k[0] == n and k[1] == "replicate"}
        for source in ("sqlite", "postgresql"):
            cands = [(rate(r), k[3]) for k, r in reps.items() if k[2] == source and rate(r)]
            if not cands or not ceil:
                continue
            best, w = max(cands)
            verdict = "MET" if best >= ceil else "NOT met"
            out.append(f"  {n:>9,} rows, replicate from {source:<10} >= \\copy ceiling: best {fmt_int(best)} rows/s "
                       f"({w} workers) = {best / ceil:.2f}x of {fmt_int(ceil)} -> {verdict}")
        key_after = results.get((n, CEILING_KEY_AFTER, "csv", "1"))
        for source in ("sqlite", "postgresql"):
            d = results.get((n, "replicate", source, "default"))
            if not d or not rate(d):
                continue
            parts = []
            if ceil:
                parts.append(f"{rate(d) / ceil:.2f}x \\copy with the key in place")
            if key_after and rate(key_after):
                parts.append(f"{rate(d) / rate(key_after):.2f}x \\copy then the key (the shape replicate creates)")
            out.append(f"  {n:>9,} rows, replicate from {source:<10} with its DEFAULTS: {fmt_int(rate(d))} rows/s = "
                       + ", ".join(parts))
        sqlite_best = max([rate(r) for k, r in reps.items() if k[2] == "sqlite" and rate(r)] or [0])
        for k, pgl in results.items():
            if k[0] != n or not k[1].startswith("pgloader"):
                continue
            if rate(pgl) and sqlite_best:
                ratio = sqlite_best / rate(pgl)
                out.append(f"  {n:>9,} rows, replicate from sqlite >= 6x {k[1]}: {fmt_int(sqlite_best)} / "
                           f"{fmt_int(rate(pgl))} = {ratio:.2f}x -> {'MET' if ratio >= 6 else 'NOT met'}")
            else:
                out.append(f"  {n:>9,} rows, {k[1]}: {pgl['status']} {pgl['note'][:200]}")
        workers_rss = [(mb(r["rss_worker_kb"]), k) for k, r in reps.items() if r["rss_worker_kb"]]
        if workers_rss:
            worst, k = max(workers_rss)
            out.append(f"  {n:>9,} rows, worker RSS < {WORKER_RSS_TARGET_MB:.0f} MB: largest {worst:.1f} MB "
                       f"({k[2]}, {k[3]} workers) -> {'MET' if worst < WORKER_RSS_TARGET_MB else 'NOT met'}")
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        grows = []
        for k, r in results.items():
            if k[0] == a and k[1] == "replicate":
                other = results.get((b,) + k[1:])
                if other and r["rss_worker_kb"] and other["rss_worker_kb"]:
                    grows.append((mb(other["rss_worker_kb"]) - mb(r["rss_worker_kb"]),
                                  mb(other["rss_coordinator_kb"]) - mb(r["rss_coordinator_kb"]), k))
        if grows:
            dw = max(g[0] for g in grows)
            dc = max(g[1] for g in grows)
            out.append(f"  memory {a:,} -> {b:,} rows: worker RSS changes by at most {dw:+.1f} MB, coordinator by "
                       f"at most {dc:+.1f} MB (same source and worker count) -> "
                       f"{'does not grow with the table' if max(dw, dc) < 2 else 'GROWS with the table'}")
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
