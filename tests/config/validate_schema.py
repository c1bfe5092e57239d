#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Check mapping files against schemas/mapping.schema.json (JSON Schema draft 2020-12).

usage: validate_schema.py SCHEMA [--valid FILE...] [--invalid FILE...]

Files after --valid must validate; files after --invalid must be rejected. A YAML file
that does not look like a mapping (no version/source/target/tables key at the top, e.g.
a Kubernetes manifest among the examples) is skipped and reported. Exit 0 when every
expectation holds and at least one file was checked, 1 otherwise, 2 on bad usage. Run with Debian's /usr/bin/python3,
which has python3-jsonschema and python3-yaml.
"""
import datetime
import json
import sys

import yaml
from jsonschema import Draft202012Validator

MAPPING_KEYS = {"version", "source", "target", "tables"}


def plain(value):
    # PyYAML turns 2024-01-01 into a date; the loader reads it as the string it is.
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def documents(path):
    with open(path, encoding="utf-8") as f:
        # A file of comments holds no document: read it as one empty (null) document.
        return [plain(d) for d in yaml.safe_load_all(f)] or [None]


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)

    expect, failures, checked = None, 0, 0
    for arg in argv[2:]:
        if arg in ("--valid", "--invalid"):
            expect = arg
            continue
        if expect is None:
            print("a file before --valid/--invalid: " + arg, file=sys.stderr)
            return 2
        try:
            docs = documents(arg)
        except (OSError, yaml.YAMLError) as e:
            print(f"{arg}: cannot read as YAML: {e}")
            failures += 1
            continue
        mappings = [d for d in docs if isinstance(d, dict) and MAPPING_KEYS & d.keys()]
        if expect == "--invalid":
            mappings = docs  # an empty file or a list must be rejected too
        elif not mappings:
            print(f"{arg}: skipped, not a mapping file")
            continue
        checked += 1
        errors = [e for d in mappings for e in validator.iter_errors(d)]
        if expect == "--valid" and errors:
            failures += 1
            for e in errors:
                where = "/".join(str(p) for p in e.absolute_path) or "(top)"
                print(f"{arg}: {where}: {e.message}")
        elif expect == "--invalid" and not errors:
            failures += 1
            print(f"{arg}: accepted by the schema, but it should be rejected")
        elif expect == "--invalid":
            print(f"{arg}: rejected as expected: {errors[0].message}")
    print(f"{checked} file(s) checked, {failures} failure(s)")
    if checked == 0:
        print("no mapping file among the files given: nothing was validated")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
