#!/usr/bin/env bash
# bench/job.sh: a stage job (jetpack metro run) against the same work done by hand, in one
# run: an http source of the ~170 MB Debian minbase tarball as .tar.xz (served on loopback),
# one inner hook, a .tar.xz output. The hand-made pipeline:
#   curl -o src.tar.xz URL && tar -xJf src.tar.xz -C rootfs && chroot rootfs /bin/sh -c HOOK &&
#   tar -C rootfs -c . | xz -T0 > out.tar.xz
# jetpack's download cache is removed before each of its runs, so both sides download.
# Target: jetpack <= 1.15x the pipeline. Rewrites its section of docs/BENCHMARKS.md.
#   bash bench/job.sh [ROUNDS]     (as root; default 3 rounds per side, alternating; ~5 min;
#                                   needs bench/work/rootfs.tar, made by bench/import-export.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=${1:-3}
source bench/lib.sh
bench_needs job curl xz python3 chroot
[ -f bench/work/debian-minbase.tar.xz ] || xz -T0 -c bench/work/rootfs.tar > bench/work/debian-minbase.tar.xz
work=$(mktemp -d "$repo/bench/work/job.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 -d bench/work >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
url="http://127.0.0.1:$port/debian-minbase.tar.xz"
hook='echo benchmarked > /etc/bench && ls /usr/bin | wc -l > /etc/bench.count'

mkdir -p "$work/job/hooks"
cat > "$work/job/job.yaml" <<YAML
jobs:
- name: bench
  source: { type: http, uri: "$url", target: ./cache/src.tar.xz }
  output: { type: file, name: out.tar.xz, dir: ./out }
  workspacedir: ./ws
  hooks_basedir: ./hooks
  hooks_files: [h.yml]
YAML
printf 'hooks:\n- name: h\n  entrypoint: [/bin/sh, -c]\n  commands: [%s]\n' "'$hook'" > "$work/job/hooks/h.yml"
jp="$repo/bin/jetpack -root=$work/store"

run_jetpack() {
  rm -rf "$work/job/cache" "$work/job/out"
  $jp metro run --quiet --specfile "$work/job/job.yaml" --job bench >/dev/null
}
run_hand() {
  rm -rf "$work/hand" && mkdir -p "$work/hand/rootfs"
  curl -sf -o "$work/hand/src.tar.xz" "$url"
  tar -xJf "$work/hand/src.tar.xz" -C "$work/hand/rootfs" --numeric-owner --xattrs --xattrs-include='*' --acls
  chroot "$work/hand/rootfs" /bin/sh -c "$hook"
  tar -C "$work/hand/rootfs" --numeric-owner --xattrs --acls -cf - . | xz -T0 > "$work/hand/out.tar.xz"
}
secs() { local t0=$EPOCHREALTIME; "$@"; local t1=$EPOCHREALTIME; awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'; }

run_jetpack # warm-up: the store, the tools, the page cache
jet=() hand=()
for ((i = 0; i < rounds; i++)); do
  sync
  if ((i % 2)); then hand+=("$(secs run_hand)"); sync; jet+=("$(secs run_jetpack)")
  else jet+=("$(secs run_jetpack)"); sync; hand+=("$(secs run_hand)"); fi
done
jm=$(median "${jet[@]}")
hm=$(median "${hand[@]}")
ratio=$(awk -v a="$jm" -v b="$hm" 'BEGIN { printf "%.2f", a / b }')
met=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.15) ? "yes" : "**no**" }')
size=$(stat -c %s bench/work/debian-minbase.tar.xz)

section=$(cat <<MD
## Stage job vs a hand-made pipeline (issue: stage jobs)

Made by \`bash bench/job.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $(git rev-parse --short HEAD)); rerunning the script rewrites this section.
An http source (the Debian bookworm minbase tarball as .tar.xz, $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }'), served on loopback),
one inner hook, a .tar.xz output; median wall-clock seconds of $rounds runs per side, alternating.
$(nproc) CPUs, Linux $(uname -r), $(xz --version | head -1).

| Work | jetpack metro run (s) | curl + tar -xJ + chroot + tar \| xz -T0 (s) | Ratio | Target | Met |
|---|---:|---:|---:|---:|---|
| stage job | $jm | $hm | **$ratio** | ≤ 1.15 | $met |

Runs: jetpack ${jet[*]}; by hand ${hand[*]}. jetpack does more than the pipeline: the inner
hook runs in a container (namespaces, /proc, /dev, the host's resolv.conf), and the output
is deterministic (names sorted, PAX headers) and fsynced.
MD
)
echo "$section"
replace_section "$section"
