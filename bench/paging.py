#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Time OFFSET paging against keyset paging on bi_credores in PostgreSQL.

    paging.py DBNAME ROWS OUTPUT.tsv [PAGE_ROWS]

The original system read its source page by page with
`ORDER BY id OFFSET k LIMIT 4000`; replicate reads key ranges
(`WHERE id > k ORDER BY id LIMIT 4000` is the keyset equivalent). This runs
both through one psql session (connection from PGHOST/PGPORT/PGUSER), with
\\timing, rows sent to /dev/null, and writes:

  - single pages at a few offsets (best of 3 each), OFFSET vs keyset;
  - a full pass over the table, every page, both ways.

The keyset form needs the id of the page's first row; the sample's ids are
1..ROWS without gaps (checked first), so page k starts after id k.
Standard library only.
"""
import re
import subprocess
import sys

TIME = re.compile(r"^Time: ([0-9.]+) ms")


def psql_times(db, statements):
    """Run statements in one psql session; return the client-side time of each, in seconds."""
    script = "\\timing on\n\\o /dev/null\n" + "".join(s + "\n" for s in statements)
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db],
                         input=script, capture_output=True, text=True, check=True).stdout
    times = [float(m.group(1)) / 1000 for m in map(TIME.match, out.splitlines()) if m]
    if len(times) != len(statements):
        sys.exit(f"paging: expected {len(statements)} timings from psql, got {len(times)}")
    return times


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    db, rows, output = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    page = int(sys.argv[4]) if len(sys.argv) == 5 else 4000
    check = subprocess.run(["psql", "-X", "-At", "-d", db, "-c",
                            "select count(*), min(id), max(id) from bi_credores"],
                           capture_output=True, text=True, check=True).stdout.strip()
    if check != f"{rows}|1|{rows}":
        sys.exit(f"paging: expected ids 1..{rows} without gaps, found count|min|max = {check}")

    offset_sql = "SELECT * FROM bi_credores ORDER BY id OFFSET {} LIMIT %d;" % page
    keyset_sql = "SELECT * FROM bi_credores WHERE id > {} ORDER BY id LIMIT %d;" % page
    lines = ["kind\tmethod\tposition\tpages\trows\tseconds"]

    # Single pages: best of three, after one warm-up read of the whole table.
    psql_times(db, ["SELECT count(*) FROM bi_credores WHERE descricao IS NOT NULL;"])
    positions = sorted({0, rows // 4, rows // 2, 3 * rows // 4, max(rows - page, 0)})
    for k in positions:
        for name, sql in (("OFFSET", offset_sql), ("keyset", keyset_sql)):
            best = min(psql_times(db, [sql.format(k)] * 3))
            lines.append(f"page\t{name}\t{k}\t1\t{min(page, rows - k)}\t{best:.6f}")
            print(f"paging: one page at row {k:>9,}: {name:<6} {best * 1000:8.1f} ms", flush=True)

    # A full pass, every page, as a reader of the whole table would do.
    starts = list(range(0, rows, page))
    for name, sql in (("OFFSET", offset_sql), ("keyset", keyset_sql)):
        times = psql_times(db, [sql.format(k) for k in starts])
        total = sum(times)
        lines.append(f"full\t{name}\t0\t{len(starts)}\t{rows}\t{total:.6f}")
        # The first and the last tenth of the pass: how the page cost moves along.
        tenth = max(len(times) // 10, 1)
        first, last = sum(times[:tenth]) / tenth, sum(times[-tenth:]) / tenth
        lines.append(f"first-tenth\t{name}\t0\t{tenth}\t{tenth * page}\t{first:.6f}")
        lines.append(f"last-tenth\t{name}\t{starts[-tenth]}\t{tenth}\t{tenth * page}\t{last:.6f}")
        print(f"paging: full pass {name:<6} {len(starts)} pages, {total:8.2f} s "
              f"(mean page {first * 1000:.1f} ms in the first tenth, {last * 1000:.1f} ms in the last)",
              flush=True)

    with open(output, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
