#!/usr/bin/env bash
# Trivial builds: jetpack against buildah doing the same work side by side in one run, and
# jetpack's build cost on a ~1 GB parent against a ~10 MB parent (it must grow with what
# the build changes, not with the parent). Reported as ratios in docs/BENCHMARKS.md, under
# "## Builds vs buildah (issue: build containers)".
#
#   bash bench/build.sh            (as root; ~4 min; needs buildah, mmdebstrap, make, dpkg-deb,
#                                   node; ~11 GB free in bench/work/ for a sparse filesystem image)
#
# The build measured, on a Debian bookworm minbase parent (mmdebstrap) and on the two
# parents of the size case, with a build dir holding only manifest.json {"name":"bench/hello"}:
#   jetpack: jetpack -root=STORE build PARENT /bin/sh -c 'echo hi > /hello'
#   buildah: ctr=$(buildah from --pull=never PARENT) && buildah run --isolation chroot $ctr -- /bin/sh -c 'echo hi > /hello' &&
#            buildah commit $ctr bench-hello && buildah rm $ctr
# buildah uses its overlay driver with its own --root/--runroot (and TMPDIR) made for the
# run; jetpack a fresh store. Nothing global (/var/lib/containers, /var/lib/jetpack) is used.
#
# Parents (made untimed, in the run):
#   debian  bookworm minbase: bench/work/rootfs.tar (cached; made with mmdebstrap as
#           bench/import-export.sh does when missing) -> jetpack makeaci + import /
#           buildah from scratch + add + commit
#   small   ~10 MB: jetpack/busybox made by `make` in a scratch copy of images/busybox (the
#           .deb is cached as bench/work/busybox-static.deb) + a layer of 8 MiB of files
#   big     ~1.2 GB: debian + a layer of 1 GiB of files (8192 files of 128 KiB of random data)
#   The data layers are made by `jetpack build` and by `buildah copy` of the same files.
#
# Environment:
#   ROUNDS=11         timed runs per side and case, alternating which side goes first (median)
#   SUITE=bookworm    Debian suite given to mmdebstrap when bench/work/rootfs.tar is missing
#   BENCH_FS=loop     measure on a fresh journaled ext4 made for the run on a loop device
#                     (default; see make_bench_fs in bench/lib.sh), or
#   BENCH_FS=workdir  measure in bench/work/ itself (after COOLDOWN seconds)
#   COOLDOWN=65       see BENCH_FS=workdir
#   QUIET_WAIT=600    wait at most this long for the machine to be < 15% busy before measuring
#   JETPACK_BUILD=dist  what to measure: dist/ as it is compiled (default; copied with bin/
#                     and share/ into bench/work/jetpack-dist/ first), or worktree / a git
#                     revision, compiled into bench/work/jetpack-* as bench/import-export.sh does
#   PROFILE=1         after measuring, run ROUNDS more jetpack builds per parent with
#                     bench/build-profile-hook.cjs preloaded (it timestamps every child process
#                     jetpack spawns) and report where the time goes, step by step, with two
#                     floors (node -e 0, jetpack version) and buildah's time per command;
#                     PROFILE=0 skips this
#   NO_DOC=1          print the results only, leave docs/BENCHMARKS.md alone
#
# It never runs while bench/import-export.sh or bench/profile-import-export.sh runs (it
# waits for them, polling every 30 s): they share the machine and docs/BENCHMARKS.md.
# Everything the run makes is removed at exit (buildah containers and images with its own
# --root, the stores, the loop filesystem); cached inputs in bench/work/ stay.
set -Eeuo pipefail
shopt -s inherit_errexit

