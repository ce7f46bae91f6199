#!/bin/sh
. /opt/app/share/app/lib/greet.sh
greet "$(sed -n 's/^greeting=//p' /opt/app/etc/app.conf) (version $(cat /opt/app/VERSION))"
