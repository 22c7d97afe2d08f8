#!/bin/sh
# mkmanifest.sh BUSYBOX-STATIC.deb ARCH: the base image's manifest, version from the package.
set -eu
version=$(dpkg-deb -f "$1" Version | sed 's/^[0-9]*://; s/-.*//')
cat <<JSON
{
  "acKind": "ImageManifest",
  "acVersion": "0.8.11",
  "name": "jetpack/busybox",
  "labels": [
    { "name": "version", "value": "$version" },
    { "name": "os", "value": "linux" },
    { "name": "arch", "value": "$2" }
  ],
  "app": { "exec": ["/bin/sh"], "user": "0", "group": "0" },
  "annotations": [
    { "name": "homepage", "value": "https://busybox.net/" }
  ]
}
JSON
