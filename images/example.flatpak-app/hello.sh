#!/bin/sh
. /etc/os-release
echo "Hello from org.example.Hello on $PRETTY_NAME"
