#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check a JSON document a command printed against a schema (JSON Schema draft 2020-12).

usage: validate_output.py SCHEMA FILE

Exit 0 when FILE is JSON that the schema accepts, 1 when it is not (each error printed
with its path), 2 on bad usage. Run with Debian's /usr/bin/python3, which has
python3-jsonschema (as tests/config/validate_schema.py).
"""
import json
import sys

from jsonschema import Draft202012Validator


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    try:
        with open(argv[2], encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{argv[2]}: not JSON: {e}")
        return 1
    errors = list(Draft202012Validator(schema).iter_errors(document))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        print(f"{argv[2]}: {where}: {e.message}")
    print(f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