ROUNDS=${ROUNDS:-11}
SUITE=${SUITE:-bookworm}
BENCH_FS=${BENCH_FS:-loop}
COOLDOWN=${COOLDOWN:-65}
QUIET_WAIT=${QUIET_WAIT:-600}
JETPACK_BUILD=${JETPACK_BUILD:-dist}
PROFILE=${PROFILE:-1}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
WORK=$HERE/work
DOC=$REPO/docs/BENCHMARKS.md
SECTION='## Builds vs buildah (issue: build containers)'
BUILDAH_TARGET=0.5 # jetpack / buildah, trivial build on Debian minbase
SIZE_TARGET=1.2    # jetpack, 1 GB parent / 10 MB parent
BIG_FILES=8192     # the big parent's data layer: BIG_FILES files of FILE_KIB KiB
SMALL_FILES=64     # the small parent's data layer
FILE_KIB=128

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
die() { echo "build-bench: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (jetpack build and buildah run as root)"
for tool in buildah mmdebstrap make dpkg-deb node tar findmnt mkfs.ext4 losetup; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup.sh installs it)"
done
grep -q '\soverlay$' /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -q '\soverlay$' /proc/filesystems || die "the kernel has no overlayfs (both sides are measured on it)"
[ "$ROUNDS" -ge 1 ] 2>/dev/null || die "ROUNDS must be a positive number"
case "$BENCH_FS" in loop | workdir) ;; *) die "BENCH_FS must be loop or workdir" ;; esac

# The other benchmarks share the machine and the document: never time anything while one runs.
other_benches() { pgrep -f 'bench/(profile-)?import-export\.sh' >/dev/null; }
wait_other_benches() {
  local said=
  while other_benches; do
    [ -n "$said" ] || log "waiting for bench/import-export.sh / bench/profile-import-export.sh to finish (polling every 30 s)"
    said=1
    sleep 30
  done
}

mkdir -p "$WORK"
wait_other_benches
if [ "$JETPACK_BUILD" = dist ]; then
  [ -f "$REPO/dist/main.cjs" ] || die "dist/ is not built (npm ci builds it), or set JETPACK_BUILD=worktree"
  # A copy, so that a rebuild of dist/ during the run cannot change what is measured; its
  # node_modules are found in the repository above bench/work/ by Node's upward lookup.
  PKG=$WORK/jetpack-dist
  rm -rf "$PKG"
  mkdir -p "$PKG"
  cp -r "$REPO/bin" "$REPO/dist" "$REPO/share" "$REPO/package.json" "$PKG/"
  JETPACK=$PKG/bin/jetpack
  JETPACK_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
  git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null && [ -z "$(git -C "$REPO" ls-files --others --exclude-standard -- src)" ] ||
    JETPACK_REV="$JETPACK_REV + uncommitted changes in src/"
  JETPACK_REV="$JETPACK_REV; dist/ as compiled at $(date -u -r "$REPO/dist/main.cjs" '+%Y-%m-%d %H:%M UTC')"
  STALE=$(find "$REPO/src" -name '*.ts' -newer "$REPO/dist/main.cjs" | wc -l)
  [ "$STALE" = 0 ] || JETPACK_REV="$JETPACK_REV, $STALE src/ files newer"
else
  log "building jetpack ($JETPACK_BUILD) into $WORK"
  build_jetpack "$REPO" "$WORK" "$JETPACK_BUILD"
fi
ERRLOG=$WORK/last-build-run.log # stderr of every command, kept for a look after a failure
: >"$ERRLOG"
MNT=$WORK/build-fs
FS_IMAGE=$WORK/build-fs.img
RUN=
BROOT= BRUNROOT= BTMP=

# buildah with the run's own storage, never /var/lib/containers.
B() { TMPDIR=$BTMP CONTAINERS_STORAGE_CONF=$RUN/storage.conf buildah --root "$BROOT" --runroot "$BRUNROOT" --storage-driver overlay "$@"; }

cleanup() {
  set +e
  trap - ERR
  if [ -n "$BROOT" ] && [ -d "$BROOT" ]; then
    B rm --all >/dev/null 2>&1
    B rmi --all --force >/dev/null 2>&1
    # whatever buildah left mounted under its root (a killed run)
    findmnt -rn -o TARGET | grep -F "$RUN/" | sort -r | while read -r m; do umount -l "$m"; done
  fi
  if [ "$BENCH_FS" = loop ]; then drop_bench_fs "$FS_IMAGE" "$MNT"
  elif [ -n "$RUN" ]; then rm -rf "$RUN"; fi
  if [ "$JETPACK_BUILD" = dist ]; then rm -rf "$WORK/jetpack-dist"; fi
}
trap cleanup EXIT
trap 'echo "build-bench: failed; last lines of $ERRLOG:" >&2; tail -n 20 "$ERRLOG" >&2 || true' ERR

