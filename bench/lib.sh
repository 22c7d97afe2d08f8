# Helpers shared by the bench/ scripts; source it, do not run it. Expects `set -Eeuo pipefail`
# and ERRLOG (a file collecting the stderr of timed commands) to be set by the caller.

MB() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

# Seconds (3 decimals) the command takes; its stdout is discarded, its stderr goes to ERRLOG.
# Every timed command starts after a sync, so no run pays for an earlier one's writeback.
timed() {
  sync
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>>"$ERRLOG"
  local t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# "ext4 (rw,relatime) without a journal": the filesystem holding DIR, as the reports show it.
describe_fs() {
  local fs dev
  fs=$(findmnt -no FSTYPE,OPTIONS -T "$1" | awk '{ print $1 " (" $2 ")" }')
  dev=$(basename "$(findmnt -no SOURCE -T "$1")")
  if [ "${fs%% *}" = ext4 ] && ! ls /proc/fs/jbd2/ 2>/dev/null | grep -q "^$dev-"; then fs="$fs without a journal"; fi
  echo "$fs"
}

# A fresh journaled ext4 of BYTES on a loop device (direct I/O, so the image file's pages are
# not cached twice and fsync costs what it costs on the host), mounted at MOUNTPOINT. Inode
# tables and journal are written by mkfs, so no lazy-init thread writes during the runs.
# Why not the host filesystem: on ext4 without a journal (these VMs) inode allocation skips
# inodes deleted in the last minute or so (fs/ext4/ialloc.c, recently_deleted()); there it
# made creating 8000 empty files take 0.1 s in one directory and 2.4 s in another, and a
# 0.4 s `tar -x` of the Debian rootfs take 2-6 s, depending on earlier deletions by anyone.
make_bench_fs() { # IMAGE MOUNTPOINT BYTES
  local image=$1 mnt=$2 dev
  drop_bench_fs "$image" "$mnt"
  truncate -s "$3" "$image"
  mkfs.ext4 -q -F -L jetpack-bench -E lazy_itable_init=0,lazy_journal_init=0 "$image"
  dev=$(losetup --find --show --direct-io=on "$image")
  mkdir "$mnt"
  mount "$dev" "$mnt"
}

# Unmounts and removes what make_bench_fs made (also what a killed run left behind).
drop_bench_fs() { # IMAGE MOUNTPOINT
  local image=$1 mnt=$2 dev
  if mountpoint -q "$mnt"; then umount "$mnt"; fi
  for dev in $(losetup -l -n -O NAME -j "$image" 2>/dev/null); do losetup -d "$dev"; done
  rm -rf "$mnt" "$image"
}

# Other work competing for the CPUs during a benchmark: call cpu_mark before measuring and
# cpu_others after (both in the main shell, never in a $(...) or <(...) subshell); cpu_others
# sets OTHERS_CPU, the CPU seconds the machine spent busy in between that were not used by
# this shell's children (the measured commands), and RUN_WALL, the wall seconds.
# The load average is no help here: it also counts tasks blocked on I/O.
cpu_mark() {
  CPU_MARK_TICKS=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
  times >"$ERRLOG.times" # `times` must run in this shell, not in a $(...) subshell
  CPU_MARK_CHILDREN=$(children_cpu "$ERRLOG.times")
  CPU_MARK_WALL=$EPOCHREALTIME
}
cpu_others() {
  local ticks children hz
  ticks=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
  times >"$ERRLOG.times"
  children=$(children_cpu "$ERRLOG.times")
  rm -f "$ERRLOG.times"
  hz=$(getconf CLK_TCK)
  read -r OTHERS_CPU RUN_WALL < <(awk -v t=$((ticks - CPU_MARK_TICKS)) -v hz="$hz" -v c0="$CPU_MARK_CHILDREN" -v c1="$children" \
    -v w0="$CPU_MARK_WALL" -v w1="$EPOCHREALTIME" 'BEGIN { o = t / hz - (c1 - c0); if (o < 0) o = 0; printf "%.1f %.1f\n", o, w1 - w0 }')
}
children_cpu() { # the children line of `times` output in FILE, as seconds of user + system
  awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] } print s }' "$1"
}

# Waits (at most MAX seconds, default 600) until the machine was less than 15% busy over a
# 5-second window, so a run does not start in the middle of someone else's build or tests.
wait_quiet() {
  local max=${1:-600} waited=0 a b busy
  while :; do
    a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
    sleep 5
    b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
    busy=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2] + 1e-9) }')
    waited=$((waited + 5))
    if [ "$busy" -lt 15 ]; then return 0; fi
    if [ "$waited" -ge "$max" ]; then
      echo "machine still ${busy}% busy after ${max}s; measuring anyway" >&2
      return 0
    fi
  done
}

# Puts FILE (a section starting with the line HEADING) into the markdown document DOC in
# place of the section with that heading (up to the next "## " heading), or appends it.
# DOC is created with a short preamble if missing. Other sections are left as they are.
update_doc_section() { # DOC HEADING FILE
  local doc=$1 heading=$2 file=$3
  mkdir -p "$(dirname "$doc")"
  if [ ! -f "$doc" ]; then
    cat >"$doc" <<'EOD'
# Benchmarks

Performance claims of jetpack, each measured against a peer tool (GNU tar, buildah, …) doing the
same work in the same run on the same machine, and reported as a ratio jetpack / peer.
The scripts live in `bench/` (see bench/README.md); each section below belongs to one script,
which rewrites only its own section when it is run again.

EOD
  fi
  awk -v sec="$heading" -v file="$file" '
    function emit(  line) { while ((getline line < file) > 0) print line; close(file) }
    $0 == sec { emit(); skip = 1; done = 1; next }
    skip && /^## / { skip = 0 }
    !skip { print; last = $0 }
    END { if (!done) { if (last != "") print ""; emit() } }
  ' "$doc" >"$doc.tmp"
  mv "$doc.tmp" "$doc"
}

