#!/usr/bin/env bash
# Import and flat export of a Debian minbase rootfs: jetpack against GNU tar doing the same
# work on the same files, side by side in one run, reported as ratios (jetpack / tar).
#
#   bash bench/import-export.sh          (as root; needs mmdebstrap, zstd, GNU tar, node)
#
# Environment:
#   ROUNDS=5          timed runs per side and case (the median is reported)
#   SUITE=bookworm    Debian suite given to mmdebstrap
#   BENCH_FS=loop     measure on a fresh ext4 made for the run on a loop device (default), or
#   BENCH_FS=workdir  measure in bench/work/ itself, on whatever filesystem holds it
#   COOLDOWN=65       with BENCH_FS=workdir: seconds to wait before measuring (see lib.sh)
#   QUIET_WAIT=600    wait at most this long for the machine to be < 15% busy before measuring
#   JETPACK_BUILD=worktree  what to measure: src/ as it is (default), or a git revision such
#                     as HEAD; built with scripts/build.mjs into bench/work/jetpack-*, never into dist/
#   NO_DOC=1          print the results only, leave docs/BENCHMARKS.md alone
#
# The rootfs tarball and the ACIs made from it are cached in bench/work/ (git-ignored);
# delete bench/work/ to make them again. Everything else the run makes is removed at exit.
#
# Why a fresh filesystem by default: see make_bench_fs in bench/lib.sh.
set -Eeuo pipefail
shopt -s inherit_errexit

ROUNDS=${ROUNDS:-5}
SUITE=${SUITE:-bookworm}
BENCH_FS=${BENCH_FS:-loop}
COOLDOWN=${COOLDOWN:-65}
QUIET_WAIT=${QUIET_WAIT:-600}
JETPACK_BUILD=${JETPACK_BUILD:-worktree}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
WORK=$HERE/work
DOC=$REPO/docs/BENCHMARKS.md
SECTION='## Import and export (issue: store)'
IMPORT_TARGET=1.3
EXPORT_TARGET=1.2

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
die() { echo "import-export: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (jetpack and tar keep owners, devices and xattrs only as root)"
for tool in mmdebstrap zstd tar node findmnt mkfs.ext4 losetup; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
tar --version | head -1 | grep -q 'GNU tar' || die "tar is not GNU tar"
[ "$ROUNDS" -ge 1 ] 2>/dev/null || die "ROUNDS must be a positive number"
case "$BENCH_FS" in loop | workdir) ;; *) die "BENCH_FS must be loop or workdir" ;; esac

mkdir -p "$WORK"
ERRLOG=$WORK/last-run.log # stderr of every command, kept for a look after a failure
: >"$ERRLOG"
MNT=$WORK/bench-fs
FS_IMAGE=$WORK/bench-fs.img
RUN=
JETPACK_PKG=
trap drop_run EXIT
trap 'echo "import-export: failed; last lines of $ERRLOG:" >&2; tail -n 20 "$ERRLOG" >&2 || true' ERR

log "building jetpack ($JETPACK_BUILD) into $WORK"
build_jetpack "$REPO" "$WORK" "$JETPACK_BUILD"

# ---------------------------------------------------------------- inputs (cached)

ROOTFS=$WORK/rootfs.tar
ACI=$WORK/debian-minbase.aci
ACI_ZST=$WORK/debian-minbase-zstd.aci
MANIFEST=$WORK/manifest.json

if [ ! -s "$ROOTFS" ]; then
  log "making the $SUITE minbase rootfs with mmdebstrap (once; cached in $ROOTFS)"
  rm -f "$ACI" "$ACI_ZST"
  mmdebstrap --quiet --variant=minbase --mode=root --format=tar "$SUITE" "$ROOTFS.part"
  mv "$ROOTFS.part" "$ROOTFS"
fi

debian_manifest "$SUITE" >"$MANIFEST"

if [ ! -s "$ACI" ] || [ "$ACI" -ot "$ROOTFS" ]; then
  log "making $ACI (jetpack makeaci, uncompressed)"
  "$JETPACK" makeaci "$ROOTFS" "$MANIFEST" "$ACI" >/dev/null 2>>"$ERRLOG"
fi
if [ ! -s "$ACI_ZST" ] || [ "$ACI_ZST" -ot "$ROOTFS" ]; then
  log "making $ACI_ZST (jetpack makeaci -compress=zstd)"
  "$JETPACK" makeaci -compress=zstd "$ROOTFS" "$MANIFEST" "$ACI_ZST" >/dev/null 2>>"$ERRLOG"
fi