# ---------------------------------------------------------------- inputs (cached)

ROOTFS=$WORK/rootfs.tar
if [ ! -s "$ROOTFS" ]; then
  log "making the $SUITE minbase rootfs with mmdebstrap (once; cached in $ROOTFS)"
  mmdebstrap --quiet --variant=minbase --mode=root --format=tar "$SUITE" "$ROOTFS.part.$$"
  mv "$ROOTFS.part.$$" "$ROOTFS"
fi
ROOTFS_BYTES=$(stat -c %s "$ROOTFS")

# ---------------------------------------------------------------- the filesystem measured on

DATA_BYTES=$((BIG_FILES * FILE_KIB * 1024))
NEED=$((8 * DATA_BYTES + 6 * ROOTFS_BYTES + 1000000000))
FREE=$(($(df -P -B1 "$WORK" | awk 'NR == 2 { print $4 }')))
[ "$FREE" -ge "$NEED" ] || die "needs $(MB "$NEED") free in $WORK, has $(MB "$FREE")"
HOST_FS=$(describe_fs "$WORK")

if [ "$BENCH_FS" = loop ]; then
  log "making a fresh ext4 of $(MB "$NEED") on a loop device ($FS_IMAGE)"
  make_bench_fs "$FS_IMAGE" "$MNT" "$NEED"
  RUN=$MNT/run
  mkdir "$RUN"
  BENCH_FS_DESC="a fresh journaled ext4 ($(findmnt -no OPTIONS "$MNT"), mkfs.ext4 defaults) made for the run on a loop device (direct I/O)"
else
  RUN=$(mktemp -d "$WORK/build-run.XXXXXX")
  BENCH_FS_DESC="the host filesystem itself (BENCH_FS=workdir), after a ${COOLDOWN}s pause"
fi
STORE=$RUN/jetpack-store
BROOT=$RUN/buildah/root
BRUNROOT=$RUN/buildah/runroot
BTMP=$RUN/buildah/tmp
mkdir -p "$BROOT" "$BRUNROOT" "$BTMP"
cat >"$RUN/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$BROOT"
runroot = "$BRUNROOT"
EOF
J() { "$JETPACK" -root="$STORE" "$@"; }

# ---------------------------------------------------------------- parents (untimed)

log "debian parent: jetpack makeaci + import; buildah from scratch + add + commit"
debian_manifest "$SUITE" >"$RUN/debian.json"
J makeaci "$ROOTFS" "$RUN/debian.json" "$RUN/debian.aci" >/dev/null 2>>"$ERRLOG"
J_DEBIAN=$(J import "$RUN/debian.aci" 2>>"$ERRLOG")
rm "$RUN/debian.aci"
ctr=$(B from scratch 2>>"$ERRLOG")
B add "$ctr" "$ROOTFS" / >/dev/null 2>>"$ERRLOG"
B commit "$ctr" localhost/bench-debian >/dev/null 2>>"$ERRLOG"
B rm "$ctr" >/dev/null 2>>"$ERRLOG"

log "small parent: jetpack/busybox (make in a scratch copy of images/busybox) + $SMALL_FILES files of $FILE_KIB KiB"
mkdir "$RUN/busybox"
cp -a "$REPO/images/busybox/." "$RUN/busybox/"
make -s -C "$RUN/busybox" clean >/dev/null 2>>"$ERRLOG"
# The Makefile downloads busybox-static with apt-get when busybox.deb is missing; keep it.
if [ -s "$WORK/busybox-static.deb" ]; then cp "$WORK/busybox-static.deb" "$RUN/busybox/busybox.deb"; fi
make -s -C "$RUN/busybox" JETPACK="$JETPACK -root=$STORE" >/dev/null 2>>"$ERRLOG"
cp "$RUN/busybox/busybox.deb" "$WORK/busybox-static.deb"
J_BUSYBOX=$(cat "$RUN/busybox/image.aci.id")
ctr=$(B from scratch 2>>"$ERRLOG")
B add "$ctr" "$RUN/busybox/rootfs.tar" / >/dev/null 2>>"$ERRLOG"
B commit "$ctr" localhost/bench-busybox >/dev/null 2>>"$ERRLOG"
B rm "$ctr" >/dev/null 2>>"$ERRLOG"

