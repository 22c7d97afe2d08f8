#!/bin/sh
# Shows what the app sees: who it runs as, where, and its environment.
echo "user: $(id)"
echo "cwd: $(pwd)"
echo "args: $*"
env | sort
