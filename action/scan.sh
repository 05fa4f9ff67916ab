#!/usr/bin/env bash
# The action's scan step: runs linkaudit scan with the inputs, writes the reports, the job
# summary and the step's outputs, and records the exit code without failing the step (the gate
# step after the SARIF upload does), so that findings reach code scanning on a failing gate too.
set -uo pipefail

bin="${LINKAUDIT_BIN:?LINKAUDIT_BIN is not set}"
out="${INPUT_OUTPUT_DIR:-linkaudit-report}"
args=(scan --format sarif,json,markdown --output-dir "$out" --fail-on "${INPUT_FAIL_ON:-high}")
if [[ -n "${INPUT_SNAPSHOT:-}" ]]; then args+=(--snapshot "$INPUT_SNAPSHOT"); fi
while IFS= read -r path; do
  path="${path#"${path%%[![:space:]]*}"}"; path="${path%"${path##*[![:space:]]}"}"
  if [[ -n "$path" ]]; then args+=(--iac "$path"); fi
done <<< "${INPUT_IAC:-}"
# Extra arguments split on white space, never evaluated by the shell (no globbing, no $(…)).
read -r -a extra <<< "${INPUT_ARGS:-}"
args+=("${extra[@]}")

mkdir -p "$out"
set +e
if [[ "$bin" == *.js ]]; then node "$bin" "${args[@]}"; else "$bin" "${args[@]}"; fi
code=$?
set -e

outputs="${GITHUB_OUTPUT:-/dev/null}"
echo "exit-code=$code" >> "$outputs"
for format in sarif json markdown; do
  case $format in sarif) file="$out/linkaudit.sarif" ;; json) file="$out/linkaudit.json" ;; markdown) file="$out/linkaudit.md" ;; esac
  if [[ -f "$file" ]]; then echo "$format=$file" >> "$outputs"; else echo "$format=" >> "$outputs"; fi
done
if [[ -f "$out/linkaudit.json" ]]; then
  node -e '
    const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).summary.total;
    for (const k of ["fail", "pass", "unknown"]) console.log(`${k}=${Number(t[k]) || 0}`);
  ' "$out/linkaudit.json" >> "$outputs"
else
  printf 'fail=\npass=\nunknown=\n' >> "$outputs"
fi
if [[ "${INPUT_STEP_SUMMARY:-true}" == "true" && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  if [[ -f "$out/linkaudit.md" ]]; then
    # GitHub takes at most 1 MiB per step summary; the Markdown report is capped below that.
    head -c 1000000 "$out/linkaudit.md" >> "$GITHUB_STEP_SUMMARY"
  else
    echo "linkaudit exited $code and wrote no report: see the step's log." >> "$GITHUB_STEP_SUMMARY"
  fi
fi
exit 0
