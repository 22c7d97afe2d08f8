#!/usr/bin/env bash
# Rootless builds (issue 31): the same trivial build by jetpack as an ordinary user, by jetpack
# as root, and by rootless buildah as the same user, side by side in one run. Reported as
# ratios in docs/BENCHMARKS.md, under "## Rootless builds (issue 31)".
#
#   bash bench/rootless.sh         (as root; ~3 min; needs buildah, uidmap, make, dpkg-deb,
#                                   node, useradd; ~2 GB free in bench/work/ for a sparse
#                                   filesystem image)
#
# The run makes its own user (useradd -m: a home on the run's filesystem and a 65536-ID
# subordinate range in /etc/subuid and /etc/subgid) and removes it at exit (userdel -r).
# Both sides of every case start through the same `setpriv … --reset-env env -C DIR …`, the
# user's as the user, root's as root, with the same PATH and nothing else in the environment.
# The build measured, from a busybox parent made by `make` in a copy of images/busybox (the
# user's in its default store, root's in a store of the run) with a build dir holding only
# manifest.json {"name":"bench/hello"}:
#   jetpack (user, root): jetpack build PARENT /bin/sh -c 'echo hi > /hello'
#   buildah (user):       ctr=$(buildah from --pull=never PARENT) && buildah run --isolation chroot $ctr --
#                         /bin/sh -c 'echo hi > /hello' && buildah commit $ctr bench-hello && buildah rm $ctr
# buildah runs rootless: it enters its own user namespace (newuidmap/newgidmap, the same
# subordinate range) and keeps its storage in the user's home (its own storage.conf, --root,
# --runroot; the overlay driver, native overlayfs in the user namespace, or vfs where the
# kernel refuses that: the report says which). Its parent: the same rootfs.tar, from scratch +
# add + commit. Also measured, for the cost of entering the namespace: `jetpack images`.
#
# Environment:
#   ROUNDS=11         timed runs per side and case, alternating which side goes first (median)
#   BENCH_FS=loop     measure on a fresh journaled ext4 made for the run on a loop device
#                     (default; see make_bench_fs in bench/lib.sh), or
#   BENCH_FS=workdir  measure in bench/work/ itself
#   QUIET_WAIT=600    wait at most this long for the machine to be < 15% busy before each case
#   JETPACK_BUILD=dist  what to measure: dist/ as it is compiled (copied with bin/ and share/
#                     into bench/work/ first), or worktree / a git revision, compiled there
#   NO_DOC=1          print the results only, leave docs/BENCHMARKS.md alone
set -Eeuo pipefail
shopt -s inherit_errexit

ROUNDS=${ROUNDS:-11}
BENCH_FS=${BENCH_FS:-loop}
QUIET_WAIT=${QUIET_WAIT:-600}
JETPACK_BUILD=${JETPACK_BUILD:-dist}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
WORK=$HERE/work
DOC=$REPO/docs/BENCHMARKS.md
SECTION='## Rootless builds (issue 31)'
ROOT_TARGET=1.15   # jetpack as a user / jetpack as root
BUILDAH_TARGET=0.5 # jetpack as a user / rootless buildah as the same user
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
die() { echo "rootless-bench: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (it makes and removes its own user)"
for tool in buildah newuidmap newgidmap make dpkg-deb node useradd userdel setpriv findmnt mkfs.ext4 losetup; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup.sh installs it)"
done
[ "$ROUNDS" -ge 1 ] 2>/dev/null || die "ROUNDS must be a positive number"
case "$BENCH_FS" in loop | workdir) ;; *) die "BENCH_FS must be loop or workdir" ;; esac

