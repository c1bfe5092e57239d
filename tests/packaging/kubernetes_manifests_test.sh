#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# packaging/kubernetes, checked offline (no cluster, no network; ctest: kubernetes_manifests):
#
# 1. Every manifest against Kubernetes' own API types, from the npm package
#    kubernetes-models (pinned in tests/schema/package.json): its validators, compiled
#    from the API's OpenAPI schema, check types, enums, formats and required fields; the
#    TypeScript compiler checks each object against the same package's type declarations
#    and so also rejects a field the API does not have (a misspelt key, which the OpenAPI
#    schema lets through and `kubectl apply` refuses).
# 2. Broken copies of the manifests (an unknown field, a wrong type, a bad enum, a missing
#    required field, an unknown kind, bad YAML) must be rejected, or step 1 proves nothing.
# 3. What the manifests promise: configmap.yaml is mappings/bi_credores.yaml verbatim, the
#    Secret template holds placeholders only and every variable the mapping reads, the pods
#    run `replicate run /etc/replicate/bi_credores.yaml --run-name $(REPLICATE_RUN_NAME)`
#    with the run name from the job-name label, the CronJob's Job is job.yaml's, and more
#    (the content() checks below); and broken copies must fail those checks too.
#
#   bash tests/packaging/kubernetes_manifests_test.sh                    # the checks
#   bash tests/packaging/kubernetes_manifests_test.sh --write-configmap  # configmap.yaml from the mapping
#
# Needs node and `npm ci --prefix tests/schema` (scripts/setup.sh does both). Exits 0 when
# every check passed, 1 otherwise.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
k8s=$root/packaging/kubernetes
schema_dir=$root/tests/schema

# configmap.yaml is generated: this header, then the mapping indented as a block scalar
# (blank lines left blank).
configmap_text() {
  cat <<'EOF'
# SPDX-License-Identifier: Apache-2.0
# GENERATED from mappings/bi_credores.yaml, do not edit: after a change to the mapping run
#   bash tests/packaging/kubernetes_manifests_test.sh --write-configmap
# (that test fails while the two differ). The pods mount it at /etc/replicate, so the
# mapping is /etc/replicate/bi_credores.yaml. Secrets are not in it: it reads them from
# the environment (${env:NAME}), which the Secret of secret.template.yaml provides.
apiVersion: v1
kind: ConfigMap
metadata:
  name: replicate-bi-credores
  labels:
    app.kubernetes.io/name: replicate
    app.kubernetes.io/instance: bi-credores
data:
  bi_credores.yaml: |
EOF
  sed 's/^./    &/' "$root/mappings/bi_credores.yaml"
}

if [[ ${1:-} == --write-configmap ]]; then
  configmap_text >"$k8s/configmap.yaml"
  echo "wrote $k8s/configmap.yaml"
  exit 0
fi

# The checker, run by node from tests/schema so that its imports resolve in tests/schema's
# node_modules:
#   validate FILE...                    "FILE: valid" or "FILE: invalid: REASONS" each; exit 1 if any invalid
#   content DIR MAPPING VERSION DOCKERFILE   "ok/FAIL WHAT" per check; exit 1 if any failed
read -r -d '' CHECKER <<'JS' || true
import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";

const [mode, ...args] = process.argv.slice(2);

// Every document of a file, or the reason it is not YAML.
function documents(file) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  if (!Array.isArray(docs)) return { error: "not YAML: no documents" };
  for (const d of docs) {
    if (d.errors.length > 0) return { error: `not YAML: ${String(d.errors[0].message).split("\n")[0]}` };
  }
  return { objects: docs.map((d) => d.toJS()).filter((o) => o !== null && o !== undefined) };
}

