#!/usr/bin/env bash
# bench/portable.sh: jetpack export -format=portable of the ~178 MB Debian minbase image (with a
# unit file added, so that it is a portable service image) against mksquashfs of the same
# rendered tree with the same options, in one run, on a fresh journaled ext4 loop filesystem
# (bench/lib.sh).                                                                target <= 1.1x
# Rewrites its section of docs/BENCHMARKS.md.
#   bash bench/portable.sh [ROUNDS]   (as root; default 3; ~2 min; needs bench/work/rootfs.tar,
#                                      made by bench/import-export.sh)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=${1:-3}
source bench/lib.sh
bench_needs portable mksquashfs
ERRLOG=$repo/bench/work/last-portable-run.log
: >"$ERRLOG"
FS_IMAGE=$repo/bench/work/portable-fs.img
MNT=$repo/bench/work/portable-fs
trap 'drop_bench_fs "$FS_IMAGE" "$MNT"' EXIT
trap 'echo "portable-bench: failed; last lines of $ERRLOG:" >&2; tail -n 20 "$ERRLOG" >&2 || true' ERR
make_bench_fs "$FS_IMAGE" "$MNT" $((4 * 1024 * 1024 * 1024))

jp="$repo/bin/jetpack -root=$MNT/store"
printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"bench/debian"}' >"$MNT/debian.json"
"$repo/share/makeaci" bench/work/rootfs.tar "$MNT/debian.json" "$MNT/debian.aci" >/dev/null 2>>"$ERRLOG"
base=$($jp import "$MNT/debian.aci" 2>>"$ERRLOG")
mkdir -p "$MNT/b"
printf '{"name":"bench/portable"}' >"$MNT/b/manifest.json"
child=$($jp build -dir "$MNT/b" "$base" /bin/sh -c 'printf "[Service]\nExecStart=/usr/bin/sleep infinity\n" > /usr/lib/systemd/system/bench-portable.service && : > /etc/machine-id' 2>>"$ERRLOG")
# The same tree for mksquashfs: the image rendered, as export -flat writes it.
mkdir -p "$MNT/tree"
$jp export -flat "$child" - 2>>"$ERRLOG" | tar -x --numeric-owner --same-owner -p --xattrs --xattrs-include='*' -C "$MNT/tree"

jet() { rm -f "$MNT/bench-portable_1.raw"; $jp export -format=portable "$child" "$MNT/bench-portable_1.raw"; }
sq() { rm -f "$MNT/peer.raw"; mksquashfs "$MNT/tree/rootfs" "$MNT/peer.raw" -noappend -quiet -no-progress; }
j=() p=()
cpu_mark
for ((i = 0; i < rounds; i++)); do j+=("$(timed jet)"); p+=("$(timed sq)"); done
cpu_others
jm=$(median "${j[@]}") pm=$(median "${p[@]}")
ratio=$(awk -v a="$jm" -v b="$pm" 'BEGIN { printf "%.2f", a / b }')
met=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.1) ? "yes" : "**no**" }')

section=$(cat <<MD
## Portable service export vs mksquashfs (issue: portable services)

Made by \`bash bench/portable.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $(git rev-parse --short HEAD)); rerunning the script rewrites this section.
The Debian bookworm minbase image with a unit file added (two layers), on a fresh journaled ext4 loop filesystem; median of $rounds rounds.
$(nproc) CPUs, Linux $(uname -r), $(mksquashfs -version | head -n 1). Other work on the machine during the runs: ${OTHERS_CPU} CPU-seconds in ${RUN_WALL} s.

| Work | jetpack (s) | peer (s) | Ratio | Target | Met |
|---|---:|---:|---:|---:|---|
| \`export -format=portable IMAGE NAME_1.raw\` (check, then mksquashfs of the overlay-rendered image) vs \`mksquashfs TREE OUT -noappend\` of the same tree already on disk | $jm | $pm | **$ratio** | ≤ 1.1 | $met |

Runs: jetpack ${j[*]}; mksquashfs ${p[*]}. jetpack's part beyond mksquashfs is the rule check (os-release, units,
the ExecStart program and its libraries read through the layers) and the overlay mount; the
resolv.conf it adds is a pseudo entry, so nothing is copied.
MD
)
echo "$section"
replace_section "$section"
