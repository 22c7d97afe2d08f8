#!/usr/bin/env bash
# bench/templates.sh: the template engine against Go (issue 28, point 6). Renders every golden
# case (test/template/golden/cases/*.json) N times through jetpack's engine (one Node process,
# bench/templates-render.mjs importing src/template/engine.ts bundled by esbuild as dist/ is;
# Node's start-up included) and through Go 1.19's text/template + Sprig 3.2.3 (gen.go built
# once, `gen -render-only N`). N is chosen so that the faster side takes over a second; both
# sides render the same N passes. Target: jetpack <= 3x Go. Rewrites its section of
# docs/BENCHMARKS.md (NO_DOC=1 only prints).
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
run_go() { (cd "$golden" && "$work/gen" -render-only "$1"); }
run_jetpack() { (cd "$golden" && node "$repo/bench/templates-render.mjs" "$work/template-engine.mjs" "$1"); }
ncases=$(cat test/template/golden/cases/*.json | grep -c '"template":' || true)
nfiles=$(ls test/template/golden/cases/*.json | wc -l)
run_jetpack 1 2>"$work/jetpack-check" >/dev/null || true
jetpack_check=$(cat "$work/jetpack-check")

# N: double until the faster side (Go, normally) takes over 1.5 s, so that it stays over a second
# when the machine is quieter than during the calibration.
n=1
while :; do
  t=$(timed run_go "$n")
  if awk -v t="$t" 'BEGIN { exit !(t > 1.5) }'; then break; fi
  n=$((n * 2))
done
timed run_jetpack "$n" >/dev/null # warm-up

wait_quiet "${QUIET_WAIT:-60}"
g=() j=()
cpu_mark
for ((i = 0; i < rounds; i++)); do
  if ((i % 2)); then j+=("$(timed run_jetpack "$n")"); g+=("$(timed run_go "$n")")
  else g+=("$(timed run_go "$n")"); j+=("$(timed run_jetpack "$n")"); fi
done
cpu_others
gm=$(median "${g[@]}") jm=$(median "${j[@]}")
ratio=$(awk -v a="$jm" -v b="$gm" 'BEGIN { printf "%.2f", a / b }')
met=$(awk -v r="$ratio" 'BEGIN { print (r <= 3) ? "yes" : "**no**" }')
per_go=$(awk -v s="$gm" -v n="$n" -v c="$ncases" 'BEGIN { printf "%.1f", s / (n * c) * 1e6 }')
per_jet=$(awk -v s="$jm" -v n="$n" -v c="$ncases" 'BEGIN { printf "%.1f", s / (n * c) * 1e6 }')

section=$(cat <<MD
## Templates vs Go text/template + Sprig (issue 28)

Made by \`bash bench/templates.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $rev); rerunning the script rewrites this section.
$(nproc) CPUs, Linux $(uname -r), Node $(node --version), $(go version | awk '{ print $3 }'). Other work on the machine during the runs: ${OTHERS_CPU} CPU-seconds in ${RUN_WALL} s.

Every golden case ($ncases cases in $nfiles files of \`test/template/golden/cases/\`: reading the
file, parsing, executing, errors included) rendered $n times over: by jetpack's engine in one
Node process (\`bench/templates-render.mjs\`, start-up included) and by Go 1.19 + Sprig 3.2.3
under Helm's rules (\`gen.go -render-only $n\`, built once).

| Work | jetpack (s) | Go (s) | Ratio | Target | Met |
|---|---:|---:|---:|---:|---|
| all golden cases × $n (median of $rounds) | $jm | $gm | **$ratio** | ≤ 3 | $met |

Per case and pass: jetpack ${per_jet} µs, Go ${per_go} µs. Runs: jetpack ${j[*]}; Go ${g[*]}.
jetpack on one pass: ${jetpack_check}.
MD
)
echo "$section"
if [ -z "${NO_DOC:-}" ]; then replace_section "$section"; fi