async function validate(files) {
  const reasons = new Map(files.map((f) => [f, []]));
  const sources = new Map(); // virtual .ts file -> its text
  const owners = new Map(); // virtual .ts file -> [file, label]
  for (const file of files) {
    const { error, objects } = documents(file);
    if (error) {
      reasons.get(file).push(error);
      continue;
    }
    for (const [i, obj] of objects.entries()) {
      const label = `document ${i + 1}`;
      const { apiVersion, kind } = obj;
      // "v1" is the core group; "batch/v1" and the like are kubernetes-models/<group>/<version>.
      if (typeof apiVersion !== "string" || typeof kind !== "string" ||
          !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
        reasons.get(file).push(`${label}: no valid apiVersion and kind`);
        continue;
      }
      const module = `kubernetes-models/${apiVersion}`;
      let Model;
      try {
        Model = (await import(module))[kind];
      } catch {}
      if (typeof Model !== "function" || Model.kind !== kind) {
        reasons.get(file).push(`${label}: unknown kind ${kind} in ${apiVersion}`);
        continue;
      }
      // The OpenAPI schema: types, enums, formats, required fields.
      try {
        new Model(obj).validate();
      } catch (e) {
        reasons.get(file).push(`${label} (${kind}): ${e.message}`);
      }
      // The type declarations: the same, and no property the type does not have (an object
      // literal's excess properties are errors, at every depth).
      const path = resolve(`__kubernetes_manifest_${sources.size}.ts`);
      sources.set(path, `import type { I${kind} } from "${module}";\n` +
                        `export const manifest: I${kind} = ${JSON.stringify(obj, null, 1)};\n`);
      owners.set(path, [file, `${label} (${kind})`]);
    }
  }
  if (sources.size > 0) {
    const { default: ts } = await import("typescript"); // only here: it takes a second to load
    const options = {
      strict: true, noEmit: true, skipLibCheck: true, types: [],
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    };
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (f) => sources.has(f) || fileExists.call(host, f);
    host.readFile = (f) => sources.get(f) ?? readFile.call(host, f);
    host.getSourceFile = (f, language, ...rest) =>
      sources.has(f) ? ts.createSourceFile(f, sources.get(f), language) : getSourceFile.call(host, f, language, ...rest);
    const program = ts.createProgram([...sources.keys()], options, host);
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
      const owner = d.file && owners.get(d.file.fileName);
      if (!owner) {
        // Not about a manifest: the type declarations themselves did not load.
        console.log(`typescript: ${d.file ? d.file.fileName + ": " : ""}${text}`);
        process.exitCode = 2;
        continue;
      }
      const line = d.file.text.split("\n")[d.file.getLineAndCharacterOfPosition(d.start).line].trim();
      reasons.get(owner[0]).push(`${owner[1]}: ${text} (at ${line})`);
    }
  }
  let invalid = 0;
  for (const [file, r] of reasons) {
    if (r.length > 0) invalid++;
    console.log(r.length > 0 ? `${file}: invalid: ${[...new Set(r)].join("; ")}` : `${file}: valid`);
  }
  if (invalid > 0 && !process.exitCode) process.exitCode = 1;
}

