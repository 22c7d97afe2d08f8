#!/usr/bin/env bash
# bench/templates.sh: the template engine against Go (issue 28, point 6). Renders the golden
# cases (test/template/golden/cases/*.json) N times through jetpack's engine (one Node process,
# bench/templates-render.mjs importing src/template/engine.ts bundled by esbuild as dist/ is;
# Node's start-up included) and through Go 1.19's text/template + Sprig 3.2.3 (gen.go built
# once, `gen -render-only N`): every case, then every case but crypto.json's key generation.
# N is chosen so that the faster side takes over a second; both sides render the same N
# passes. Target: jetpack <= 3x Go. Rewrites its section of docs/BENCHMARKS.md (NO_DOC=1
# only prints).
#   bash bench/templates.sh [ROUNDS]   (default 5 runs per side, alternating; no root needed;
#                                       needs golang-go and the Debian Sprig packages, see gen.go)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=${1:-${ROUNDS:-5}}
mkdir -p bench/work
ERRLOG=$repo/bench/work/last-templates-run.log
: >"$ERRLOG"
source bench/lib.sh
command -v go >/dev/null || { echo "templates-bench: go is not installed (apt-get install golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev golang-github-burntsushi-toml-dev)" >&2; exit 1; }
# Inside the repository, so the bundle finds node_modules (the yaml package) as dist/ does.
work=$(mktemp -d "$repo/bench/work/templates.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'echo "templates-bench: failed; last lines of $ERRLOG:" >&2; tail -n 20 "$ERRLOG" >&2 || true' ERR

rev=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- src/template 2>/dev/null || rev="$rev + uncommitted changes in src/template"
printf "export * from '%s/src/template/engine.ts';\nexport { goValuesFromJson } from '%s/src/template/values.ts';\n" "$repo" "$repo" >"$work/entry.ts"
node_modules/.bin/esbuild "$work/entry.ts" --bundle --platform=node --target=node20 --format=esm \
  --packages=external --log-level=warning --outfile="$work/template-engine.mjs"
(cd test/template/golden && GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$work/gen" gen.go) 2>>"$ERRLOG"

golden=$repo/test/template/golden
all_files=$(cd "$golden" && ls cases/*.json)
# crypto.json generates RSA, DSA and ECDSA keys and certificates: most of a pass on both sides,
# so the second row leaves it out.
rest_files=$(cd "$golden" && ls cases/*.json | grep -v '^cases/crypto\.json$')
run_go() { local n=$1; shift; (cd "$golden" && "$work/gen" -render-only "$n" "$@"); }
run_jetpack() { local n=$1; shift; (cd "$golden" && node "$repo/bench/templates-render.mjs" "$work/template-engine.mjs" "$n" "$@"); }
# shellcheck disable=SC2086
jetpack_check=$(run_jetpack 1 $all_files 2>&1 >/dev/null | tail -n 1)
ncases() { (cd "$golden" && cat "$@" | grep -c '"template":'); }

# N: double until the faster side (Go, normally) takes over 1.5 s, so that it stays over a second
# when the machine is quieter than during the calibration.
calibrate() {
  local n=1 t
  while :; do
    t=$(timed run_go "$n" "$@")
    if awk -v t="$t" 'BEGIN { exit !(t > 1.5) }'; then break; fi
    n=$((n * 2))
  done
  echo "$n"
}

wait_quiet "${QUIET_WAIT:-60}"
rows=""
runs=""
cpu_mark
for set in all rest; do
  if [ "$set" = all ]; then files=$all_files; what="every golden case"; else files=$rest_files; what="every golden case but crypto.json (key generation)"; fi
  # shellcheck disable=SC2086
  n=$(calibrate $files)
  # shellcheck disable=SC2086
  timed run_jetpack "$n" $files >/dev/null # warm-up
  g=() j=()
  for ((i = 0; i < rounds; i++)); do
    # shellcheck disable=SC2086
    if ((i % 2)); then j+=("$(timed run_jetpack "$n" $files)"); g+=("$(timed run_go "$n" $files)")
    else g+=("$(timed run_go "$n" $files)"); j+=("$(timed run_jetpack "$n" $files)"); fi
  done
  for t in "${g[@]}" "${j[@]}"; do [ -n "$t" ] || { echo "templates-bench: a run failed; see $ERRLOG" >&2; exit 1; }; done
  gm=$(median "${g[@]}") jm=$(median "${j[@]}")
  ratio=$(awk -v a="$jm" -v b="$gm" 'BEGIN { printf "%.2f", a / b }')
  met=$(awk -v r="$ratio" 'BEGIN { print (r <= 3) ? "yes" : "**no**" }')
  # shellcheck disable=SC2086
  c=$(ncases $files)
  per=$(awk -v j="$jm" -v g="$gm" -v n="$n" -v c="$c" 'BEGIN { printf "jetpack %.0f µs, Go %.0f µs", j / (n * c) * 1e6, g / (n * c) * 1e6 }')
  rows="$rows| $what ($c cases) × $n (median of $rounds) | $jm | $gm | **$ratio** | ≤ 3 | $met |
"
  runs="$runs$what: jetpack ${j[*]}; Go ${g[*]} (per case and pass: $per).
"
done
cpu_others

section=$(cat <<MD
## Templates vs Go text/template + Sprig (issue 28)

Made by \`bash bench/templates.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $rev); rerunning the script rewrites this section.
$(nproc) CPUs, Linux $(uname -r), Node $(node --version), $(go version | awk '{ print $3 }'). Other work on the machine during the runs: ${OTHERS_CPU} CPU-seconds in ${RUN_WALL} s.

The golden cases of \`test/template/golden/cases/\` (reading the file, parsing, executing,
errors included) rendered N times over: by jetpack's engine in one Node process
(\`bench/templates-render.mjs\`, start-up included) and by Go 1.19 + Sprig 3.2.3 under Helm's
rules (\`gen.go -render-only N\`, built once).

| Work | jetpack (s) | Go (s) | Ratio | Target | Met |
|---|---:|---:|---:|---:|---|
${rows}
Runs: ${runs}jetpack on one pass of every case: ${jetpack_check}.
MD
)
echo "$section"
if [ -z "${NO_DOC:-}" ]; then replace_section "$section"; fi
