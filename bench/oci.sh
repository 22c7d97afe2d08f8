#!/usr/bin/env bash
# bench/oci.sh: OCI export and push against buildah and skopeo, in one run, on a fresh journaled
# ext4 loop filesystem (bench/lib.sh):
#   export   jetpack export -format=oci-archive of the ~178 MB Debian minbase image and of a
#            3-layer child, the first time (layers compressed; also at -compress-level=6 for
#            the minbase) and again (kept blobs), against
#            buildah push IMAGE oci-archive:FILE of the same images (pulled into buildah from
#            jetpack's archives)                                                  target <= 0.5x
#   push     jetpack push of the child to a registry on loopback against skopeo copy of the same
#            OCI layout to it                                                    target <= 1.1x
# Rewrites its section of docs/BENCHMARKS.md.
#   bash bench/oci.sh [ROUNDS]   (as root; default 3 rounds; ~4 min; needs bench/work/rootfs.tar,
#                                 made by bench/import-export.sh)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=${1:-3}
source bench/lib.sh
bench_needs oci buildah skopeo docker-registry curl
ERRLOG=$repo/bench/work/last-oci-run.log
: >"$ERRLOG"

FS_IMAGE=$repo/bench/work/oci-fs.img
MNT=$repo/bench/work/oci-fs
registry=
cleanup() { kill $registry 2>/dev/null || true; wait 2>/dev/null || true; drop_bench_fs "$FS_IMAGE" "$MNT"; }
trap cleanup EXIT
trap 'echo "oci-bench: failed; last lines of $ERRLOG:" >&2; tail -n 20 "$ERRLOG" >&2 || true' ERR
make_bench_fs "$FS_IMAGE" "$MNT" $((6 * 1024 * 1024 * 1024))

jp="$repo/bin/jetpack -root=$MNT/store"
B() { buildah --root "$MNT/buildah" --runroot "$MNT/buildah-run" --storage-driver vfs "$@"; }

printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"bench/debian"}' >"$MNT/debian.json"
"$repo/share/makeaci" bench/work/rootfs.tar "$MNT/debian.json" "$MNT/debian.aci" >/dev/null 2>>"$ERRLOG"
base=$($jp import "$MNT/debian.aci" 2>>"$ERRLOG")
mkdir -p "$MNT/b1" "$MNT/b2"
printf '{"name":"bench/child1"}' >"$MNT/b1/manifest.json"
printf '{"name":"bench/child2"}' >"$MNT/b2/manifest.json"
c1=$($jp build -dir "$MNT/b1" "$base" /bin/sh -c 'head -c 20000000 /dev/urandom > /opt/one && rm -rf /usr/share/doc' 2>>"$ERRLOG")
c2=$($jp build -dir "$MNT/b2" "$c1" /bin/sh -c 'head -c 20000000 /dev/urandom > /opt/two && rm /opt/one' 2>>"$ERRLOG")

# The same images in buildah, from jetpack's archives.
$jp export -format=oci-archive "$base" "$MNT/in-debian.tar" >/dev/null 2>>"$ERRLOG"
$jp export -format=oci-archive "$c2" "$MNT/in-child.tar" >/dev/null 2>>"$ERRLOG"
debian_b=$(B pull -q "oci-archive:$MNT/in-debian.tar" 2>>"$ERRLOG")
child_b=$(B pull -q "oci-archive:$MNT/in-child.tar" 2>>"$ERRLOG")