function content(dir, mappingPath, version, dockerfile) {
  let failed = 0;
  const check = (ok, what) => {
    console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
    if (!ok) failed++;
  };
  const text = (name) => readFileSync(join(dir, name), "utf8");
  const load = (name) => YAML.parse(text(name));
  const mapping = readFileSync(mappingPath, "utf8");
  const cm = load("configmap.yaml");
  const secret = load("secret.template.yaml");
  const job = load("job.yaml");
  const cron = load("cronjob.yaml");
  const admin = load("admin-pod.yaml");

  const docker = dirname(dockerfile);
  for (const file of [...readdirSync(dir).sort().map((n) => join(dir, n)), ...readdirSync(docker).sort().map((n) => join(docker, n))]) {
    const first = readFileSync(file, "utf8").split("\n")[0];
    check(/^(# |<!-- )SPDX-License-Identifier: Apache-2\.0( -->)?$/.test(first), `${basename(file)}: SPDX line first`);
  }

  // The mapping, verbatim, under the key the pods read.
  check(cm?.kind === "ConfigMap" && isDeepStrictEqual(Object.keys(cm.data ?? {}), ["bi_credores.yaml"]),
        "configmap.yaml: one key, bi_credores.yaml");
  check(cm?.data?.["bi_credores.yaml"] === mapping, "configmap.yaml: bi_credores.yaml is mappings/bi_credores.yaml verbatim");

  // The Secret: placeholders only (stringData, never base64 data that could hide a value),
  // and every variable the mapping reads.
  const strings = [];
  const collect = (n) => (typeof n === "string" ? strings.push(n) : n && typeof n === "object" && Object.values(n).forEach(collect));
  collect(YAML.parse(mapping));
  const needed = [...new Set(strings.flatMap((v) => [...v.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1])))];
  const values = secret?.stringData ?? {};
  check(secret?.kind === "Secret" && secret.data === undefined, "secret.template.yaml: stringData only, no data");
  check(needed.length > 0 && needed.every((n) => n in values),
        `secret.template.yaml: has every \${env:...} of the mapping (${needed.join(", ")})`);
  // Passwords are left empty (filled in from an env file, never in the repository).
  const placeholder = (k, v) => (/PASSWORD$/.test(k) ? String(v) === "" : /^CHANGE-ME/.test(String(v))) ||
    (/PORT$/.test(k) && /^[0-9]+$/.test(String(v)));
  const real = Object.entries(values).filter(([k, v]) => !placeholder(k, v)).map(([k]) => k);
  check(real.length === 0, `secret.template.yaml: every value a CHANGE-ME placeholder, passwords empty${real.length ? ` (not: ${real.join(", ")})` : ""}`);

  // No credential written anywhere else: no literal value for a secret-looking variable,
  // no password= or PWD= followed by anything but a ${...} placeholder.
  const literals = [];
  const walk = (node, where) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`));
    else if (node && typeof node === "object") {
      if (typeof node.name === "string" && /PASS|PWD|SECRET|TOKEN|KEY/i.test(node.name) && node.value !== undefined)
        literals.push(`${where}: env ${node.name} has a literal value`);
      for (const [k, v] of Object.entries(node)) walk(v, `${where}.${k}`);
    } else if (typeof node === "string" && /\b(password|pwd)\s*=\s*(?!\{?\$\{)[^;\s]/i.test(node)) {
      literals.push(`${where}: a password written out`);
    }
  };
  for (const name of ["configmap.yaml", "job.yaml", "cronjob.yaml", "admin-pod.yaml"]) walk(load(name), name);
  check(literals.length === 0, `no literal credentials in the manifests${literals.length ? ` (${literals.join("; ")})` : ""}`);
  const readme = text("README.md").split("\n").filter((l) => /(PASSWORD|PWD)\s*[=:]\s*(?!CHANGE-ME|\$|\{\$|<|'?\.\.\.)\S/.test(l));
  check(readme.length === 0, `README.md: no password but placeholders${readme.length ? ` (${readme.join(" | ")})` : ""}`);

  // The pods of the Job and of the CronJob.
  const mappingVolume = (pod) => (pod.volumes ?? []).find((v) => v.configMap?.name === cm?.metadata?.name);
  for (const [name, spec] of [["job.yaml", job?.spec], ["cronjob.yaml", cron?.spec?.jobTemplate?.spec]]) {
    const pod = spec?.template?.spec ?? {};
    const c = (pod.containers ?? []).find((x) => x.name === "replicate") ?? {};
    const argv = [...(c.command ?? []), ...(c.args ?? [])].join(" ");
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
    check(/^(\/usr\/bin\/)?replicate run \/etc\/replicate\/bi_credores\.yaml( |$)/.test(argv),
          `${name}: runs replicate run /etc/replicate/bi_credores.yaml`);
    check(argv.includes(" --run-name $(REPLICATE_RUN_NAME)"), `${name}: --run-name $(REPLICATE_RUN_NAME)`);
    check(env.REPLICATE_RUN_NAME?.valueFrom?.fieldRef?.fieldPath === "metadata.labels['job-name']",
          `${name}: REPLICATE_RUN_NAME from the downward API, label job-name`);
    check(!argv.includes("--workers") ||
          (argv.includes(" --workers $(REPLICATE_WORKERS)") &&
           env.REPLICATE_WORKERS?.valueFrom?.resourceFieldRef?.resource === "limits.cpu"),
          `${name}: --workers, if given, is the CPU limit`);
    const volume = mappingVolume(pod);
    const mount = (c.volumeMounts ?? []).find((m) => m.name === volume?.name);
    check(volume !== undefined && volume.configMap.items === undefined && mount?.mountPath === "/etc/replicate" &&
          mount.subPath === undefined, `${name}: the ConfigMap mounted at /etc/replicate`);
    check((c.envFrom ?? []).some((e) => e.secretRef?.name === secret?.metadata?.name),
          `${name}: the Secret as environment variables (envFrom)`);
    check(spec?.completionMode === "Indexed" && Number.isInteger(spec.completions) && spec.completions >= 2 &&
          spec.parallelism === spec.completions, `${name}: Indexed, parallelism = completions >= 2`);
    check(["Never", "OnFailure"].includes(pod.restartPolicy) && spec.backoffLimit >= 3,
          `${name}: a failed pod is retried (restartPolicy ${pod.restartPolicy}, backoffLimit ${spec?.backoffLimit})`);
    check((spec?.podFailurePolicy?.rules ?? []).some((r) => r.action === "FailJob" && r.onExitCodes?.operator === "In" &&
          isDeepStrictEqual(r.onExitCodes.values, [2])), `${name}: exit 2 (bad mapping) fails the Job at once`);
    const res = c.resources ?? {};
    check(res.requests?.cpu !== undefined && res.limits?.cpu !== undefined && res.requests?.memory !== undefined &&
          res.requests.memory === res.limits?.memory, `${name}: CPU request and limit, memory request = limit`);
  }
  check(cron?.spec?.concurrencyPolicy === "Forbid", "cronjob.yaml: concurrencyPolicy Forbid");
  check(Number.isInteger(cron?.spec?.jobTemplate?.spec?.activeDeadlineSeconds) &&
        cron.spec.jobTemplate.spec.activeDeadlineSeconds < 86400, "cronjob.yaml: a night ends within a day");
  const { activeDeadlineSeconds, ...cronJobSpec } = cron?.spec?.jobTemplate?.spec ?? {};
  const { ttlSecondsAfterFinished, ...jobSpec } = job?.spec ?? {};
  check(isDeepStrictEqual(cronJobSpec, jobSpec), "cronjob.yaml: its Job spec is job.yaml's (but deadline and TTL)");
  check(job?.metadata?.generateName !== undefined && job.metadata.name === undefined,
        "job.yaml: generateName, so each Job (and run) has a new name");

  // Every pod: the image of this version, as the Dockerfile's numeric non-root user.
  const user = /^USER ([0-9]+):([0-9]+)$/m.exec(readFileSync(dockerfile, "utf8"));
  for (const [name, pod] of [["job.yaml", job?.spec?.template?.spec], ["cronjob.yaml", cron?.spec?.jobTemplate?.spec?.template?.spec],
                             ["admin-pod.yaml", admin?.spec]]) {
    check((pod?.containers ?? []).every((c) => c.image === `replicate:${version}`) && pod?.containers?.length > 0,
          `${name}: image replicate:${version} (CMakeLists.txt project VERSION)`);
    const sc = pod?.securityContext ?? {};
    check(user !== null && sc.runAsNonRoot === true && String(sc.runAsUser) === user[1] && String(sc.runAsGroup) === user[2],
          `${name}: runs as the Dockerfile's user ${user ? `${user[1]}:${user[2]}` : "(no USER UID:GID in the Dockerfile)"}`);
  }
  check(admin?.spec && mappingVolume(admin.spec) !== undefined &&
        (admin.spec.containers ?? []).some((c) => (c.envFrom ?? []).some((e) => e.secretRef?.name === secret?.metadata?.name)),
        "admin-pod.yaml: the mapping and the Secret, as the Jobs have them");
  if (failed > 0) process.exitCode = 1;
}

