#!/usr/bin/env bash
# bench/runtime.sh: the runtime workflow (MaPS) against plain tools, in one run, on the
# ~178 MB Debian bookworm minbase tree:
#   commit      jetpack package --commit TREE REF (into a new bare repo) against
#               ostree init && ostree commit of the same tree with its 8 device nodes removed
#               (ostree refuses them; jetpack leaves them out itself)             target <= 1.1x
#   initialize  jetpack package --initialize DIR --from IMAGE (a store image) against
#               cp -a of the image's rendered tree                               target <= 1.2x
# Runs on a fresh journaled ext4 loop filesystem (bench/lib.sh, make_bench_fs).
# Rewrites its section of docs/BENCHMARKS.md.
#   bash bench/runtime.sh [ROUNDS]   (as root; default 5 rounds per side, alternating; ~3 min;
#                                     needs bench/work/rootfs.tar, made by bench/import-export.sh)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=${1:-5}
source bench/lib.sh
bench_needs runtime ostree
ERRLOG=$repo/bench/work/last-runtime-run.log
: >"$ERRLOG"

FS_IMAGE=$repo/bench/work/runtime-fs.img
MNT=$repo/bench/work/runtime-fs
trap 'drop_bench_fs "$FS_IMAGE" "$MNT"' EXIT
trap 'echo "runtime-bench: failed; last lines of $ERRLOG:" >&2; tail -n 20 "$ERRLOG" >&2 || true' ERR
make_bench_fs "$FS_IMAGE" "$MNT" $((4 * 1024 * 1024 * 1024))

jp="$repo/bin/jetpack -root=$MNT/store"
REF=org.debian.minbase/x86_64/12
mkdir "$MNT/tree"
tar -xf bench/work/rootfs.tar -C "$MNT/tree" --numeric-owner --same-owner -p --xattrs --xattrs-include='*' --acls
cp -a "$MNT/tree" "$MNT/tree-nodev"
find "$MNT/tree-nodev" \( -type b -o -type c -o -type p -o -type s \) -delete
printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"bench/debian"}' >"$MNT/debian.json"
"$repo/share/makeaci" bench/work/rootfs.tar "$MNT/debian.json" "$MNT/debian.aci" >/dev/null 2>>"$ERRLOG"
image=$($jp import "$MNT/debian.aci" 2>>"$ERRLOG")
rendered=$MNT/store/images/$image/rootfs
size=$(du -sb --exclude=dev "$MNT/tree" | cut -f1)

jet_commit() { rm -rf "$MNT/r-jet"; $jp package --commit "$MNT/tree" "$REF" --repo "$MNT/r-jet"; }
ostree_commit() { rm -rf "$MNT/r-ost"; ostree init --repo="$MNT/r-ost" --mode=bare && ostree commit --repo="$MNT/r-ost" --branch="$REF" --tree=dir="$MNT/tree-nodev"; }
jet_init() { rm -rf "$MNT/i-jet"; $jp package --initialize "$MNT/i-jet" --from bench/debian; }
cp_init() { rm -rf "$MNT/i-cp"; cp -a "$rendered" "$MNT/i-cp"; }

# Warm-up: the page cache, the store's tools. Both commits must give the same tree.
jet_commit >/dev/null 2>>"$ERRLOG"; ostree_commit >/dev/null 2>>"$ERRLOG"
content() { ostree --repo="$1" show "$REF" | awk '/^ContentChecksum:/ { print $2 }'; }
[ "$(content "$MNT/r-jet")" = "$(content "$MNT/r-ost")" ] || { echo "runtime-bench: jetpack and ostree committed different trees" >&2; exit 1; }
jet_init 2>>"$ERRLOG"; cp_init

jc=() oc=() ji=() ci=()
cpu_mark
for ((i = 0; i < rounds; i++)); do
  if ((i % 2)); then
    oc+=("$(timed ostree_commit)"); jc+=("$(timed jet_commit)"); ci+=("$(timed cp_init)"); ji+=("$(timed jet_init)")
  else
    jc+=("$(timed jet_commit)"); oc+=("$(timed ostree_commit)"); ji+=("$(timed jet_init)"); ci+=("$(timed cp_init)")
  fi
done
cpu_others
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
met() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "yes" : "**no**" }'; }
jcm=$(median "${jc[@]}") ocm=$(median "${oc[@]}") jim=$(median "${ji[@]}") cim=$(median "${ci[@]}")
rc=$(ratio "$jcm" "$ocm") ri=$(ratio "$jim" "$cim")

section=$(cat <<MD
## Runtimes vs ostree and cp (issue: runtime trees)

Made by \`bash bench/runtime.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $(git rev-parse --short HEAD)); rerunning the script rewrites this section.
The Debian bookworm minbase tree ($(MB "$size") without /dev) on a fresh journaled ext4 loop filesystem; median wall-clock
seconds of $rounds runs per side, alternating. $(nproc) CPUs, Linux $(uname -r), $(ostree --version | awk '/Version/ { print "ostree " $2 }' | tr -d "'").
Other work on the machine during the runs: ${OTHERS_CPU} CPU-seconds in ${RUN_WALL} s.

| Work | jetpack (s) | peer (s) | Ratio | Target | Met |
|---|---:|---:|---:|---:|---|
| \`package --commit TREE REF\` vs \`ostree init && ostree commit\` (devices removed beforehand) | $jcm | $ocm | **$rc** | ≤ 1.1 | $(met "$rc" 1.1) |
| \`package --initialize DIR --from IMAGE\` vs \`cp -a\` of the rendered tree | $jim | $cim | **$ri** | ≤ 1.2 | $(met "$ri" 1.2) |

Runs: commit jetpack ${jc[*]}, ostree ${oc[*]}; initialize jetpack ${ji[*]}, cp ${ci[*]}.
Both commits give the same ContentChecksum (checked before timing). jetpack's commit also
finds the device nodes and leaves them out through a read-only overlay (no copy of the tree),
adds up the tree's size and records the manifest.toml; its initialize copies with GNU tar
(owners, modes, xattrs, ACLs, devices, hardlinks) as \`cp -a\` does.
MD
)
echo "$section"
replace_section "$section"
