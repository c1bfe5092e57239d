#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write the original system's load as SQL: multi-row INSERT batches.

    insert_sql.py SOURCE.sqlite OUTPUT.sql [BATCH_ROWS]

Reads bi_credores from the SQLite sample in id order and writes one
`INSERT INTO bi_credores (...) VALUES (...), (...), ...;` statement per
BATCH_ROWS rows (default 4000), which is how the original system loaded the
table. bench/run.sh writes this file before it starts the clock and then times
`psql -f OUTPUT.sql`, so the figure is the cost of the INSERT path in
PostgreSQL alone (parsing, planning and executing 4000-row statements, one
autocommitted transaction each), not of Python formatting them.

Every value is written as a quoted literal ('123', '2024-01-31', '0' for a
boolean) so PostgreSQL casts it to the column's type, as a driver sending text
parameters would. Standard library only.
"""
import sqlite3
import sys


def literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, bytes):
        text = "\\x" + value.hex()
    else:
        text = str(value)
    return "'" + text.replace("'", "''") + "'"


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    source, output = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[3]) if len(sys.argv) == 4 else 4000
    db = sqlite3.connect(source)
    cursor = db.execute("SELECT * FROM bi_credores ORDER BY id")
    columns = ", ".join(d[0].lower() for d in cursor.description)
    head = f"INSERT INTO bi_credores ({columns}) VALUES\n"
    rows = statements = 0
    with open(output, "w", encoding="utf-8") as out:
        out.write("SET client_encoding = 'UTF8';\n")
        while True:
            chunk = cursor.fetchmany(batch)
            if not chunk:
                break
            out.write(head)
            out.write(",\n".join("(" + ", ".join(literal(v) for v in row) + ")" for row in chunk))
            out.write(";\n")
            rows += len(chunk)
            statements += 1
    print(f"insert_sql: {rows} rows in {statements} INSERT statements of up to {batch} rows -> {output}")


if __name__ == "__main__":
    main()
