#!/bin/sh
set -e
test -x /out/bin/app
test -s /out/VERSION
echo ok
