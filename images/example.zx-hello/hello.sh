#!/bin/sh
# Greets from inside the image.
. /etc/os-release
echo "Hello from example/hello on $PRETTY_NAME"