mkdir -p "$WORK"
if [ "$JETPACK_BUILD" = dist ]; then
  [ -f "$REPO/dist/main.cjs" ] || die "dist/ is not built (npm ci builds it), or set JETPACK_BUILD=worktree"
  JETPACK_PKG=$WORK/jetpack-rootless-dist
  rm -rf "$JETPACK_PKG"
  mkdir -p "$JETPACK_PKG"
  cp -r "$REPO/bin" "$REPO/dist" "$REPO/share" "$REPO/package.json" "$JETPACK_PKG/"
  rm -f "$JETPACK_PKG"/dist/*.v8cache
  JETPACK=$JETPACK_PKG/bin/jetpack
  JETPACK_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
  git -C "$REPO" diff --quiet HEAD -- src bin 2>/dev/null && [ -z "$(git -C "$REPO" ls-files --others --exclude-standard -- src bin)" ] ||
    JETPACK_REV="$JETPACK_REV + uncommitted changes in src/ or bin/"
else
  log "building jetpack ($JETPACK_BUILD) into $WORK"
  build_jetpack "$REPO" "$WORK" "$JETPACK_BUILD"
fi
# dist/ belongs to root: its V8 code cache (src/cli/boot.ts) is written by a first run as root.
"$JETPACK" version >/dev/null

ERRLOG=$WORK/last-rootless-run.log # stderr of every command, kept for a look after a failure
: >"$ERRLOG"
MNT=$WORK/rootless-fs
FS_IMAGE=$WORK/rootless-fs.img
RUN=
BUSER=
cleanup() {
  set +e
  trap - ERR
  if [ -n "$BUSER" ]; then
    pkill -KILL -u "$BUSER"
    for _ in $(seq 50); do pgrep -u "$BUSER" >/dev/null || break; sleep 0.1; done
    userdel -r -f "$BUSER" 2>/dev/null
  fi
  drop_run
}
trap cleanup EXIT
trap 'echo "rootless-bench: failed; last lines of $ERRLOG:" >&2; tail -n 20 "$ERRLOG" >&2 || true' ERR

# ---------------------------------------------------------------- filesystem, user, parents

HOST_FS=$(describe_fs "$WORK")
if [ "$BENCH_FS" = loop ]; then
  log "making a fresh ext4 of 2 GB on a loop device ($FS_IMAGE)"
  make_bench_fs "$FS_IMAGE" "$MNT" 2000000000
  RUN=$MNT/run
  mkdir "$RUN"
  BENCH_FS_DESC="a fresh journaled ext4 ($(findmnt -no OPTIONS "$MNT"), mkfs.ext4 defaults) made for the run on a loop device (direct I/O)"
else
  RUN=$(mktemp -d "$WORK/rootless-run.XXXXXX")
  BENCH_FS_DESC="the host filesystem itself (BENCH_FS=workdir)"
fi
chmod 0755 "$RUN"

BUSER=jpbench$$
useradd -m -d "$RUN/home" -s /bin/sh "$BUSER" 2>>"$ERRLOG"
BHOME=$RUN/home
BUID=$(id -u "$BUSER") BGID=$(id -g "$BUSER")
SUBUID=$(grep "^$BUSER:" /etc/subuid | cut -d: -f2-)
SUBGID=$(grep "^$BUSER:" /etc/subgid | cut -d: -f2-)
[ -n "$SUBUID" ] && [ -n "$SUBGID" ] || die "useradd gave $BUSER no subordinate IDs (SUB_UID_COUNT in /etc/login.defs)"
log "user $BUSER, home $BHOME, subordinate uids $SUBUID, gids $SUBGID"

# ENV-DIR COMMAND...: as the user or as root, each in the same clean environment.
as_user() { local dir=$1; shift; setpriv --reuid="$BUID" --regid="$BGID" --init-groups --reset-env env -C "$dir" HOME="$BHOME" USER="$BUSER" LOGNAME="$BUSER" PATH="$PATH" "$@"; }
as_root() { local dir=$1; shift; setpriv --reuid=0 --regid=0 --init-groups --reset-env env -C "$dir" HOME=/root USER=root LOGNAME=root PATH="$PATH" "$@"; }

RSTORE=$RUN/root-store
USTORE=$BHOME/.local/share/jetpack

log "busybox parents: make in copies of images/busybox (as root and as $BUSER)"
make_busybox() { # DIR OWNER RUNNER JETPACK-COMMAND
  mkdir "$1"
  cp -a "$REPO/images/busybox/." "$1/"
  rm -f "$1"/*.aci "$1"/*.aci.id "$1"/rootfs.tar "$1"/manifest.json "$1"/.jetpack.*
  # The Makefile downloads busybox-static with apt-get when busybox.deb is missing; keep it.
  if [ -s "$WORK/busybox-static.deb" ]; then cp "$WORK/busybox-static.deb" "$1/busybox.deb"; fi
  chown -R "$2" "$1"
  "$3" "$1" make -s JETPACK="$4" >/dev/null 2>>"$ERRLOG"
  [ -s "$WORK/busybox-static.deb" ] || cp "$1/busybox.deb" "$WORK/busybox-static.deb"
}
make_busybox "$RUN/busybox" root as_root "$JETPACK -root=$RSTORE"
make_busybox "$BHOME/busybox" "$BUSER:" as_user "$JETPACK"
J_ROOT_BB=$(cat "$RUN/busybox/image.aci.id")
J_USER_BB=$(cat "$BHOME/busybox/image.aci.id")

# buildah as the user with storage of its own in the user's home: native overlay if the
# kernel mounts it in buildah's user namespace, else vfs.
BSTORE=$BHOME/buildah
mkdir -p "$BSTORE/root" "$BSTORE/runroot" "$BSTORE/tmp"
chown -R "$BUSER:" "$BSTORE"
B() { as_user "$BHOME" env TMPDIR="$BSTORE/tmp" CONTAINERS_STORAGE_CONF="$BSTORE/storage.conf" buildah --root "$BSTORE/root" --runroot "$BSTORE/runroot" --storage-driver "$BDRIVER" "$@"; }
for BDRIVER in overlay vfs; do
  printf '[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n' "$BDRIVER" "$BSTORE/root" "$BSTORE/runroot" >"$BSTORE/storage.conf"
  chown "$BUSER:" "$BSTORE/storage.conf"
  if ctr=$(B from scratch 2>>"$ERRLOG") && B add "$ctr" "$BHOME/busybox/rootfs.tar" / >/dev/null 2>>"$ERRLOG" &&
    B commit "$ctr" localhost/bench-busybox >/dev/null 2>>"$ERRLOG" && B rm "$ctr" >/dev/null 2>>"$ERRLOG"; then
    break
  fi
  [ "$BDRIVER" = overlay ] || die "rootless buildah failed with both overlay and vfs (see $ERRLOG)"
  log "rootless buildah refused the overlay driver; using vfs"
  rm -rf "${BSTORE:?}/root" "$BSTORE/runroot"
  mkdir -p "$BSTORE/root" "$BSTORE/runroot"
  chown "$BUSER:" "$BSTORE/root" "$BSTORE/runroot"
done
BDRIVER_DESC=$BDRIVER
if [ "$BDRIVER" = overlay ]; then
  BDRIVER_DESC="overlay ($(B info 2>>"$ERRLOG" | awk -F'"' '/"Native Overlay Diff"/ { n = $4 } /"mount_program"/ { m = 1 } END { printf "native overlayfs in its user namespace, Native Overlay Diff %s%s", n, m ? ", with a mount_program" : "" }'))"
fi
log "rootless buildah: $BDRIVER_DESC"

HELLO_SCRIPT=$RUN/hello.sh # buildah's four commands, one shell for the four, as the user
cat >"$HELLO_SCRIPT" <<'EOF'
B() { buildah --root "$BSTORE/root" --runroot "$BSTORE/runroot" --storage-driver "$BDRIVER" "$@"; }
ctr=$(B from --pull=never localhost/bench-busybox) &&
  B run --isolation chroot "$ctr" -- /bin/sh -c 'echo hi > /hello' &&
  B commit "$ctr" localhost/bench-hello &&
  B rm "$ctr"
EOF
chmod 0644 "$HELLO_SCRIPT"
for dir in "$RUN/hello" "$BHOME/hello"; do
  mkdir "$dir"
  echo '{"name":"bench/hello"}' >"$dir/manifest.json"
done
chown -R "$BUSER:" "$BHOME/hello"
LAST_ID=$RUN/last-jetpack-id

jetpack_user() { as_user "$BHOME/hello" "$JETPACK" build "$J_USER_BB" /bin/sh -c 'echo hi > /hello' >"$LAST_ID"; }
jetpack_root() { as_root "$RUN/hello" "$JETPACK" -root="$RSTORE" build "$J_ROOT_BB" /bin/sh -c 'echo hi > /hello' >"$LAST_ID"; }
buildah_user() {
  as_user "$BHOME" env TMPDIR="$BSTORE/tmp" CONTAINERS_STORAGE_CONF="$BSTORE/storage.conf" BSTORE="$BSTORE" BDRIVER="$BDRIVER" sh "$HELLO_SCRIPT"
}
images_user() { as_user "$BHOME" "$JETPACK" images; }
images_root() { as_root "$RUN" "$JETPACK" -root="$RSTORE" images; }

# After a warm-up: the new image holds /hello (jetpack: its own layer holds nothing else).
check_user() { check_jetpack "$USTORE"; }
check_root() { check_jetpack "$RSTORE"; }
check_jetpack() { # STORE
  local id
  id=$(cat "$LAST_ID")
  [ "$(cat "$1/images/$id/rootfs/hello")" = hi ] || die "jetpack's image in $1 has no /hello"
  [ "$(cd "$1/images/$id/rootfs" && find . -mindepth 1)" = ./hello ] || die "jetpack's new layer in $1 holds more than /hello"
}
check_buildah() {
  local ctr out
  ctr=$(B from --pull=never localhost/bench-hello 2>>"$ERRLOG")
  out=$(B run --isolation chroot "$ctr" -- cat /hello 2>>"$ERRLOG")
  B rm "$ctr" >/dev/null 2>>"$ERRLOG"
  [ "$out" = hi ] || die "rootless buildah's image has no /hello"
}
check_nothing() { :; }

# ---------------------------------------------------------------- measuring

# One untimed warm-up of each side (then its check), then ROUNDS rounds alternating which
# side goes first. Sets A_TIMES and B_TIMES.
compare() { # FN-A CHECK-A FN-B CHECK-B
  local r side
  [ "$QUIET_WAIT" = 0 ] || wait_quiet "$QUIET_WAIT"
  cpu_mark
  "$1" >/dev/null 2>>"$ERRLOG"
  "$2"
  "$3" >/dev/null 2>>"$ERRLOG"
  "$4"
  A_TIMES=() B_TIMES=()
  for ((r = 1; r <= ROUNDS; r++)); do
    local order=(a b)
    ((r % 2)) || order=(b a)
    for side in "${order[@]}"; do
      if [ "$side" = a ]; then A_TIMES+=("$(timed "$1")"); else B_TIMES+=("$(timed "$3")"); fi
    done
  done
  cpu_others
  SUM_OTHERS=$(awk -v a="$SUM_OTHERS" -v b="$OTHERS_CPU" 'BEGIN { printf "%.1f", a + b }')
  SUM_WALL=$(awk -v a="$SUM_WALL" -v b="$RUN_WALL" 'BEGIN { printf "%.1f", a + b }')
  echo "   ${A_TIMES[*]}   |   ${B_TIMES[*]}   (other work: $OTHERS_CPU CPU-s in ${RUN_WALL}s)" >&2
}
SUM_OTHERS=0 SUM_WALL=0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
meets() { awk -v r="$1" -v t="$2" 'BEGIN { exit !(r <= t) }' && echo yes || echo "**no**"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }

log "waiting for the machine to be quiet before each case (at most ${QUIET_WAIT}s; QUIET_WAIT=0 skips this)"
log "trivial build: jetpack as $BUSER | jetpack as root, $ROUNDS rounds"
compare jetpack_user check_user jetpack_root check_root
JU_TIMES=("${A_TIMES[@]}") JR_TIMES=("${B_TIMES[@]}")
log "trivial build: jetpack as $BUSER | rootless buildah as $BUSER, $ROUNDS rounds"
compare jetpack_user check_user buildah_user check_buildah
JU2_TIMES=("${A_TIMES[@]}") BU_TIMES=("${B_TIMES[@]}")
log "entering the namespace: jetpack images as $BUSER | as root, $ROUNDS rounds"
compare images_user check_nothing images_root check_nothing
IU_TIMES=("${A_TIMES[@]}") IR_TIMES=("${B_TIMES[@]}")

JU=$(median "${JU_TIMES[@]}") JR=$(median "${JR_TIMES[@]}") R_ROOT=$(ratio "$JU" "$JR")
JU2=$(median "${JU2_TIMES[@]}") BU=$(median "${BU_TIMES[@]}") R_BUILDAH=$(ratio "$JU2" "$BU")
IU=$(median "${IU_TIMES[@]}") IR=$(median "${IR_TIMES[@]}") R_IMAGES=$(ratio "$IU" "$IR")
MET_ROOT=$(meets "$R_ROOT" "$ROOT_TARGET")
MET_BUILDAH=$(meets "$R_BUILDAH" "$BUILDAH_TARGET")

# ---------------------------------------------------------------- report

SECTION_FILE=$WORK/last-rootless-section.md
{
  echo "$SECTION"
  echo
  echo "Made by \`bash bench/rootless.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $JETPACK_REV); rerunning the"
  echo "script rewrites this section. Median wall-clock seconds of $ROUNDS runs per side."
  echo
  echo "| Trivial build (\`echo hi > /hello\`) on jetpack/busybox | jetpack as a user (s) | peer (s) | Ratio | Target | Met |"
  echo "|---|---:|---:|---:|---:|---|"
  echo "| against jetpack as root | $JU | $JR | **$R_ROOT** | ≤ $ROOT_TARGET | $MET_ROOT |"
  echo "| against rootless buildah as the same user | $JU2 | $BU | **$R_BUILDAH** | ≤ $BUILDAH_TARGET | $MET_BUILDAH |"
  echo "| for context: \`jetpack images\` (a few images), user against root | $IU | $IR | $R_IMAGES | — | — |"
  echo
  echo "Targets (issue 31): a rootless trivial build takes ≤ $ROOT_TARGET× the same build as root, and ≤ $BUILDAH_TARGET×"
  echo "rootless buildah's time for the same work as the same user."
  if [ "$MET_ROOT" = yes ] && [ "$MET_BUILDAH" = yes ]; then echo "Both targets met."; else echo "Not all targets met (see **no** above)."; fi
  echo
  echo "<details><summary>Every run (seconds, in order)</summary>"
  echo
  echo "| Case | runs |"
  echo "|---|---|"
  echo "| jetpack as a user (against root) | ${JU_TIMES[*]} |"
  echo "| jetpack as root | ${JR_TIMES[*]} |"
  echo "| jetpack as a user (against buildah) | ${JU2_TIMES[*]} |"
  echo "| rootless buildah | ${BU_TIMES[*]} |"
  echo "| jetpack images, user | ${IU_TIMES[*]} |"
  echo "| jetpack images, root | ${IR_TIMES[*]} |"
  echo
  echo "</details>"
  echo
  echo "**What is compared.** One build, from a busybox image already in the store to a new image in"
  echo "the store, with a build dir holding only \`manifest.json\` (\`{\"name\":\"bench/hello\"}\`):"
  echo
  echo "- jetpack as a user the run made (\`useradd -m\`, subordinate IDs $SUBUID): \`jetpack build PARENT"
  echo "  /bin/sh -c 'echo hi > /hello'\` on its default store (~/.local/share/jetpack): the user namespace"
  echo "  mapped by newuidmap/newgidmap, overlay with \`userxattr\`, the container, the new image's ACI."
  echo "- jetpack as root: the same command with \`-root=STORE\`, a store of the run on the same filesystem."
  echo "- buildah $(buildah --version | awk '{ print $3 }') rootless, as the same user: \`ctr=\$(buildah from --pull=never PARENT) &&"
  echo "  buildah run --isolation chroot \$ctr -- /bin/sh -c 'echo hi > /hello' && buildah commit \$ctr bench-hello"
  echo "  && buildah rm \$ctr\` (one \`sh\` for the four), its storage in the user's home (own storage.conf,"
  echo "  \`--root\`, \`--runroot\`, TMPDIR), storage driver: $BDRIVER_DESC."
  echo
  echo "Parents: jetpack/busybox made by \`make\` in copies of images/busybox (as the user and as root;"
  echo "image IDs $( [ "$J_USER_BB" = "$J_ROOT_BB" ] && echo "equal" || echo "different: no SOURCE_DATE_EPOCH was set" ));"
  echo "buildah's from its rootfs.tar by \`from scratch\` + \`add\` + \`commit\`. Every command starts"
  echo "through the same \`setpriv --reuid=… --regid=… --init-groups --reset-env env -C DIR HOME=… PATH=…\`,"
  echo "as the user or as root. Each case: one untimed warm-up per side (checked: the new image has"
  echo "/hello, and jetpack's layer nothing else), then $ROUNDS rounds alternating which side goes first,"
  echo "\`sync\` (untimed) before every run. Stores are on $BENCH_FS_DESC; bench/work is on $HOST_FS."
  echo
  echo "**Machine.** $(describe_machine | tr '\n' ' ')"
  echo "$(buildah --version | cut -d' ' -f1-3), $(unshare --version)."
  echo "Other work on the machine used $SUM_OTHERS CPU-seconds during the ${SUM_WALL}s of measuring"
  echo "(the machine is shared; compare the two sides of a row, not rows of different runs)."
  busy_machine_note "$SUM_OTHERS" "$SUM_WALL"
  echo
} >"$SECTION_FILE"

publish_section "$DOC" "$SECTION" "$SECTION_FILE"
