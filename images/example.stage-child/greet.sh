#!/bin/sh
# Greets from an image whose parent came from a stage job.
echo "Hello from example/stage-child on $(cat /etc/stage)"
