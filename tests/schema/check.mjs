// SPDX-License-Identifier: Apache-2.0
// Compiles a JSON Schema (draft 2020-12) with ajv in strict mode and validates YAML files
// with it, the way an editor (yaml-language-server) reads them: YAML 1.2, core schema.
//
//   node tests/schema/check.mjs SCHEMA FILE...
//
// Prints one line per file, "FILE: valid" or "FILE: invalid: REASON[; REASON...]", where a
// file that is not YAML (a syntax error, a duplicate key) is invalid too. Exit 0 when the
// schema compiled without a single strict-mode complaint (whatever the files' verdicts),
// 2 when it did not or on bad usage. Dependencies: tests/schema/package-lock.json
// (`npm ci --prefix tests/schema`, done by scripts/setup.sh).
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import YAML from "yaml";

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath) {
  console.error("usage: node check.mjs SCHEMA FILE...");
  process.exit(2);
}

// Strict mode reports some findings through the logger rather than by throwing: count
// every warning as a failure, so the schema stays free of them.
const complaints = [];
const logger = {
  log() {},
  warn: (...m) => complaints.push(m.join(" ")),
  error: (...m) => complaints.push(m.join(" ")),
};
let validate;
try {
  const ajv = new Ajv2020({ strict: true, allErrors: true, logger });
  validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
} catch (e) {
  complaints.push(e.message);
}
if (complaints.length > 0) {
  for (const c of complaints) console.log(`schema: strict mode: ${c}`);
  process.exit(2);
}

for (const file of files) {
  let data;
  try {
    const doc = YAML.parseDocument(readFileSync(file, "utf8"));
    if (doc.errors.length > 0) throw doc.errors[0];
    data = doc.toJS();
    // An empty file, or one of comments only, is no document: null, as for the loader.
    if (data === undefined) data = null;
  } catch (e) {
    console.log(`${file}: invalid: not YAML: ${String(e.message).split("\n")[0]}`);
    continue;
  }
  if (validate(data)) {
    console.log(`${file}: valid`);
  } else {
    const reasons = validate.errors.map((e) => `${e.instancePath || "(top)"} ${e.message}`);
    console.log(`${file}: invalid: ${[...new Set(reasons)].join("; ")}`);
  }
}