drop_kept() { rm -rf "$MNT"/store/images/*/oci-blobs; }
# Each side writes an archive that is not there yet (replacing one costs ext4 a flush of the
# new file: auto_da_alloc).
jet_cold() { drop_kept; rm -f "$MNT/out-jet.tar"; $jp export -format=oci-archive "$@" "$MNT/out-jet.tar"; }
jet_warm() { rm -f "$MNT/out-jet.tar"; $jp export -format=oci-archive "$1" "$MNT/out-jet.tar"; }
bld() { rm -f "$MNT/out-b.tar"; B push -q "$1" "oci-archive:$MNT/out-b.tar"; }

cold_d=() warm_d=() b_d=() cold_c=() warm_c=() b_c=() l6_d=()
cpu_mark
for ((i = 0; i < rounds; i++)); do
  l6_d+=("$(timed jet_cold -compress-level=6 "$base")"); size_l6=$(stat -c %s "$MNT/out-jet.tar")
  cold_d+=("$(timed jet_cold "$base")"); warm_d+=("$(timed jet_warm "$base")"); b_d+=("$(timed bld "$debian_b")")
  size_jet=$(stat -c %s "$MNT/out-jet.tar") size_b=$(stat -c %s "$MNT/out-b.tar")
  cold_c+=("$(timed jet_cold "$c2")"); warm_c+=("$(timed jet_warm "$c2")"); b_c+=("$(timed bld "$child_b")")
done

# Push: a registry on loopback (plain http), a fresh one for every push so that each side sends
# every blob (a registry that has them skips or mounts them); jetpack push against skopeo copy
# of the same layout.
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
fresh_registry() {
  kill $registry 2>/dev/null || true
  wait $registry 2>/dev/null || true
  rm -rf "$MNT/registry"
  printf 'version: 0.1\nlog: { level: error, accesslog: { disabled: true } }\nstorage: { filesystem: { rootdirectory: %s/registry } }\nhttp: { addr: "127.0.0.1:%s" }\n' "$MNT" "$port" >"$MNT/registry.yml"
  docker-registry serve "$MNT/registry.yml" >>"$ERRLOG" 2>&1 &
  registry=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && return; sleep 0.05; done
}
$jp export -format=oci -tag=bench "$c2" "$MNT/layout" >/dev/null 2>>"$ERRLOG"
jet_push() { $jp push -tls-verify=false "$c2" "docker://127.0.0.1:$port/bench/child:latest"; }
sko_push() { skopeo copy -q --dest-tls-verify=false "oci:$MNT/layout:bench" "docker://127.0.0.1:$port/bench/child:latest"; }
# A push is ~0.6 s, of which jetpack's own part is its start (~60 ms): the machine's drift over a
# minute is as large, so pushes get 3 times the rounds, each pair in turn order.
jp_p=() sk_p=()
time_jet_push() { fresh_registry; jp_p+=("$(timed jet_push)"); }
time_sko_push() { fresh_registry; sk_p+=("$(timed sko_push)"); }
for ((i = 0; i < 3 * rounds; i++)); do
  if ((i % 2)); then time_sko_push; time_jet_push; else time_jet_push; time_sko_push; fi
done
cpu_others

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
met() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "yes" : "**no**" }'; }
m() { median "$@"; }
l6=$(m "${l6_d[@]}") cd_=$(m "${cold_d[@]}") wd=$(m "${warm_d[@]}") bd=$(m "${b_d[@]}") cc=$(m "${cold_c[@]}") wc=$(m "${warm_c[@]}") bc=$(m "${b_c[@]}") jpp=$(m "${jp_p[@]}") skp=$(m "${sk_p[@]}")

section=$(cat <<MD
## OCI export and push vs buildah and skopeo (issue: OCI)

Made by \`bash bench/oci.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $(git rev-parse --short HEAD)); rerunning the script rewrites this section.
The Debian bookworm minbase image (one layer) and a child of it with two more layers (20 MB each, with deletions), the same images
in buildah (pulled from jetpack's oci-archives, vfs storage), on a fresh journaled ext4 loop filesystem; median of $rounds rounds (pushes: $((3 * rounds)), jetpack and skopeo first in turn).
$(nproc) CPUs, Linux $(uname -r), $(buildah --version | cut -d' ' -f1-3), $(skopeo --version).
Other work on the machine during the runs: ${OTHERS_CPU} CPU-seconds in ${RUN_WALL} s.

| Work | jetpack (s) | peer (s) | Ratio | Target | Met |
|---|---:|---:|---:|---:|---|
| \`export -format=oci-archive\` minbase, the first time (its layer compressed) vs \`buildah push oci-archive:\` | $cd_ | $bd | **$(ratio "$cd_" "$bd")** | ≤ 0.5 | $(met "$(ratio "$cd_" "$bd")" 0.5) |
| the same again (the kept blob copied) | $wd | $bd | **$(ratio "$wd" "$bd")** | ≤ 0.5 | $(met "$(ratio "$wd" "$bd")" 0.5) |
| the first time with \`-compress-level=6\` (zlib, buildah's level) | $l6 | $bd | $(ratio "$l6" "$bd") | | |
| \`export -format=oci-archive\` 3-layer child, the first time vs \`buildah push\` | $cc | $bc | **$(ratio "$cc" "$bc")** | ≤ 0.5 | $(met "$(ratio "$cc" "$bc")" 0.5) |
| the same again | $wc | $bc | **$(ratio "$wc" "$bc")** | ≤ 0.5 | $(met "$(ratio "$wc" "$bc")" 0.5) |
| \`jetpack push\` of the child vs \`skopeo copy\` of its layout (registry on loopback) | $jpp | $skp | **$(ratio "$jpp" "$skp")** | ≤ 1.1 | $(met "$(ratio "$jpp" "$skp")" 1.1) |

Archive sizes of the minbase image: jetpack $(MB "$size_jet") (gzip level 1, isa-l's igzip, the default),
$(MB "$size_l6") with \`-compress-level=6\`, buildah $(MB "$size_b") (Go's parallel gzip, its default level).
Runs: minbase jetpack first ${cold_d[*]}, again ${warm_d[*]}, level 6 ${l6_d[*]}, buildah ${b_d[*]}; child jetpack
first ${cold_c[*]}, again ${warm_c[*]}, buildah ${b_c[*]}; push jetpack ${jp_p[*]}, skopeo ${sk_p[*]}. buildah
compresses every layer on every push; jetpack compresses a store layer once and keeps the blob beside the
layer, so an image's later exports and pushes copy it. Each push goes to a registry started afresh, so
both sides send every blob.
MD
)
echo "$section"
replace_section "$section"