if (mode === "validate") await validate(args);
else if (mode === "content") content(...args);
else {
  console.error("usage: validate FILE... | content DIR MAPPING VERSION DOCKERFILE");
  process.exitCode = 2;
}
JS

checker() { (cd "$schema_dir" && node --input-type=module - "$@" <<<"$CHECKER"); }

passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

for module in yaml typescript kubernetes-models; do
  if [[ ! -f $schema_dir/node_modules/$module/package.json ]]; then
    echo "FAIL tests/schema/node_modules/$module is missing: run npm ci --prefix tests/schema (scripts/setup.sh does)"
    echo "0 passed, 1 failed"
    exit 1
  fi
done

version=$(sed -n 's/^project(replicate VERSION \([0-9.]*\) .*/\1/p' "$root/CMakeLists.txt")
[[ -n $version ]] || { echo "FAIL no project(replicate VERSION ...) in CMakeLists.txt"; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# configmap.yaml is what --write-configmap makes of the mapping, byte for byte.
if cmp -s <(configmap_text) "$k8s/configmap.yaml"; then
  ok "configmap.yaml is generated from mappings/bi_credores.yaml and up to date"
else
  fail "configmap.yaml differs from mappings/bi_credores.yaml: bash tests/packaging/kubernetes_manifests_test.sh --write-configmap"
fi

# 1. The manifests as shipped.
manifests=("$k8s"/*.yaml)
if out=$(checker validate "${manifests[@]}" 2>&1); then
  ok "the API types accept all ${#manifests[@]} manifests (${manifests[*]##*/})"
