#!/usr/bin/env bash
# Builds a small OCI image layout from the host's busybox (Debian's busybox-static), with umoci; nothing is
# downloaded. The tests use it as their base image.
#
#   scripts/make-busybox-image.sh OUT-DIR [TAG]
#
# OUT-DIR must not exist (or be empty); it becomes an OCI image layout whose index.json tags the image TAG
# (default: latest). The rootfs: /bin/busybox with a symlink for every applet (sh, ls, cat, echo, mkdir, rm, touch,
# id, env...), /etc/passwd and /etc/group with root and nobody, /root (0700), /tmp (1777). Config: Env PATH,
# Cmd ["sh"]. Every timestamp is SOURCE_DATE_EPOCH (default 0), so the same busybox gives the same image.
# BUSYBOX=/path/to/busybox picks another binary (it must be static: the image has no libc).
set -euo pipefail

out=${1:?usage: make-busybox-image.sh OUT-DIR [TAG]}
tag=${2:-latest}
epoch=${SOURCE_DATE_EPOCH:-0}

die() { echo "make-busybox-image.sh: $*" >&2; exit 1; }

busybox=${BUSYBOX:-}
if [ -z "$busybox" ]; then
  if [ -x /bin/busybox ]; then busybox=/bin/busybox; else busybox=$(command -v busybox || true); fi
fi
[ -n "$busybox" ] && [ -x "$busybox" ] || die "busybox not found (Debian: apt-get install busybox-static)"
command -v umoci >/dev/null || die "umoci not found (Debian: apt-get install umoci)"
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then die "$out exists and is not empty"; fi

parent=$(dirname "$out")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.busybox-image.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

rootless=()
[ "$(id -u)" = 0 ] || rootless=(--rootless)
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
layout="$work/layout"
bundle="$work/bundle"

umoci init --layout "$layout"
umoci new --image "$layout:$tag"
umoci unpack "${rootless[@]}" --image "$layout:$tag" "$bundle" >/dev/null
rootfs="$bundle/rootfs"

mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" "$rootfs/home" "$rootfs/var" "$rootfs/dev" "$rootfs/proc" "$rootfs/sys"
install -m 0755 "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$rootfs/etc/group"
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group"
chmod 0755 "$rootfs" "$rootfs/bin" "$rootfs/etc" "$rootfs/home" "$rootfs/var" "$rootfs/dev" "$rootfs/proc" "$rootfs/sys"
chmod 0700 "$rootfs/root"
chmod 1777 "$rootfs/tmp"
find "$rootfs" -exec touch -h -d "@$epoch" {} +

version=$("$busybox" 2>&1 | head -n 1 || true)
umoci repack --image "$layout:$tag" --history.created "$created" --history.created_by "make-busybox-image.sh: ${version:-busybox}" "$bundle"
umoci config --image "$layout:$tag" --created "$created" --history.created "$created" \
  --history.created_by 'make-busybox-image.sh: ENV PATH, CMD ["sh"]' \
  --config.env 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --config.cmd sh
umoci gc --layout "$layout"

if [ -d "$out" ]; then rmdir "$out"; fi
mv "$layout" "$out"
echo "$out"
