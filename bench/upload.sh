#!/usr/bin/env bash
# bench/upload.sh: jetpack upload of the ~178 MB Debian minbase runtime to jetpack upload-server
# on loopback against curl -T of the same bytes (the upload's artifact) to a plain HTTP PUT
# endpoint, in one run, on a fresh journaled ext4 loop filesystem (bench/lib.sh):
#   throughput  bytes / transfer seconds; jetpack's transfer time is its first PATCH to the
#               answer to its last, minus the server's import (which the answer reports) target >= 0.8x curl
#   resume      the client killed when the server holds half the bytes; the next run's bytes
#               sent, as a share of the whole                                     target <= 55%
# Rewrites its section of docs/BENCHMARKS.md.
#   bash bench/upload.sh [ROUNDS]   (as root; default 5 rounds per side; ~3 min;
#                                    needs bench/work/rootfs.tar, made by bench/import-export.sh)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
rounds=${1:-5}
source bench/lib.sh
bench_needs upload ostree curl
ERRLOG=$repo/bench/work/last-upload-run.log
: >"$ERRLOG"

FS_IMAGE=$repo/bench/work/upload-fs.img
MNT=$repo/bench/work/upload-fs
server= put=
cleanup() { kill $server $put 2>/dev/null || true; wait 2>/dev/null || true; drop_bench_fs "$FS_IMAGE" "$MNT"; }
trap cleanup EXIT
trap 'echo "upload-bench: failed; last lines of $ERRLOG:" >&2; tail -n 20 "$ERRLOG" >&2 || true' ERR
make_bench_fs "$FS_IMAGE" "$MNT" $((4 * 1024 * 1024 * 1024))

jp="$repo/bin/jetpack -root=$MNT/store"
REF=org.debian.minbase/x86_64/12
mkdir "$MNT/tree"
tar -xf bench/work/rootfs.tar -C "$MNT/tree" --numeric-owner --same-owner -p --xattrs --xattrs-include='*' --acls
commit=$($jp package --commit "$MNT/tree" "$REF" 2>>"$ERRLOG")
echo bench-pw | $jp upload-server adduser bench --users "$MNT/users" 2>>"$ERRLOG"

$jp upload-server --listen 127.0.0.1:0 --repo "$MNT/served" --users "$MNT/users" >"$MNT/server.out" 2>>"$ERRLOG" &
server=$!
# A plain HTTP PUT endpoint that writes the body to a file, for curl -T.
node -e '
const http = require("node:http"), fs = require("node:fs");
const s = http.createServer((req, res) => { const out = fs.createWriteStream(process.argv[1]); req.pipe(out); out.on("finish", () => res.writeHead(201).end()); });
s.listen(0, "127.0.0.1", () => console.log(s.address().port));' "$MNT/put.bin" >"$MNT/put.out" &
put=$!
for _ in $(seq 100); do [ -s "$MNT/server.out" ] && [ -s "$MNT/put.out" ] && break; sleep 0.1; done
export TUSTARGET
TUSTARGET=$(awk '{ print $3 }' "$MNT/server.out")
export MTDAUTH=bench:bench-pw
put_url="http://127.0.0.1:$(cat "$MNT/put.out")/put"

# Warm-up (the page cache, the server's repo). The artifact, for curl: what jetpack sends
# (ostree export | zstd, as src/upload/artifact.ts makes it; jetpack removes its own after an upload).
$jp upload "$REF" >/dev/null 2>>"$ERRLOG"
artifact=$MNT/artifact.tar.zst
ostree --repo="$MNT/store/ostree/repo" export "$commit" | zstd -c -q -T0 >"$artifact"
size=$(stat -c %s "$artifact")