# One paragraph about the machine, for the reports.
describe_machine() {
  local cpu mem
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "$(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r);"
  echo "$(tar --version | head -1), zstd $(zstd --version | grep -o 'v[0-9.]*' | head -1), node $(node --version)"
}

# Builds the jetpack to measure into its own package directory under WORK, so that nobody
# rebuilding dist/ in the repository during a run changes what is measured, and sets JETPACK
# (its bin/jetpack), JETPACK_PKG (the directory, for the caller to remove at the end) and
# JETPACK_REV (what was built, for the reports). REV is "worktree" (src/ as it is now,
# committed or not) or a git revision such as HEAD.
build_jetpack() { # REPO WORK REV
  local repo=$1 work=$2 rev=$3 pkg
  if [ "$rev" = worktree ]; then
    JETPACK_REV=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
    git -C "$repo" diff --quiet HEAD -- src 2>/dev/null && [ -z "$(git -C "$repo" ls-files --others --exclude-standard -- src)" ] ||
      JETPACK_REV="$JETPACK_REV + uncommitted changes in src/"
    pkg=$work/jetpack-worktree
    rm -rf "$pkg"
    mkdir -p "$pkg"
    cp -r "$repo/src" "$repo/bin" "$repo/share" "$repo/scripts" "$repo/package.json" "$pkg/"
  else
    JETPACK_REV=$(git -C "$repo" rev-parse --short "$rev^{commit}")
    pkg=$work/jetpack-$JETPACK_REV
    rm -rf "$pkg"
    mkdir -p "$pkg"
    git -C "$repo" archive "$JETPACK_REV" src bin share scripts package.json | tar -x -C "$pkg"
  fi
  # node_modules (esbuild, the runtime dependencies) are found in the repository above work/
  # by Node's usual upward lookup. Revisions before the bundle compiled with tsc.
  if [ -f "$pkg/scripts/build.mjs" ]; then
    (cd "$pkg" && node scripts/build.mjs)
  else
    git -C "$repo" show "$JETPACK_REV:tsconfig.json" >"$pkg/tsconfig.json"
    (cd "$pkg" && "$repo/node_modules/.bin/tsc" -p tsconfig.json)
  fi
  JETPACK=$pkg/bin/jetpack
  JETPACK_PKG=$pkg
}

debian_manifest() { # SUITE: the manifest of the bench's Debian minbase image, on stdout (needs JETPACK)
  local arch
  arch=$("$JETPACK" config host.arch)
  cat <<EOF
{
  "acKind": "ImageManifest",
  "acVersion": "0.8.11",
  "name": "bench/debian-minbase",
  "labels": [
    { "name": "version", "value": "$1" },
    { "name": "os", "value": "linux" },
    { "name": "arch", "value": "$arch" }
  ]
}
EOF
}

drop_run() { # EXIT trap: removes the run's filesystem (BENCH_FS, FS_IMAGE, MNT, RUN) and jetpack copy (JETPACK_PKG)
  if [ "$BENCH_FS" = loop ]; then drop_bench_fs "$FS_IMAGE" "$MNT"
  elif [ -n "$RUN" ]; then rm -rf "$RUN"; fi
  if [ -n "$JETPACK_PKG" ]; then rm -rf "$JETPACK_PKG"; fi
}

# Puts SECTION (markdown whose first line is its "## " heading) into docs/BENCHMARKS.md in
# place of the section with the same heading, or at the end when there is none.
replace_section() { # SECTION
  python3 - docs/BENCHMARKS.md "$1" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip() + "\n"
heading = section.split("\n", 1)[0]
text = open(path).read()
pattern = re.compile(re.escape(heading) + r"\n.*?(?=\n## |\Z)", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
  echo "== updated docs/BENCHMARKS.md"
}

# Stops with one line unless the bench runs as root, bench/work/rootfs.tar (the Debian minbase,
# made by bench/import-export.sh) is there and every TOOL is installed.
bench_needs() { # NAME TOOL...
  local name=$1 tool
  shift
  [ "$(id -u)" = 0 ] || { echo "$name-bench: run as root" >&2; exit 1; }
  [ -f bench/work/rootfs.tar ] || { echo "$name-bench: bench/work/rootfs.tar is missing: run bash bench/import-export.sh once" >&2; exit 1; }
  for tool; do command -v "$tool" >/dev/null || { echo "$name-bench: $tool is not installed" >&2; exit 1; }; done
}

# The line that flags a run as noisy: other work used more than 15 % of its measuring time.
busy_machine_note() { # OTHERS_CPU_SECONDS WALL_SECONDS
  if awk -v o="$1" -v w="$2" 'BEGIN { exit !(o > 0.15 * w) }'; then
    echo "**That is a busy machine: these numbers are noisy; rerun when it is quiet.**"
  fi
}

# Prints the section FILE and, unless NO_DOC=1, puts it into DOC in place of HEADING's.
publish_section() { # DOC HEADING FILE
  echo
  cat "$3"
  if [ "${NO_DOC:-}" != 1 ]; then
    update_doc_section "$1" "$2" "$3"
    echo "== updated $1" >&2
  fi
}