ROOTFS_BYTES=$(stat -c %s "$ROOTFS")
ROOTFS_ENTRIES=$(tar -tf "$ROOTFS" | wc -l)
ACI_BYTES=$(stat -c %s "$ACI")
ACI_ZST_BYTES=$(stat -c %s "$ACI_ZST")
if [ "$ROOTFS_BYTES" -lt 150000000 ] || [ "$ROOTFS_BYTES" -gt 200000000 ]; then
  echo "import-export: warning: the rootfs tarball is $(MB "$ROOTFS_BYTES"), outside the intended 150-200 MB" >&2
fi
log "rootfs tarball $(MB "$ROOTFS_BYTES"), $ROOTFS_ENTRIES entries; ACI $(MB "$ACI_BYTES"), zstd ACI $(MB "$ACI_ZST_BYTES")"

# ---------------------------------------------------------------- the filesystem measured on

# Every store, tree and archive of the run is kept until the end (see compare below).
NEED=$(((ROUNDS + 1) * 9 * ROOTFS_BYTES + 1000000000))
FREE=$(($(df -P -B1 "$WORK" | awk 'NR == 2 { print $4 }')))
[ "$FREE" -ge "$NEED" ] || die "needs $(MB "$NEED") free in $WORK, has $(MB "$FREE")"

HOST_FS=$(describe_fs "$WORK")

if [ "$BENCH_FS" = loop ]; then
  FS_BYTES=$((NEED + 2000000000))
  log "making a fresh ext4 of $(MB "$FS_BYTES") on a loop device ($FS_IMAGE)"
  make_bench_fs "$FS_IMAGE" "$MNT" "$FS_BYTES"
  RUN=$MNT/run
  mkdir "$RUN"
  IN_ACI=$MNT/debian-minbase.aci
  IN_ACI_ZST=$MNT/debian-minbase-zstd.aci
  cp "$ACI" "$IN_ACI"
  cp "$ACI_ZST" "$IN_ACI_ZST"
  BENCH_FS_DESC="a fresh journaled ext4 ($(findmnt -no OPTIONS "$MNT"), mkfs.ext4 defaults) made for the run on a loop device (direct I/O)"
  sync
else
  RUN=$(mktemp -d "$WORK/run.XXXXXX")
  IN_ACI=$ACI
  IN_ACI_ZST=$ACI_ZST
  BENCH_FS_DESC="the host filesystem itself (BENCH_FS=workdir), after a ${COOLDOWN}s pause"
  # Write back what making the inputs left dirty, and wait until ext4 without a journal no
  # longer counts inodes deleted just before as recently deleted (60 s once written back).
  sync
  if [ "$COOLDOWN" -gt 0 ]; then
    log "cooling down for ${COOLDOWN}s (COOLDOWN=0 skips this)"
    sleep "$COOLDOWN"
  fi
fi

log "waiting for the machine to be quiet (at most ${QUIET_WAIT}s; QUIET_WAIT=0 skips this)"
[ "$QUIET_WAIT" = 0 ] || wait_quiet "$QUIET_WAIT"
cpu_mark

# ---------------------------------------------------------------- timing helpers

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
meets() { awk -v r="$1" -v t="$2" 'BEGIN { exit !(r <= t) }' && echo yes || echo "**no**"; }

# Runs ROUNDS rounds of two commands, alternating which goes first, after one untimed warm-up
# of each. The commands are shell functions taking a path that does not exist yet (a store,
# a destination directory or an output file). Nothing is deleted until the script ends, so
# no run pays for an earlier one's deletions. Sets J_TIMES and T_TIMES.
CASE=0
compare() {
  local jetpack_fn=$1 tar_fn=$2 r side dir
  CASE=$((CASE + 1))
  dir=$RUN/case$CASE
  mkdir "$dir"
  "$jetpack_fn" "$dir/warm-j" >/dev/null 2>>"$ERRLOG"
  "$tar_fn" "$dir/warm-t" >/dev/null 2>>"$ERRLOG"
  ${WARM_CHECK:-true} "$dir/warm-j" "$dir/warm-t"
  J_TIMES=() T_TIMES=()
  for ((r = 1; r <= ROUNDS; r++)); do
    local order=(j t)
    ((r % 2)) || order=(t j)
    for side in "${order[@]}"; do
      if [ "$side" = j ]; then J_TIMES+=("$(timed "$jetpack_fn" "$dir/j$r")")
      else T_TIMES+=("$(timed "$tar_fn" "$dir/t$r")"); fi
    done
  done
  echo "   jetpack: ${J_TIMES[*]}   tar: ${T_TIMES[*]}" >&2
}

