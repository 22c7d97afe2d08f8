#!/usr/bin/env bash
# Sets up a Debian 12 machine (as root) to build and test jetpack: the Debian packages
# jetpack runs, the npm dependencies, the compiled CLI, and `jetpack` on PATH.
# Usage: scripts/setup.sh            (idempotent; safe to run again)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (jetpack builds images as root, like Jetpack)" >&2
  exit 1
fi

# Tools jetpack runs: gpg and gpgv (fetch: signatures), GNU tar, compressors (isal: igzip for OCI layers), util-linux (flock, unshare), attr (getfattr),
# iproute2 (loopback in -net=none containers), busybox-static (the default base image),
# mmdebstrap (images/debian, benchmarks), ostree (runtimes), skopeo (push, pull), umoci, docker-registry,
# apache2-utils (htpasswd) and openssl (OCI tests), curl (tests, benchmarks),
# podman (OCI tests: runs a pushed image), flatpak (Flatpak bundles and tests), systemd-container,
# squashfs-tools, erofs-utils and dbus (portable images and their tests), bmake and sudo (BSD make image Makefiles, JETPACK=sudo tests), buildah and strace (benchmarks), make,
# uidmap (newuidmap/newgidmap: an ordinary user's jetpack maps its subordinate IDs into its user namespace).
packages=(gpg gpgv bmake sudo tar gzip isal zstd xz-utils bzip2 util-linux mount attr acl iproute2 busybox-static make dpkg-dev mmdebstrap ostree skopeo umoci docker-registry apache2-utils openssl curl podman flatpak systemd-container squashfs-tools erofs-utils dbus buildah strace uidmap ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# apt-get download (images/busybox) needs package lists even when nothing is missing.
if [ ${#missing[@]} -gt 0 ] || ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
  echo "setup.sh: apt-get install ${missing[*]:-(package lists only)}" >&2
  apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci runs the prepare script, which type-checks src/ and bundles it into dist/.
npm ci --no-audit --no-fund --loglevel=error
ln -sf "$PWD/bin/jetpack" /usr/local/bin/jetpack
echo "setup.sh: ready: $(jetpack version), store at $(jetpack config path.root)" >&2