# A data layer of N files of FILE_KIB KiB of random data in 64 directories, on top of a
# parent, made by jetpack (build: the build dir's data/ moved to /data) and by buildah (copy).
make_data() { # DIR NFILES
  local dir=$1 n=$2 per d
  per=$(((n + 63) / 64))
  mkdir -p "$dir/data"
  echo "{\"name\":\"bench/$(basename "$dir")\"}" >"$dir/manifest.json"
  for ((d = 0; d < 64 && d * per < n; d++)); do
    mkdir "$dir/data/d$d"
    local count=$((n - d * per < per ? n - d * per : per))
    head -c $((count * FILE_KIB * 1024)) /dev/urandom | (cd "$dir/data/d$d" && split -b "${FILE_KIB}K" -a 4 -d - f)
  done
}
data_parent() { # SRC-DIR JETPACK-PARENT BUILDAH-PARENT BUILDAH-NAME; prints the jetpack image ID
  local ctr id
  id=$(J build -dir="$1" "$2" /bin/sh -c 'mv data /data' 2>>"$ERRLOG")
  ctr=$(B from --pull=never "$3" 2>>"$ERRLOG")
  B copy "$ctr" "$1/data" /data >/dev/null 2>>"$ERRLOG"
  B commit "$ctr" "$4" >/dev/null 2>>"$ERRLOG"
  B rm "$ctr" >/dev/null 2>>"$ERRLOG"
  echo "$id"
}
make_data "$RUN/small" "$SMALL_FILES"
J_SMALL=$(data_parent "$RUN/small" "$J_BUSYBOX" localhost/bench-busybox localhost/bench-small)

log "big parent: debian + $BIG_FILES files of $FILE_KIB KiB ($(MB "$DATA_BYTES"))"
make_data "$RUN/big" "$BIG_FILES"
J_BIG=$(data_parent "$RUN/big" "$J_DEBIAN" localhost/bench-debian localhost/bench-big)
rm -rf "$RUN/small" "$RUN/big" # the sources; both tools have their copies

