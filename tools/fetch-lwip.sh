#!/usr/bin/env bash
# Fetch lwIP 2.2.1 from Debian 13's source package and unpack it, with
# Debian's patches, into $1 (default build/lwip-src).  Uses a private
# sources list and package lists under build/apt: the system's apt
# configuration is neither read for sources nor changed.
set -euo pipefail
dest=${1:-build/lwip-src}
version=2.2.1+dfsg1-1+deb13u1
if [ -f "$dest/src/core/tcp.c" ]; then
	exit 0
fi
work=$(dirname "$dest")/apt
mkdir -p "$work/parts" "$work/lists/partial" "$work/dl"
cat >"$work/parts/trixie-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o Dir::Etc::SourceList=/dev/null
	-o Dir::Etc::SourceParts="$PWD/$work/parts"
	-o Dir::State::Lists="$PWD/$work/lists"
	-o APT::Sandbox::User=root)
echo "lwip: fetching Debian source package lwip $version"
apt-get "${apt_opts[@]}" update -qq
(cd "$work/dl" && apt-get "${apt_opts[@]}" --download-only -qq source "lwip=$version")
rm -rf "$dest.tmp"
dpkg-source --no-check -x "$work/dl/lwip_$version.dsc" "$dest.tmp" >/dev/null
mv "$dest.tmp" "$dest"
echo "lwip: unpacked into $dest"
