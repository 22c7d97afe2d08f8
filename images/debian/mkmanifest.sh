#!/bin/sh
# mkmanifest.sh ROOTFS.tar SUITE ARCH: the manifest of the Debian base image, with the
# version read from the rootfs's /etc/debian_version.
set -eu
version=$(tar -xOf "$1" ./etc/debian_version)
cat <<JSON
{
  "acKind": "ImageManifest",
  "acVersion": "0.8.11",
  "name": "jetpack/debian",
  "labels": [
    { "name": "version", "value": "$version" },
    { "name": "os", "value": "linux" },
    { "name": "arch", "value": "$3" }
  ],
  "app": { "exec": ["/bin/bash"], "user": "0", "group": "0" },
  "annotations": [
    { "name": "homepage", "value": "https://www.debian.org/" },
    { "name": "suite", "value": "$2" }
  ]
}
JSON
