#!/bin/sh
# mkrootfs.sh BUSYBOX-STATIC.deb OUT.tar: a minimal root filesystem around busybox, archived
# reproducibly (sorted names, owners 0:0, mtimes clamped to the package's build date).
set -eu
deb=$(readlink -f "$1")
out=$(readlink -f "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/pkg"
r=$tmp/rootfs
mkdir -p "$r"
cd "$r"
mkdir -p bin sbin usr/bin usr/sbin etc root tmp var/tmp run proc sys dev home
chmod 0700 root
chmod 1777 tmp var/tmp
install -m 0755 "$tmp/pkg/bin/busybox" bin/busybox
for applet in $(./bin/busybox --list-full); do
  [ -e "$applet" ] || [ -L "$applet" ] || ln -s /bin/busybox "$applet"
done
cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
daemon:x:1:
nogroup:x:65534:
GROUP
version=$(./bin/busybox | sed -n '1s/^BusyBox v\([0-9.]*\).*/\1/p')
cat > etc/os-release <<OSRELEASE
NAME="BusyBox"
ID=busybox
VERSION_ID=$version
PRETTY_NAME="BusyBox $version (jetpack base image)"
OSRELEASE
echo 'hosts: files dns' > etc/nsswitch.conf
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > etc/hosts
epoch=$(dpkg-deb -f "$deb" Version >/dev/null && stat -c %Y "$tmp/pkg/bin/busybox")

tar -C "$r" --sort=name --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --numeric-owner --owner=0 --group=0 --mtime="@$epoch" --clamp-mtime -cf "$out" .
