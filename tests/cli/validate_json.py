#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check JSON files against a JSON Schema (draft 2020-12).

usage: validate_json.py SCHEMA FILE...   (the report, plan --json and status --json tests)

Exit 0 when every file validates, 1 when one does not (each error printed with its
path), 2 on bad usage. Run with Debian's /usr/bin/python3, which has python3-jsonschema.
"""
import json
import sys

from jsonschema import Draft202012Validator


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    failures = 0
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{path}: cannot read as JSON: {e}")
            failures += 1
            continue
        for e in validator.iter_errors(doc):
            failures += 1
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"{path}: {where}: {e.message}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
