#!/bin/sh
# Runs in the build container after the build: the manifest, versioned like the nginx inside.
set -eu
version="$(nginx -v 2>&1)"
version="${version##*nginx/}"
version="${version%% *}"
cat <<EOF2
{
  "name": "example/nginx",
  "labels": [{ "name": "version", "value": "${version}" }],
  "app": {
    "exec": ["/usr/sbin/nginx", "-g", "daemon off;"],
    "user": "root",
    "group": "root",
    "ports": [{ "name": "http", "protocol": "tcp", "port": 80 }]
  }
}
EOF2