ROWS=()      # markdown table rows
RUNS_ROWS=() # per-run times
MET_ALL=yes
record() { # OPERATION INPUT PEER TARGET
  local jm tm r met
  jm=$(median "${J_TIMES[@]}")
  tm=$(median "${T_TIMES[@]}")
  r=$(ratio "$jm" "$tm")
  met=$(meets "$r" "$4")
  [ "$met" = yes ] || MET_ALL=no
  ROWS+=("| $1 | $2 | $jm | $3 | $tm | **$r** | ≤ $4 | $met |")
  RUNS_ROWS+=("| $1, $2 | ${J_TIMES[*]} | ${T_TIMES[*]} |")
}

# ---------------------------------------------------------------- import

IMPORT_INPUT=
jetpack_import() { "$JETPACK" -root="$1" import "$IMPORT_INPUT"; }
tar_import() { mkdir "$1" && tar -x --numeric-owner --xattrs --xattrs-include='*' -f "$IMPORT_INPUT" -C "$1"; }
tar_import_zstd() { mkdir "$1" && tar -x -I zstd --numeric-owner --xattrs --xattrs-include='*' -f "$IMPORT_INPUT" -C "$1"; }

# After the warm-up: both sides must have produced the same tree.
check_import() { # STORE TARDIR
  local jn tn
  jn=$(cd "$1"/images/*/rootfs && find . | wc -l)
  tn=$(cd "$2"/rootfs && find . | wc -l)
  [ "$jn" = "$tn" ] || die "jetpack imported $jn entries, tar extracted $tn"
  [ -n "${TREE_BYTES:-}" ] || TREE_BYTES=$(du -sb --apparent-size "$2"/rootfs | cut -f1)
  [ -n "${TREE_DISK:-}" ] || TREE_DISK=$(du -sB1 "$2"/rootfs | cut -f1)
}

cat "$IN_ACI" "$IN_ACI_ZST" >/dev/null # warm the page cache: both sides read the same cached file

IMPORT_INPUT=$IN_ACI
log "import, uncompressed ACI ($(MB "$ACI_BYTES")): jetpack import vs tar -x, $ROUNDS rounds"
WARM_CHECK=check_import compare jetpack_import tar_import
record import "uncompressed ACI" '`tar -x`' "$IMPORT_TARGET"

IMPORT_INPUT=$IN_ACI_ZST
log "import, zstd ACI ($(MB "$ACI_ZST_BYTES")): jetpack import vs tar -I zstd -x, $ROUNDS rounds"
WARM_CHECK=check_import compare jetpack_import tar_import_zstd
record import "zstd ACI" '`tar -I zstd -x`' "$IMPORT_TARGET"

# ---------------------------------------------------------------- flat export

log "storing the image to export"
EXPORT_STORE=$RUN/export-store
IMAGE_ID=$("$JETPACK" -root="$EXPORT_STORE" import "$IN_ACI" 2>>"$ERRLOG")
IMAGE_DIR=$EXPORT_STORE/images/$IMAGE_ID
[ -d "$IMAGE_DIR/rootfs" ] || die "no rootfs at $IMAGE_DIR"
tar -C "$IMAGE_DIR" -cf - manifest rootfs >/dev/null # warm the tree's metadata and data for both sides

TAR_CREATE=(-c --format=posix --xattrs --xattrs-include='*' --numeric-owner --sort=name)
jetpack_export() { "$JETPACK" -root="$EXPORT_STORE" export -flat "$IMAGE_ID" "$1"; }
tar_export() { tar -C "$IMAGE_DIR" "${TAR_CREATE[@]}" -f - manifest rootfs >"$1"; }
jetpack_export_zstd() { "$JETPACK" -root="$EXPORT_STORE" export -flat -compress=zstd "$IMAGE_ID" "$1"; }
tar_export_zstd() { tar -C "$IMAGE_DIR" "${TAR_CREATE[@]}" -f - manifest rootfs | zstd -q -T0 -c >"$1"; }

EXPORT_SIZES=()
check_export() { # JETPACK-OUTPUT TAR-OUTPUT: sizes and entry counts of the warm-up outputs
  local jn tn
  jn=$(tar -tf "$1" | wc -l)
  tn=$(tar -tf "$2" | wc -l)
  [ "$jn" = "$tn" ] || die "jetpack exported $jn entries, tar archived $tn"
  EXPORT_SIZES+=("$(MB "$(stat -c %s "$1")") / $(MB "$(stat -c %s "$2")")")
}

log "flat export, uncompressed: jetpack export -flat vs tar -c, $ROUNDS rounds"
WARM_CHECK=check_export compare jetpack_export tar_export
record "flat export" uncompressed '`tar -c`' "$EXPORT_TARGET"

log "flat export, zstd: jetpack export -flat -compress=zstd vs tar -c | zstd -T0, $ROUNDS rounds"
WARM_CHECK=check_export compare jetpack_export_zstd tar_export_zstd
record "flat export" zstd '`tar -c \| zstd -T0`' "$EXPORT_TARGET"

# ---------------------------------------------------------------- report

cpu_others

DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

SECTION_FILE=$WORK/last-section.md
{
  echo "$SECTION"
  echo
  echo "Made by \`bash bench/import-export.sh\` on $DATE (jetpack at $JETPACK_REV); rerunning the script"
  echo "rewrites this section. Median wall-clock seconds of $ROUNDS runs; ratio = jetpack / GNU tar."
  echo
  echo "| Operation | Input | jetpack (s) | Peer | peer (s) | Ratio | Target | Met |"
  echo "|---|---|---:|---|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Targets (from the store issue): import ≤ $IMPORT_TARGET× GNU tar, flat export ≤ $EXPORT_TARGET× GNU tar."
  if [ "$MET_ALL" = yes ]; then echo "All targets met."; else echo "Not all targets met (see **no** above)."; fi
  echo "Where the time goes: the stage-by-stage section (\`bench/profile-import-export.sh\`)."
  echo
  echo "<details><summary>Every run (seconds, in order)</summary>"
  echo
  echo "| Case | jetpack | tar |"
  echo "|---|---|---|"
  printf '%s\n' "${RUNS_ROWS[@]}"
  echo
  echo "</details>"
  echo
  echo "**What is compared.** The same input file, on the same filesystem, read from a warm page cache:"
  echo
  echo "- *import*: \`jetpack -root=<fresh store> import ACI\` against"
  echo "  \`mkdir d && tar -x [-I zstd] --numeric-owner --xattrs --xattrs-include='*' -f ACI -C d\`."
  echo "  jetpack also copies the ACI into the store, hashes it (the image ID), checks every entry and"
  echo "  writes manifest and info.json; tar only extracts."
  echo "- *flat export* of the stored image: \`jetpack export -flat [-compress=zstd] IMAGE out.aci\` against"
  echo "  \`tar -C <image dir> -c --format=posix --xattrs --xattrs-include='*' --numeric-owner --sort=name manifest rootfs > out.tar\`"
  echo "  (and \`| zstd -T0 -c > out.tar.zst\`), the same tar of the same tree. jetpack also hashes the"
  echo "  archive (it prints the new ACI's ID) and writes the file under a temporary name, renamed into place."
  echo
  echo "Each case: one untimed warm-up per side, then $ROUNDS rounds alternating which side goes first,"
  echo "a fresh store / destination / output every run, \`sync\` (untimed) before every run, nothing"
  echo "deleted until the end. Stores, trees and outputs are on $BENCH_FS_DESC."
  if [ "$BENCH_FS" = loop ] && [[ "$HOST_FS" == *"without a journal" ]]; then
    echo "The host filesystem is not measured on directly: it is ext4 without a journal, where inode"
    echo "allocation skips recently deleted inodes; that made file creation up to 20× slower depending"
    echo "on the directory and on earlier deletions, and \`tar -x\` of this rootfs take 0.4 to 6 s."
  fi
  echo
  echo "**Input.** Debian $SUITE \`mmdebstrap --variant=minbase --mode=root\`: rootfs tarball"
  echo "$(MB "$ROOTFS_BYTES") ($ROOTFS_BYTES bytes), $ROOTFS_ENTRIES entries; extracted"
  echo "$(MB "$TREE_BYTES") apparent / $(MB "$TREE_DISK") on disk. ACI (from \`jetpack makeaci\`):"
  echo "$(MB "$ACI_BYTES") uncompressed, $(MB "$ACI_ZST_BYTES") zstd. Flat export output, jetpack / tar:"
  echo "${EXPORT_SIZES[0]} uncompressed, ${EXPORT_SIZES[1]} zstd (tar's is larger: it records atime"
  echo "and ctime of every file in PAX headers, which jetpack's deterministic archives leave out)."
  echo
  echo "**Machine.** $(describe_machine), mmdebstrap $(mmdebstrap --version 2>/dev/null | awk '{ print $2 }')."
  echo "bench/work is on $HOST_FS."
  echo "Other work on the machine used $OTHERS_CPU CPU-seconds during the ${RUN_WALL}s of measuring (the"
  echo "machine is shared; compare the two sides of a row, not rows of different runs)."
  busy_machine_note "$OTHERS_CPU" "$RUN_WALL"
  echo
} >"$SECTION_FILE"

publish_section "$DOC" "$SECTION" "$SECTION_FILE"