# curl PATCHing the same bytes to the tus endpoint itself (an upload declared twice as long, so
# that it never finishes and nothing is imported; then terminated): what the server side allows.
tus_patch() {
  local auth loc
  auth="Authorization: Basic $(printf %s "$MTDAUTH" | base64 -w0)"
  loc=$(curl -sfi -X POST -H "$auth" -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $((size * 2))" \
    -H "Upload-Metadata: runtime $(printf %s "$REF" | base64 -w0)" "$TUSTARGET/files/" | tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
  local secs
  secs=$(timed curl -sf -X PATCH -H "$auth" -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' -H 'Expect:' \
    -H 'Content-Type: application/offset+octet-stream' --data-binary @"$artifact" "$loc")
  curl -sf -X DELETE -H "$auth" -H 'Tus-Resumable: 1.0.0' "$loc" >/dev/null
  awk -v b="$size" -v s="$secs" 'BEGIN { printf "%.1f", b / 1e6 / s }'
}

jet_rates=() curl_rates=() tus_rates=() walls=()
cpu_mark
for ((i = 0; i < rounds; i++)); do
  sync
  t0=$EPOCHREALTIME
  line=$($jp upload "$REF" 2>&1 >/dev/null | grep 'published')
  t1=$EPOCHREALTIME
  walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')")
  jet_rates+=("$(sed -E 's/.*\(([0-9.]+) MB\/s\).*/\1/' <<<"$line")")
  secs=$(timed curl -sf -T "$artifact" "$put_url")
  curl_rates+=("$(awk -v b="$size" -v s="$secs" 'BEGIN { printf "%.1f", b / 1e6 / s }')")
  tus_rates+=("$(tus_patch)")
done
cpu_others

# Resume: kill the client when the server holds half of the artifact, then run it again.
$jp upload "$REF" --chunk-size 1G >/dev/null 2>>"$ERRLOG" &
client=$!
partial=
for _ in $(seq 4000); do
  partial=$(find "$MNT/served.uploads" -maxdepth 1 -type f ! -name '*.json' ! -name owners.json -size +$((size / 2 / 1024))k 2>/dev/null | head -1)
  [ -n "$partial" ] && break
  sleep 0.005
done
kill -KILL $client 2>/dev/null || true
wait $client 2>/dev/null || true
held=$(stat -c %s "$partial" 2>/dev/null || echo 0)
again=$($jp upload "$REF" --chunk-size 1G 2>&1 >/dev/null | grep 'published')
resent=$(sed -E 's/.*sent ([0-9]+) of.*/\1/' <<<"$again")
share=$(awk -v r="$resent" -v s="$size" 'BEGIN { printf "%.1f", 100 * r / s }')
held_share=$(awk -v h="$held" -v s="$size" 'BEGIN { printf "%.1f", 100 * h / s }')

jr=$(median "${jet_rates[@]}") cr=$(median "${curl_rates[@]}") tr=$(median "${tus_rates[@]}") wall=$(median "${walls[@]}")
client_ratio=$(awk -v a="$jr" -v b="$tr" 'BEGIN { printf "%.2f", a / b }')
ratio=$(awk -v a="$jr" -v b="$cr" 'BEGIN { printf "%.2f", a / b }')
met_rate=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.8) ? "yes" : "**no**" }')
met_resume=$(awk -v s="$share" 'BEGIN { print (s <= 55) ? "yes" : "**no**" }')

section=$(cat <<MD
## Uploads vs curl -T (issue: uploads)

Made by \`bash bench/upload.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (jetpack at $(git rev-parse --short HEAD)); rerunning the script rewrites this section.
The Debian bookworm minbase runtime's upload artifact ($(MB "$size"), zstd tarball of the commit's tree) sent over loopback to
\`jetpack upload-server\` (tus, 64 MiB PATCH requests) and, by \`curl -T\`, to a plain HTTP PUT endpoint (Node, body to a file);
both write to a fresh journaled ext4 loop filesystem. Median of $rounds rounds. $(nproc) CPUs, Linux $(uname -r), $(curl --version | head -1 | cut -d' ' -f1-2).
Other work on the machine during the runs: ${OTHERS_CPU} CPU-seconds in ${RUN_WALL} s.

| Work | jetpack | curl -T | Ratio | Target | Met |
|---|---:|---:|---:|---:|---|
| throughput (MB/s) | $jr | $cr | **$ratio** | ≥ 0.8 | $met_rate |
| throughput (MB/s), curl PATCHing the same bytes to \`jetpack upload-server\` instead | $jr | $tr | $client_ratio | | |
| resume: bytes sent again after a kill with $held_share% on the server | $share% | | | ≤ 55% | $met_resume |

Runs (MB/s): jetpack ${jet_rates[*]}; curl -T ${curl_rates[*]}; curl PATCH to the upload server ${tus_rates[*]}.
The second row separates the two ends: the tus server (@tus/server turns each request into a web
stream before its file store writes it) receives slower than a plain PUT endpoint does, whoever sends.
jetpack's transfer time runs from its
first PATCH to the answer to its last, minus the server's import, which the answer reports; the
whole \`jetpack upload\` took $wall s (median), most of it the server making the commit in its archive
repo (zlib-compressing every file, as ostree does for archive repos) and checking its checksum.
MD
)
echo "$section"
replace_section "$section"