else
  fail "the API types reject a manifest:"
  echo "$out" | sed 's/^/     /'
fi

# 2. Broken copies must be rejected, each for its own reason; all in one run of the checker.
# rejected NAME SOURCE SED-EXPRESSION EXPECTED-TEXT: a copy of SOURCE edited by the expression
# must be invalid, with EXPECTED-TEXT in the reason.
broken_names=()
broken_files=()
broken_expected=()
rejected() {
  local copy=$work/broken-${#broken_files[@]}.yaml
  sed "$3" "$k8s/$2" >"$copy"
  if cmp -s "$copy" "$k8s/$2"; then
    fail "$1: the edit '$3' changed nothing in $2"
    return
  fi
  broken_names+=("$1")
  broken_files+=("$copy")
  broken_expected+=("$4")
}
rejected "unknown field (backofLimit)" job.yaml 's/^  backoffLimit:/  backofLimit:/' '"backofLimit"'
rejected "unknown field in the container (commands)" job.yaml 's/^          command:/          commands:/' '"commands"'
rejected "unknown field in the CronJob (concurencyPolicy)" cronjob.yaml 's/^  concurrencyPolicy:/  concurencyPolicy:/' '"concurencyPolicy"'
rejected "wrong type (completions: three)" job.yaml 's/^  completions: 3$/  completions: three/' 'completions'
rejected "wrong type (runAsNonRoot: \"yes\")" job.yaml 's/runAsNonRoot: true/runAsNonRoot: "yes"/' 'runAsNonRoot'
rejected "wrong type (stringData value 5432)" secret.template.yaml 's/PGPORT: "5432"/PGPORT: 5432/' 'PGPORT'
rejected "bad enum (completionMode: Indexd)" job.yaml 's/completionMode: Indexed/completionMode: Indexd/' 'completionMode'
rejected "bad enum (concurrencyPolicy: Forbidden)" cronjob.yaml 's/concurrencyPolicy: Forbid/concurrencyPolicy: Forbidden/' 'concurrencyPolicy'
rejected "missing required field (containerPort)" job.yaml '/containerPort: 9187/d' 'containerPort'
rejected "unknown kind (batch/v1 Jobs)" job.yaml 's/^kind: Job$/kind: Jobs/' 'unknown kind'
rejected "not YAML (a tab)" job.yaml 's/^  parallelism: 3$/\tparallelism: 3/' 'not YAML'
out=$(checker validate "${broken_files[@]}" 2>&1) || true
for i in "${!broken_files[@]}"; do
  verdict=$(grep -F "${broken_files[i]}: " <<<"$out" || true)
  if [[ $verdict == *": invalid: "*"${broken_expected[i]}"* ]]; then
    ok "rejected: ${broken_names[i]} (${verdict#*: invalid: })"
  else
    fail "${broken_names[i]}: not rejected for '${broken_expected[i]}': ${verdict:-$out}"
  fi
done

# 3. What the manifests promise, and that those checks fail on broken copies too.
if out=$(checker content "$k8s" "$root/mappings/bi_credores.yaml" "$version" "$root/packaging/docker/Dockerfile" 2>&1); then
  ok "the manifests say what they promise: $(grep -c '^ok' <<<"$out") checks"
else
  fail "the manifests break a promise:"
  echo "$out" | grep -v '^ok' | sed 's/^/     /'
fi
# content_fails NAME FILE SED-EXPRESSION EXPECTED-TEXT: in a copy of the directory with FILE
# edited, the content checks must fail, one of them naming EXPECTED-TEXT.
content_fails() {
  local name=$1 file=$2 edit=$3 expected=$4 dir=$work/content out
  rm -rf "$dir" && cp -r "$k8s" "$dir"
  sed -i "$edit" "$dir/$file"
  if cmp -s "$dir/$file" "$k8s/$file"; then
    fail "$name: the edit '$edit' changed nothing in $file"
    return
  fi
  out=$(checker content "$dir" "$root/mappings/bi_credores.yaml" "$version" "$root/packaging/docker/Dockerfile" 2>&1) &&
    { fail "$name: passed the content checks"; return; }
  if grep '^FAIL' <<<"$out" | grep -qF -- "$expected"; then
    ok "caught: $name"
  else
    fail "$name: not caught by '$expected': $(grep '^FAIL' <<<"$out" | tr '\n' ' ')"
  fi
}
content_fails "a real password in the Secret template" secret.template.yaml 's/MSSQL_PASSWORD: ""/MSSQL_PASSWORD: S3cret!/' 'placeholder'
content_fails "a password written into an env value" job.yaml 's/^            - name: REPLICATE_WORKERS$/            - {name: PGPASSWORD, value: S3cret}\n&/' 'literal credentials'
content_fails "a password in the README" README.md '$a MSSQL_PASSWORD=S3cret kubectl ...' 'README.md'
content_fails "the mapping in the ConfigMap edited" configmap.yaml 's/batch_size: 4000/batch_size: 5000/' 'verbatim'
content_fails "a variable of the mapping missing from the Secret" secret.template.yaml '/^  PGUSER:/d' 'every ${env'
content_fails "no --run-name" job.yaml '/^            - --run-name$/,+1d' '--run-name'
content_fails "the run name not from job-name" cronjob.yaml "s/metadata.labels\['job-name'\]/metadata.name/" 'label job-name'
content_fails "the CronJob's Job spec drifting from job.yaml's" cronjob.yaml 's/^      backoffLimit: 10$/      backoffLimit: 6/' "job.yaml's"
content_fails "concurrencyPolicy Allow" cronjob.yaml 's/concurrencyPolicy: Forbid/concurrencyPolicy: Allow/' 'Forbid'
content_fails "another image version" admin-pod.yaml "s/image: replicate:$version/image: replicate:0.0.0/" 'image'

echo "$passed passed, $failed failed"
((failed == 0))
