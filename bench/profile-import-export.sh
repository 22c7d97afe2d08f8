#!/usr/bin/env bash
# Where the time of `jetpack import` and `jetpack export -flat` goes, stage by stage. Each
# line rebuilds one more piece of jetpack's pipeline out of plain tools (GNU tar, zstd, and
# a few lines of node doing what jetpack's node process does: sha512 of the stream, pipes),
# so the difference between two lines is the cost of that piece. Not a pass/fail benchmark:
# run it after bench/import-export.sh (it reuses the ACIs cached in bench/work/).
#
#   bash bench/profile-import-export.sh      (as root; ROUNDS=3 by default, median shown)
#
# BENCH_FS=loop (default) or workdir, COOLDOWN, JETPACK_BUILD, NO_DOC=1: as for
# bench/import-export.sh.
# Writes its results to docs/BENCHMARKS.md under "## Import and export, stage by stage".
set -Eeuo pipefail
shopt -s inherit_errexit
# The node lines below stand for jetpack's own node process, which bin/jetpack starts without
# NODE_EXTRA_CA_CERTS (Node 20 parses that bundle at start-up: ~85 ms; docs/DESIGN-CHOICES.md).
unset NODE_EXTRA_CA_CERTS

ROUNDS=${ROUNDS:-3}
BENCH_FS=${BENCH_FS:-loop}
COOLDOWN=${COOLDOWN:-65}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
WORK=$HERE/work
JETPACK_BUILD=${JETPACK_BUILD:-worktree}
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || { echo "profile: must run as root" >&2; exit 1; }
[ -s "$WORK/debian-minbase.aci" ] && [ -s "$WORK/debian-minbase-zstd.aci" ] || { echo "profile: run bench/import-export.sh first (it makes the ACIs)" >&2; exit 1; }
MNT=$WORK/profile-fs
FS_IMAGE=$WORK/profile-fs.img
RUN=
JETPACK_PKG=
trap drop_run EXIT
echo "== building jetpack ($JETPACK_BUILD) into $WORK" >&2
build_jetpack "$REPO" "$WORK" "$JETPACK_BUILD"
if [ "$BENCH_FS" = loop ]; then # the same kind of filesystem as bench/import-export.sh
  make_bench_fs "$FS_IMAGE" "$MNT" $((ROUNDS * 35 * $(stat -c %s "$WORK/debian-minbase.aci") + 3000000000))
  RUN=$MNT/run
  mkdir "$RUN"
  cp "$WORK/debian-minbase.aci" "$WORK/debian-minbase-zstd.aci" "$MNT/"
  ACI=$MNT/debian-minbase.aci
  ACI_ZST=$MNT/debian-minbase-zstd.aci
  COOLDOWN=0
else
  RUN=$(mktemp -d "$WORK/profile.XXXXXX")
  ACI=$WORK/debian-minbase.aci
  ACI_ZST=$WORK/debian-minbase-zstd.aci
fi
ERRLOG=$RUN/stderr.log

