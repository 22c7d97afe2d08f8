#!/usr/bin/env bash
# bench/script.sh: image scripts and the typed API (issue: scripted derivative images), in one run:
# - a no-op `jetpack script images/example.zx-hello` (nothing changed)            target <= 150 ms
# - images/example.matrix/build.mjs building its 4 trivial variants with CONCURRENCY=2, against
#   4 sequential `make` runs of the same 4 images as Makefile image directories    target <= 0.7x
# Rewrites its section of docs/BENCHMARKS.md.
#   bash bench/script.sh [ROUNDS]   (as root; default 5; ~1 min; builds images/busybox itself)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=${1:-5}
ERRLOG=$repo/bench/work/last-script-run.log
mkdir -p bench/work && : >"$ERRLOG"
source bench/lib.sh
[ "$(id -u)" = 0 ] || { echo "script-bench: run as root" >&2; exit 1; }
work=$(mktemp -d /tmp/jetpack-bench-script.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'echo "script-bench: failed; last lines of $ERRLOG:" >&2; tail -n 20 "$ERRLOG" >&2 || true' ERR
jp="$repo/bin/jetpack -root=$work/store"

cp -r images/busybox images/example.zx-hello "$work/"
make -s -C "$work/busybox" JETPACK="$jp" clean >/dev/null
make -s -C "$work/busybox" JETPACK="$jp" >/dev/null 2>>"$ERRLOG"
$jp script "$work/example.zx-hello" clean 2>>"$ERRLOG"
$jp script "$work/example.zx-hello" >/dev/null 2>>"$ERRLOG"

# The matrix's variants as Makefile image directories: the same parent, command and manifest.
for v in alpha beta gamma delta; do
  mkdir -p "$work/make-$v"
  printf 'PARENT_IMAGE = jetpack/busybox\n\nbuild:\n\techo "%s: a variant" > /etc/motd\n\ninclude $(shell %s config path.share)/jetpack.image.mk\n' "$v" "$repo/bin/jetpack" >"$work/make-$v/Makefile"
  printf '{"name":"example/matrix-%s","labels":[{"name":"version","value":"1.0.0"}],"app":{"exec":["/bin/cat","/etc/motd"],"user":"0","group":"0"}}\n' "$v" >"$work/make-$v/manifest.json"
done
printf '[%s]\n' "$(for v in alpha beta gamma delta; do printf '{"name":"%s","message":"%s: a variant"},' "$v" "$v"; done | sed 's/,$//')" >"$work/variants.json"

noop() { $jp script "$work/example.zx-hello"; }
matrix() { JETPACK="$jp" CONCURRENCY=2 node images/example.matrix/build.mjs "$work/variants.json"; }
makes() { for v in alpha beta gamma delta; do make -s -C "$work/make-$v" JETPACK="$jp" clean && make -s -C "$work/make-$v" JETPACK="$jp"; done; }
n=() m=() k=()
cpu_mark
for ((i = 0; i < rounds * 4; i++)); do n+=("$(timed noop)"); done
for ((i = 0; i < rounds; i++)); do m+=("$(timed matrix)"); k+=("$(timed makes)"); done
cpu_others
nm=$(median "${n[@]}") mm=$(median "${m[@]}") km=$(median "${k[@]}")
noop_ms=$(awk -v s="$nm" 'BEGIN { printf "%d", s * 1000 }')
ratio=$(awk -v a="$mm" -v b="$km" 'BEGIN { printf "%.2f", a / b }')
noop_met=$(awk -v x="$noop_ms" 'BEGIN { print (x <= 150) ? "yes" : "**no**" }')
met=$(awk -v r="$ratio" 'BEGIN { print (r <= 0.7) ? "yes" : "**no**" }')

section=$(cat <<MD
## Image scripts and the matrix vs make (issue: scripted derivative images)

Made by \`bash bench/script.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $(git rev-parse --short HEAD)); rerunning the script rewrites this section.
$(nproc) CPUs, Linux $(uname -r), Node $(node --version), $(make --version | head -n 1). Other work on the machine during the runs: ${OTHERS_CPU} CPU-seconds in ${RUN_WALL} s.

| Work | jetpack | peer | Ratio | Target | Met |
|---|---:|---:|---:|---:|---|
| no-op \`jetpack script images/example.zx-hello\` (median of $((rounds * 4))) | ${noop_ms} ms | | | ≤ 150 ms | $noop_met |
| \`images/example.matrix/build.mjs\`, 4 trivial variants, \`CONCURRENCY=2\` vs \`make clean && make\` of the same 4 images one after another (median of $rounds) | $mm s | $km s | **$ratio** | ≤ 0.7 | $met |

Runs: no-op ${n[*]}; matrix ${m[*]}; make ${k[*]}. A no-op script reads image.mjs, lists the
directory's files and checks the parent's ID in the store; it starts no container. The matrix
runs two \`jetpack build\`s at a time through the API; each make runs its parent check and one build.
MD
)
echo "$section"
replace_section "$section"