# Sizes of the parents as jetpack stores them (the rendered trees: sum of the layers).
stack_bytes() { # IMAGE-ID...: apparent bytes and entries of those images' own layers
  local bytes=0 entries=0 id
  for id; do
    bytes=$((bytes + $(du -sb --apparent-size "$STORE/images/$id/rootfs" | cut -f1)))
    entries=$((entries + $(find "$STORE/images/$id/rootfs" | wc -l)))
  done
  echo "$bytes $entries"
}
read -r DEBIAN_BYTES DEBIAN_ENTRIES < <(stack_bytes "$J_DEBIAN")
read -r SMALL_BYTES SMALL_ENTRIES < <(stack_bytes "$J_BUSYBOX" "$J_SMALL")
read -r BIG_BYTES BIG_ENTRIES < <(stack_bytes "$J_DEBIAN" "$J_BIG")
log "parents: debian $(MB "$DEBIAN_BYTES") ($DEBIAN_ENTRIES entries), small $(MB "$SMALL_BYTES") ($SMALL_ENTRIES), big $(MB "$BIG_BYTES") ($BIG_ENTRIES)"
# The data layers' manifests: a pathWhitelist when jetpack saw a deletion or an opaque dir.
whitelist() { # IMAGE-ID: "N paths, M bytes of manifest"
  node -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${(m.pathWhitelist ?? []).length} paths in its pathWhitelist, ${require("fs").statSync(process.argv[1]).size} bytes of manifest`)' \
    "$STORE/images/$1/manifest"
}
SMALL_WL=$(whitelist "$J_SMALL")
BIG_WL=$(whitelist "$J_BIG")
B images >>"$ERRLOG" 2>&1

# ---------------------------------------------------------------- the builds measured

HELLO=$RUN/hello
mkdir "$HELLO"
echo '{"name":"bench/hello"}' >"$HELLO/manifest.json"
LAST_ID=$RUN/last-jetpack-id

# jetpack runs as a plain command, never as the last command of a ( … ) subshell: bash execs
# that one directly and lowers SHLVL first, and a jetpack started with SHLVL=0 has its
# `bash -c` helpers read root's ~/.bashrc (bash takes the socketpair Node gives it as stdin
# for an rsh/ssh session), which costs whatever that file costs (150 ms with pyenv here).
jetpack_in_hello() { # ARGS...: jetpack run in the build dir, as a user in a shell would
  local here=$PWD rc=0
  cd "$HELLO"
  "$JETPACK" -root="$STORE" "$@" || rc=$?
  cd "$here"
  return "$rc"
}
jetpack_hello() { # PARENT-ID
  jetpack_in_hello build "$1" /bin/sh -c 'echo hi > /hello' >"$LAST_ID"
}
buildah_hello() { # PARENT-NAME
  local ctr
  ctr=$(B from --pull=never "$1") &&
    B run --isolation chroot "$ctr" -- /bin/sh -c 'echo hi > /hello' &&
    B commit "$ctr" localhost/bench-hello &&
    B rm "$ctr"
}

# After a warm-up: the image holds /hello, and (jetpack) its own layer holds nothing else.
LAYER_NOTES=()
check_jetpack() { # PARENT-LABEL
  local id entries
  id=$(cat "$LAST_ID")
  [ "$(cat "$STORE/images/$id/rootfs/hello")" = hi ] || die "jetpack's image from the $1 parent has no /hello"
  entries=$(cd "$STORE/images/$id/rootfs" && find . -mindepth 1 | sort | tr '\n' ' ')
  LAYER_NOTES+=("$1: jetpack's new layer holds ${entries% } ($(stat -c %s "$STORE/images/$id/aci") bytes of ACI)")
}
check_buildah() { # PARENT-LABEL
  local ctr out
  ctr=$(B from --pull=never localhost/bench-hello 2>>"$ERRLOG")
  out=$(B run --isolation chroot "$ctr" -- cat /hello 2>>"$ERRLOG")
  B rm "$ctr" >/dev/null 2>>"$ERRLOG"
  [ "$out" = hi ] || die "buildah's image from the $1 parent has no /hello"
}

# One untimed warm-up of each, then ROUNDS rounds alternating which goes first.
# Sets A_TIMES and B_TIMES. Every timed run starts after an untimed sync (lib.sh: timed).
compare() { # FN-A ARG-A CHECK-A LABEL-A FN-B ARG-B CHECK-B LABEL-B
  local fa=$1 aa=$2 ca=$3 la=$4 fb=$5 ab=$6 cb=$7 lb=$8 r side
  wait_other_benches
  [ "$QUIET_WAIT" = 0 ] || wait_quiet "$QUIET_WAIT"
  cpu_mark # other work is counted while the case runs, not while waiting for quiet
  "$fa" "$aa" >/dev/null 2>>"$ERRLOG"
  $ca "$la"
  "$fb" "$ab" >/dev/null 2>>"$ERRLOG"
  $cb "$lb"
  A_TIMES=() B_TIMES=()
  for ((r = 1; r <= ROUNDS; r++)); do
    local order=(a b)
    ((r % 2)) || order=(b a)
    for side in "${order[@]}"; do
      if [ "$side" = a ]; then A_TIMES+=("$(timed "$fa" "$aa")")
      else B_TIMES+=("$(timed "$fb" "$ab")"); fi
    done
  done
  cpu_others
  CASE_OTHERS+=("$OTHERS_CPU of ${RUN_WALL}")
  SUM_OTHERS=$(awk -v a="$SUM_OTHERS" -v b="$OTHERS_CPU" 'BEGIN { printf "%.1f", a + b }')
  SUM_WALL=$(awk -v a="$SUM_WALL" -v b="$RUN_WALL" 'BEGIN { printf "%.1f", a + b }')
  echo "   ${A_TIMES[*]}   |   ${B_TIMES[*]}   (other work: $OTHERS_CPU CPU-s in ${RUN_WALL}s)" >&2
}
CASE_OTHERS=() SUM_OTHERS=0 SUM_WALL=0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
meets() { awk -v r="$1" -v t="$2" 'BEGIN { exit !(r <= t) }' && echo yes || echo "**no**"; }

if [ "$BENCH_FS" = workdir ] && [ "$COOLDOWN" -gt 0 ]; then
  sync
  log "cooling down for ${COOLDOWN}s (COOLDOWN=0 skips this)"
  sleep "$COOLDOWN"
fi
wait_other_benches
log "waiting for the machine to be quiet before each case (at most ${QUIET_WAIT}s; QUIET_WAIT=0 skips this)"

log "trivial build on debian minbase: jetpack | buildah, $ROUNDS rounds"
compare jetpack_hello "$J_DEBIAN" check_jetpack "Debian parent" buildah_hello localhost/bench-debian check_buildah "Debian parent"
J_DEB_TIMES=("${A_TIMES[@]}") B_DEB_TIMES=("${B_TIMES[@]}")

log "trivial build, jetpack: small parent | big parent, $ROUNDS rounds"
compare jetpack_hello "$J_SMALL" check_jetpack "~10 MB parent" jetpack_hello "$J_BIG" check_jetpack "~1 GB parent"
J_SMALL_TIMES=("${A_TIMES[@]}") J_BIG_TIMES=("${B_TIMES[@]}")

log "trivial build, buildah: small parent | big parent, $ROUNDS rounds"
compare buildah_hello localhost/bench-small check_buildah "~10 MB parent" buildah_hello localhost/bench-big check_buildah "~1 GB parent"
B_SMALL_TIMES=("${A_TIMES[@]}") B_BIG_TIMES=("${B_TIMES[@]}")

J_DEB=$(median "${J_DEB_TIMES[@]}")
B_DEB=$(median "${B_DEB_TIMES[@]}")
R_DEB=$(ratio "$J_DEB" "$B_DEB")
J_SMALL_M=$(median "${J_SMALL_TIMES[@]}")
J_BIG_M=$(median "${J_BIG_TIMES[@]}")
R_J_SIZE=$(ratio "$J_BIG_M" "$J_SMALL_M")
B_SMALL_M=$(median "${B_SMALL_TIMES[@]}")
B_BIG_M=$(median "${B_BIG_TIMES[@]}")
R_B_SIZE=$(ratio "$B_BIG_M" "$B_SMALL_M")
MET_DEB=$(meets "$R_DEB" "$BUILDAH_TARGET")
MET_SIZE=$(meets "$R_J_SIZE" "$SIZE_TARGET")

# ---------------------------------------------------------------- where jetpack's time goes

PROFILE_TEXT=
if [ "$PROFILE" = 1 ]; then
  wait_other_benches
  [ "$QUIET_WAIT" = 0 ] || wait_quiet "$QUIET_WAIT"
  log "profiling $ROUNDS more jetpack builds on each parent (bench/build-profile-hook.cjs; not in the tables)"
  for ((r = 1; r <= ROUNDS; r++)); do
    for parent in debian:"$J_DEBIAN" small:"$J_SMALL" big:"$J_BIG"; do
      PROFILE_FILE=$RUN/profile-${parent%%:*}.jsonl
      sync
      launch=$EPOCHREALTIME
      NODE_OPTIONS="--require=$HERE/build-profile-hook.cjs" JETPACK_BENCH_PROFILE=$PROFILE_FILE \
        jetpack_in_hello build "${parent#*:}" /bin/sh -c 'echo hi > /hello' >/dev/null 2>>"$ERRLOG"
      end=$EPOCHREALTIME
      # the caller's view of the run: from the exec of bin/jetpack to its exit
      sed -i "\$s/}\$/,\"launch\":${launch/./}e-3,\"end\":${end/./}e-3}/" "$PROFILE_FILE"
    done
  done
  PROFILE_TEXT=$(node "$HERE/build-profile.mjs" Debian="$RUN/profile-debian.jsonl" "~10 MB"="$RUN/profile-small.jsonl" "~1 GB"="$RUN/profile-big.jsonl")
  # Floors: what any node CLI pays, and what jetpack pays before it does anything.
  NODE_T=() VERSION_T=()
  for ((r = 1; r <= ROUNDS; r++)); do
    NODE_T+=("$(timed env -u NODE_EXTRA_CA_CERTS node -e 0)")
    VERSION_T+=("$(timed "$JETPACK" version)")
  done
  # buildah's four commands, one by one.
  BF=() BR=() BC=() BD=()
  for ((r = 1; r <= ROUNDS; r++)); do
    sync
    t0=$EPOCHREALTIME
    ctr=$(B from --pull=never localhost/bench-debian 2>>"$ERRLOG")
    t1=$EPOCHREALTIME
    B run --isolation chroot "$ctr" -- /bin/sh -c 'echo hi > /hello' >/dev/null 2>>"$ERRLOG"
    t2=$EPOCHREALTIME
    B commit "$ctr" localhost/bench-hello >/dev/null 2>>"$ERRLOG"
    t3=$EPOCHREALTIME
    B rm "$ctr" >/dev/null 2>>"$ERRLOG"
    t4=$EPOCHREALTIME
    BF+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
    BR+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')")
    BC+=("$(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.3f", b - a }')")
    BD+=("$(awk -v a="$t3" -v b="$t4" 'BEGIN { printf "%.3f", b - a }')")
  done
  PROFILE_TEXT="$PROFILE_TEXT

Floors, median of $ROUNDS, ms:
  node -e 0 (start-up and exit, as bin/jetpack runs node)       $(median "${NODE_T[@]}" | awk '{ printf "%6.0f", $1 * 1000 }')
  jetpack version (start-up, the CLI without a command's code)  $(median "${VERSION_T[@]}" | awk '{ printf "%6.0f", $1 * 1000 }')
buildah's four commands, one by one, median of $ROUNDS, ms:
  buildah from $(median "${BF[@]}" | awk '{ printf "%.0f", $1 * 1000 }'), run --isolation chroot $(median "${BR[@]}" | awk '{ printf "%.0f", $1 * 1000 }'), commit $(median "${BC[@]}" | awk '{ printf "%.0f", $1 * 1000 }'), rm $(median "${BD[@]}" | awk '{ printf "%.0f", $1 * 1000 }')"
  echo "$PROFILE_TEXT" >&2
fi

# ---------------------------------------------------------------- report

DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
SECTION_FILE=$WORK/last-build-section.md
{
  echo "$SECTION"
  echo
  echo "Made by \`bash bench/build.sh\` on $DATE (jetpack at $JETPACK_REV); rerunning the script"
  echo "rewrites this section. Median wall-clock seconds of $ROUNDS runs per side."
  echo
  echo "| Trivial build (\`echo hi > /hello\`) | jetpack (s) | buildah (s) | Ratio jetpack / buildah | Target | Met |"
  echo "|---|---:|---:|---:|---:|---|"
  echo "| on Debian $SUITE minbase ($(MB "$DEBIAN_BYTES"), $DEBIAN_ENTRIES entries) | $J_DEB | $B_DEB | **$R_DEB** | ≤ $BUILDAH_TARGET | $MET_DEB |"
  echo
  echo "| Trivial build, parent size | ~10 MB parent (s) | ~1 GB parent (s) | Ratio big / small | Target | Met |"
  echo "|---|---:|---:|---:|---:|---|"
  echo "| jetpack | $J_SMALL_M | $J_BIG_M | **$R_J_SIZE** | ≤ $SIZE_TARGET | $MET_SIZE |"
  echo "| buildah (for context) | $B_SMALL_M | $B_BIG_M | $R_B_SIZE | — | — |"
  echo
  echo "Targets (from the build containers issue): a trivial build takes ≤ $BUILDAH_TARGET× buildah's time;"
  echo "on a 1 GB parent ≤ $SIZE_TARGET× its time on a 10 MB parent (the cost grows with the change, not the parent)."
  if [ "$MET_DEB" = yes ] && [ "$MET_SIZE" = yes ]; then echo "Both targets met."; else echo "Not all targets met (see **no** above)."; fi
  echo
  echo "<details><summary>Every run (seconds, in order)</summary>"
  echo
  echo "| Case | runs |"
  echo "|---|---|"
  echo "| jetpack, Debian minbase | ${J_DEB_TIMES[*]} |"
  echo "| buildah, Debian minbase | ${B_DEB_TIMES[*]} |"
  echo "| jetpack, ~10 MB parent | ${J_SMALL_TIMES[*]} |"
  echo "| jetpack, ~1 GB parent | ${J_BIG_TIMES[*]} |"
  echo "| buildah, ~10 MB parent | ${B_SMALL_TIMES[*]} |"
  echo "| buildah, ~1 GB parent | ${B_BIG_TIMES[*]} |"
  echo
  echo "</details>"
  echo
  echo "**What is compared.** One build, from an image already in the store to a new image in the store:"
  echo
  echo "- jetpack: \`jetpack -root=STORE build PARENT /bin/sh -c 'echo hi > /hello'\`, run in a build"
  echo "  dir that holds only \`manifest.json\` (\`{\"name\":\"bench/hello\"}\`): the seven steps of"
  echo "  docs/BUILD.md on the overlay path, including the container (namespaces, /proc, /sys, /dev,"
  echo "  resolv.conf), the manifest merge and the new image's ACI."
  echo "- buildah $(buildah --version | awk '{ print $3 }') (overlay driver, its own \`--root\`/\`--runroot\` and TMPDIR made for the run):"
  echo "  \`ctr=\$(buildah from --pull=never PARENT) && buildah run --isolation chroot \$ctr -- /bin/sh -c 'echo hi > /hello'"
  echo "  && buildah commit \$ctr bench-hello && buildah rm \$ctr\`."
  echo
  echo "Parents: Debian $SUITE \`mmdebstrap --variant=minbase\` ($(MB "$ROOTFS_BYTES") tarball; jetpack: \`makeaci\` +"
  echo "\`import\`, buildah: \`from scratch\` + \`add\` + \`commit\`). *~10 MB*: jetpack/busybox made by \`make\`"
  echo "in a copy of images/busybox, plus a layer of $SMALL_FILES files of $FILE_KIB KiB of random data"
  echo "($(MB "$SMALL_BYTES"), $SMALL_ENTRIES entries in all). *~1 GB*: the Debian parent plus a layer of"
  echo "$BIG_FILES such files ($(MB "$BIG_BYTES"), $BIG_ENTRIES entries). The data layers are made by"
  echo "\`jetpack build\` (\`mv data /data\` from the work dir) and \`buildah copy\` + \`commit\`, so both parents"
  echo "have two layers on both sides. overlayfs marks the moved /data opaque, which jetpack takes for a"
  echo "deletion: the data-layer images carry a pathWhitelist of their whole tree, like any image whose"
  echo "build deleted something (~10 MB: $SMALL_WL; ~1 GB: $BIG_WL)."
  echo
  for note in "${LAYER_NOTES[@]}"; do echo "- $note."; done
  echo
  echo "Each case: one untimed warm-up per side (checked: the new image has /hello), then $ROUNDS"
  echo "rounds alternating which side goes first, \`sync\` (untimed) before every run, nothing deleted"
  echo "until the end (the new images accumulate on both sides). Stores are on $BENCH_FS_DESC."
  echo
  if [ -n "$PROFILE_TEXT" ]; then
    echo "**Where jetpack's time goes**: $ROUNDS more builds on each parent with \`bench/build-profile-hook.cjs\`"
    echo "preloaded into jetpack's node (\`NODE_OPTIONS=--require=…\`), which timestamps each child process"
    echo "jetpack spawns, from spawn to exit (no tracer slows the processes down); then two floors and"
    echo "buildah's time split by command, each the median of $ROUNDS runs in the same run:"
    echo
    echo '```'
    echo "$PROFILE_TEXT"
    echo '```'
    echo
  fi
  echo "**Machine.** $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)),"
  echo "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r); $(buildah --version | cut -d' ' -f1-3),"
  echo "node $(node --version), mmdebstrap $(mmdebstrap --version 2>/dev/null | awk '{ print $2 }'). bench/work is on $HOST_FS."
  echo "Other work on the machine used $SUM_OTHERS CPU-seconds during the ${SUM_WALL}s of measuring (per case:"
  echo "${CASE_OTHERS[0]}, ${CASE_OTHERS[1]}, ${CASE_OTHERS[2]} s; the machine is shared; compare the two"
  echo "sides of a row, not rows of different runs)."
  busy_machine_note "$SUM_OTHERS" "$SUM_WALL"
  echo
} >"$SECTION_FILE"

echo
cat "$SECTION_FILE"

if [ "${NO_DOC:-}" != 1 ]; then
  wait_other_benches
  update_doc_section "$DOC" "$SECTION" "$SECTION_FILE"
  log "updated $DOC"
fi