# node doing what jetpack's node process does with the stream, minus the tar header checks:
# stdin (or a file) -> sha512 -> stdout (or nowhere), in 1 MiB chunks; FSYNC=1 fsyncs stdout.
cat >"$RUN/hashpipe.mjs" <<'EOF'
import { createReadStream, createWriteStream, fsyncSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
const [src, out] = process.argv.slice(2);
const hash = createHash('sha512');
const hashing = new Transform({ highWaterMark: 1 << 20, transform(c, _e, done) { hash.update(c); done(null, c); } });
const input = src === '-' ? process.stdin : createReadStream(src, { highWaterMark: 1 << 20 });
const sink = out === 'none'
  ? new Writable({ highWaterMark: 1 << 20, write(_c, _e, done) { done(); } })
  : createWriteStream('', { fd: 1, autoClose: false, highWaterMark: 1 << 20 });
await pipeline(input, hashing, sink);
if (process.env.FSYNC === '1') fsyncSync(1);
process.stderr.write(hash.digest('hex').slice(0, 16) + '\n');
EOF
HASHPIPE=(node "$RUN/hashpipe.mjs")

stage() { # LABEL FUNCTION: FUNCTION gets a path that does not exist yet in OUT
  local label=$1 times=() r
  shift
  for ((r = 1; r <= ROUNDS; r++)); do
    OUT=$(mktemp -u "$RUN/o.XXXXXX")
    times+=("$(timed "$@")")
  done
  printf '%-68s %6s   (%s)\n' "$label" "$(median "${times[@]}")" "${times[*]}"
}

PEER_X=(--numeric-owner --xattrs --xattrs-include='*')
JETPACK_X=(--numeric-owner --same-owner --same-permissions --xattrs --xattrs-include='*' --acls)
PEER_C=(-c --format=posix --xattrs --xattrs-include='*' --numeric-owner --sort=name)
JETPACK_C=(-c --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime --sort=name --numeric-owner --xattrs --xattrs-include='*' --xattrs-exclude='trusted.overlay.*' --acls --sparse)

s_node_start() { node -e 0; }
s_jetpack_start() { "$JETPACK" -root="$OUT" images; }
s_copy() { cp "$ACI" "$OUT"; }
# fs.copyFile as jetpack's import calls it, and with COPYFILE_EXCL: without EXCL libuv
# ftruncate()s the new file, so ext4 (auto_da_alloc) flushes all of it when it is closed.
s_node_copy() { node -e 'require("fs").copyFileSync(process.argv[1], process.argv[2], require("fs").constants.COPYFILE_FICLONE)' "$ACI" "$OUT"; }
s_node_copy_excl() { node -e 'const c = require("fs").constants; require("fs").copyFileSync(process.argv[1], process.argv[2], c.COPYFILE_FICLONE | c.COPYFILE_EXCL)' "$ACI" "$OUT"; }
s_hash_file() { "${HASHPIPE[@]}" "$ACI" none; }
s_tar_x_peer() { mkdir "$OUT" && tar -x "${PEER_X[@]}" -f "$ACI" -C "$OUT"; }
s_tar_x_jetpack() { mkdir "$OUT" && tar -x "${JETPACK_X[@]}" -f "$ACI" -C "$OUT"; }
s_cat_tar_x() { mkdir "$OUT" && cat "$ACI" | tar -x "${JETPACK_X[@]}" -f - -C "$OUT"; }
s_node_tar_x() { mkdir "$OUT" && "${HASHPIPE[@]}" "$ACI" - | tar -x "${JETPACK_X[@]}" -f - -C "$OUT"; }
s_import() { "$JETPACK" -root="$OUT" import "$ACI"; }
s_tar_xz_peer() { mkdir "$OUT" && tar -x -I zstd "${PEER_X[@]}" -f "$ACI_ZST" -C "$OUT"; }
s_zstd_node_tar_x() { mkdir "$OUT" && zstd -dc -q "$ACI_ZST" | "${HASHPIPE[@]}" - - | tar -x "${JETPACK_X[@]}" -f - -C "$OUT"; }
s_import_zst() { "$JETPACK" -root="$OUT" import "$ACI_ZST"; }
# What-ifs: tar reads the staging copy itself while the ID is hashed from the same file by
# another process, so neither waits on the other through a 64 KiB pipe.
s_whatif_import_node() { cp "$ACI" "$OUT.aci" && mkdir "$OUT" && { tar -x "${JETPACK_X[@]}" -f "$OUT.aci" -C "$OUT" & "${HASHPIPE[@]}" "$OUT.aci" none; wait $!; }; }
s_whatif_import_native() { cp "$ACI" "$OUT.aci" && mkdir "$OUT" && { tar -x "${JETPACK_X[@]}" -f "$OUT.aci" -C "$OUT" & sha512sum "$OUT.aci"; wait $!; }; }
s_whatif_import_zst() { cp "$ACI_ZST" "$OUT.aci" && mkdir "$OUT" && { tar -x -I zstd "${JETPACK_X[@]}" -f "$OUT.aci" -C "$OUT" & zstd -dc -q "$OUT.aci" | "${HASHPIPE[@]}" - none; wait $!; }; }
s_whatif_import_zst_once() { cp "$ACI_ZST" "$OUT.aci" && zstd -d -q "$OUT.aci" -o "$OUT.tar" && mkdir "$OUT" && { tar -x "${JETPACK_X[@]}" -f "$OUT.tar" -C "$OUT" & "${HASHPIPE[@]}" "$OUT.tar" none; wait $!; }; }

echo "== setting up on $(describe_fs "$RUN"); cooling down ${COOLDOWN}s" >&2
STORE=$RUN/store
ID=$("$JETPACK" -root="$STORE" import "$ACI" 2>>"$ERRLOG")
IMG=$STORE/images/$ID
cat "$ACI" "$ACI_ZST" >/dev/null
tar -C "$IMG" -cf - manifest rootfs >/dev/null
sync
sleep "$COOLDOWN"

s_tar_c_peer() { tar -C "$IMG" "${PEER_C[@]}" -f - manifest rootfs >"$OUT"; }
s_tar_c_jetpack() { tar -C "$IMG" "${JETPACK_C[@]}" -f - manifest rootfs >"$OUT"; }
s_tar_c_node() { tar -C "$IMG" "${JETPACK_C[@]}" -f - manifest rootfs | "${HASHPIPE[@]}" - - >"$OUT"; }
s_tar_c_node_fsync() { tar -C "$IMG" "${JETPACK_C[@]}" -f - manifest rootfs | FSYNC=1 "${HASHPIPE[@]}" - - >"$OUT"; }
s_export() { "$JETPACK" -root="$STORE" export -flat "$ID" "$OUT"; }
s_tar_c_zstd_peer() { tar -C "$IMG" "${PEER_C[@]}" -f - manifest rootfs | zstd -q -T0 -c >"$OUT"; }
s_tar_c_zstd_jetpack() { tar -C "$IMG" "${JETPACK_C[@]}" -f - manifest rootfs | zstd -q -T0 -c >"$OUT"; }
s_tar_c_node_zstd() { tar -C "$IMG" "${JETPACK_C[@]}" -f - manifest rootfs | "${HASHPIPE[@]}" - - | zstd -q -T0 -c >"$OUT"; }
s_tar_c_node_zstd_fsync() { tar -C "$IMG" "${JETPACK_C[@]}" -f - manifest rootfs | "${HASHPIPE[@]}" - - | zstd -q -T0 -c >"$OUT" && sync -d "$OUT"; }
s_export_zst() { "$JETPACK" -root="$STORE" export -flat -compress=zstd "$ID" "$OUT"; }
# What-ifs: the archive goes from tar to the file (or to zstd) without passing through node;
# a native tee hands a copy to sha512sum on the side.
s_whatif_export() { { tar -C "$IMG" "${JETPACK_C[@]}" -f - manifest rootfs | tee /dev/fd/3 >"$OUT"; } 3>&1 >/dev/null | sha512sum >"$OUT.id"; }
s_whatif_export_fsync() { s_whatif_export && sync -d "$OUT"; }
s_whatif_export_noid() { tar -C "$IMG" "${JETPACK_C[@]}" -f - manifest rootfs >"$OUT" && sync -d "$OUT"; }
s_whatif_export_zst() { { tar -C "$IMG" "${JETPACK_C[@]}" -f - manifest rootfs | tee /dev/fd/3 | zstd -q -T0 -c >"$OUT"; } 3>&1 >/dev/null | sha512sum >"$OUT.id" && sync -d "$OUT"; }

echo "== waiting for the machine to be quiet" >&2
wait_quiet 600
REPORT=$WORK/last-profile.txt
{
cpu_mark
echo "Median of $ROUNDS (every run in parentheses), seconds, on $(describe_fs "$RUN")"
echo
echo "Import, uncompressed ACI ($(stat -c %s "$ACI") bytes)"
stage "node -e 0 (node start-up)" s_node_start
stage "jetpack -root=NEW images (start-up, store creation, locks)" s_jetpack_start
stage "cp ACI (copy_file_range)" s_copy
stage "node -e fs.copyFile(ACI, FICLONE) (as jetpack; + node start-up)" s_node_copy
stage "node -e fs.copyFile(ACI, FICLONE | EXCL) (+ node start-up)" s_node_copy_excl
stage "node: read ACI + sha512, no output" s_hash_file
stage "tar -x -f ACI, peer flags (the peer)" s_tar_x_peer
stage "tar -x -f ACI, jetpack flags (+ --same-* --acls)" s_tar_x_jetpack
stage "cat ACI | tar -x -f -, jetpack flags (through a pipe)" s_cat_tar_x
stage "node(read + sha512 + pipe) | tar -x, jetpack flags" s_node_tar_x
stage "jetpack import" s_import
stage "what-if: cp; tar -x -f copy & node(sha512 of copy)" s_whatif_import_node
stage "what-if: cp; tar -x -f copy & sha512sum copy" s_whatif_import_native
echo
echo "Import, zstd ACI ($(stat -c %s "$ACI_ZST") bytes)"
stage "tar -x -I zstd -f ACI, peer flags (the peer)" s_tar_xz_peer
stage "zstd -dc | node(sha512 + pipe) | tar -x, jetpack flags" s_zstd_node_tar_x
stage "jetpack import" s_import_zst
stage "what-if: cp; tar -x -I zstd -f copy & zstd -dc copy | node(sha512)" s_whatif_import_zst
stage "what-if: cp; zstd -d to a file; tar -x -f it & node(sha512 of it)" s_whatif_import_zst_once
echo
echo "Flat export, uncompressed"
stage "tar -c, peer flags > out (the peer)" s_tar_c_peer
stage "tar -c, jetpack flags (+ --pax-option --acls --sparse) > out" s_tar_c_jetpack
stage "tar -c, jetpack flags | node(sha512 + pipe) > out" s_tar_c_node
stage "tar -c, jetpack flags | node(sha512 + pipe) > out, fsync" s_tar_c_node_fsync
stage "jetpack export -flat" s_export
stage "what-if: tar -c | tee (to sha512sum) > out" s_whatif_export
stage "what-if: tar -c | tee (to sha512sum) > out, fsync" s_whatif_export_fsync
stage "what-if: tar -c > out, fsync (no ID computed)" s_whatif_export_noid
echo
echo "Flat export, zstd"
stage "tar -c, peer flags | zstd -T0 > out (the peer)" s_tar_c_zstd_peer
stage "tar -c, jetpack flags | zstd -T0 > out" s_tar_c_zstd_jetpack
stage "tar -c, jetpack flags | node(sha512 + pipe) | zstd -T0 > out" s_tar_c_node_zstd
stage "  ... and fsync out" s_tar_c_node_zstd_fsync
stage "jetpack export -flat -compress=zstd" s_export_zst
stage "what-if: tar -c | tee (to sha512sum) | zstd -T0 > out, fsync" s_whatif_export_zst
echo
cpu_others
echo "Other work on the machine used $OTHERS_CPU CPU-seconds during these ${RUN_WALL}s."
if awk -v o="$OTHERS_CPU" -v w="$RUN_WALL" 'BEGIN { exit !(o > 0.15 * w) }'; then
  echo "That is a busy machine: these numbers are noisy; rerun when it is quiet."
fi
} | tee "$REPORT"

if [ "${NO_DOC:-}" != 1 ]; then
  SECTION='## Import and export, stage by stage (issue: store)'
  {
    echo "$SECTION"
    echo
    echo "Made by \`bash bench/profile-import-export.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $JETPACK_REV);"
    echo "rerunning the script rewrites this section. Each line rebuilds one more piece of jetpack's"
    echo "import or export pipeline from plain tools (node lines run a few lines of node that hash with"
    echo "sha512 and pipe, as jetpack's process does, without its tar header checks), so the difference"
    echo "between two lines is what that piece costs; *what-if* lines try another arrangement of the"
    echo "same work. Same input and the same kind of fresh ext4 as the section above;"
    echo "$(describe_machine)."
    echo
    echo '```'
    cat "$REPORT"
    echo '```'
    echo
  } >"$WORK/last-profile-section.md"
  update_doc_section "$REPO/docs/BENCHMARKS.md" "$SECTION" "$WORK/last-profile-section.md"
  echo "== updated docs/BENCHMARKS.md" >&2
fi
