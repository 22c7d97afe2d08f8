#!/usr/bin/env bash
# bench/make-noop.sh: how long a second `make` in an image directory takes when nothing
# changed (target: under 100 ms), against `make` of a plain Makefile with one up-to-date
# file target (the floor: make's own start-up). Prints a table and rewrites its section of
# docs/BENCHMARKS.md. Needs root (it builds images/busybox and images/example.hello into a
# scratch store). Usage: bash bench/make-noop.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=${1:-21}
work=$(mktemp -d /tmp/jetpack-bench-make.XXXXXX)
trap 'rm -rf "$work"' EXIT
jp="$repo/bin/jetpack -root=$work/store"

cp -r images/busybox images/example.hello "$work/"
make -s -C "$work/busybox" JETPACK="$jp" clean >/dev/null
make -s -C "$work/busybox" JETPACK="$jp" >/dev/null 2>&1
make -s -C "$work/example.hello" JETPACK="$jp" clean >/dev/null
make -s -C "$work/example.hello" JETPACK="$jp" >/dev/null 2>&1
make -s -C "$work/example.hello" JETPACK="$jp" >/dev/null 2>&1   # the parent check after the store changed

mkdir "$work/plain" && printf 'out: in\n\tcp in out\n' > "$work/plain/Makefile" && touch "$work/plain/in" && make -s -C "$work/plain"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { # DIR [MAKE ARGS...]: one run, in milliseconds
  local dir=$1; shift
  local t0 t1
  t0=$(date +%s%N); make -s -C "$dir" "$@" >/dev/null; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
jet=(); plain=()
for ((i = 0; i < rounds; i++)); do
  jet+=("$(time_ms "$work/example.hello" JETPACK="$jp")")
  plain+=("$(time_ms "$work/plain")")
done
jm=$(printf '%s\n' "${jet[@]}" | median)
pm=$(printf '%s\n' "${plain[@]}" | median)
calls=$(strace -f -e trace=execve make -s -C "$work/example.hello" JETPACK="$jp" 2>&1 | grep -c 'execve("[^"]*/node", .* = 0' || true)
met=$([ "$jm" -lt 100 ] && echo yes || echo '**no**')

section=$(cat <<MD
## No-op make (issue: make macros)

Made by \`bash bench/make-noop.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $(git rev-parse --short HEAD)); rerunning the script rewrites this section.
A second \`make\` in \`images/example.hello\` (built, nothing changed) against \`make\` of a plain
one-rule Makefile whose target is up to date. Median of $rounds runs, milliseconds.
$(nproc) CPUs, Linux $(uname -r), $(make --version | head -1).

| Case | jetpack image dir (ms) | plain Makefile (ms) | Target | Met |
|---|---:|---:|---:|---|
| no-op \`make\` | $jm | $pm | < 100 | $met |

Node processes started by the no-op run: $calls: the
include line's \`jetpack config path.share\` is answered by \`bin/jetpack\`'s shell fast path,
and the parent image is looked up again only when the store's \`images/\` directory changed.
MD
)
echo "$section"
doc=docs/BENCHMARKS.md
python3 - "$doc" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip() + "\n\n"
text = open(path).read()
pattern = re.compile(r"## No-op make \(issue: make macros\)\n.*?(?=\n## |\Z)", re.S)
text = pattern.sub(section.rstrip() + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
echo "== updated $doc"
