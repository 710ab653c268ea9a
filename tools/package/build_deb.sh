#!/bin/bash
# Builds reflector_<version>_amd64.deb from Bazel's outputs, offline: stages the files at their
# installed paths, computes Depends: with dpkg-shlibdeps from the libraries the binaries link,
# and packs with dpkg-deb (root-owned files, no fakeroot). Called by //tools/package:deb.
#   build_deb.sh OUT VERSION_H KEY=FILE...
# Keys: reflectord ito-tester pcap-reflect unit sysusers tmpfiles config postinst prerm postrm
# copyright, and man:<file> / completion:<file> / wireshark:<file> for each file of a kind.
set -euo pipefail
fail() { echo "build_deb.sh: $*" >&2; exit 1; }
out=$(realpath -m "$1"); version_h=$2; shift 2

# The one place the version is written: reflector/base/version.h (kVersion).
version=$(sed -n 's/^inline constexpr char kVersion\[\] = "\([0-9][0-9.]*\)";$/\1/p' "$version_h")
[[ -n "$version" ]] || fail "no kVersion in $version_h"

stage=$(mktemp -d "${TMPDIR:-/tmp}/reflector-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
doc="$root/usr/share/doc/reflector"
install -d "$root/DEBIAN" "$doc"

for entry in "$@"; do
  key=${entry%%=*}; file=${entry#*=}
  case "$key" in
    reflectord) install -D -m 0755 "$file" "$root/usr/sbin/reflectord" ;;
    ito-tester|pcap-reflect) install -D -m 0755 "$file" "$root/usr/bin/$key" ;;
    unit) install -D -m 0644 "$file" "$root/lib/systemd/system/reflectord@.service" ;;
    sysusers) install -D -m 0644 "$file" "$root/usr/lib/sysusers.d/reflectord.conf" ;;
    tmpfiles) install -D -m 0644 "$file" "$root/usr/lib/tmpfiles.d/reflectord.conf" ;;
    config) install -D -m 0644 "$file" "$root/etc/reflector/default.toml" ;;
    postinst|prerm|postrm) install -D -m 0755 "$file" "$root/DEBIAN/$key" ;;
    copyright) install -D -m 0644 "$file" "$doc/copyright" ;;
    man)
      name=$(basename "$file"); section=${name##*.}
      install -d "$root/usr/share/man/man$section"
      gzip -9n < "$file" > "$root/usr/share/man/man$section/$name.gz"
      chmod 0644 "$root/usr/share/man/man$section/$name.gz" ;;
    completion) install -D -m 0644 "$file" "$root/usr/share/bash-completion/completions/$(basename "$file" .bash)" ;;
    wireshark) install -D -m 0644 "$file" "$root/usr/lib/x86_64-linux-gnu/wireshark/plugins/$(basename "$file")" ;;
    *) fail "unknown key $key" ;;
  esac
done
for binary in usr/sbin/reflectord usr/bin/ito-tester usr/bin/pcap-reflect; do
  [[ -f "$root/$binary" ]] || fail "missing $binary"
  strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/$binary"
done
echo /etc/reflector/default.toml > "$root/DEBIAN/conffiles"

# A native package's changelog, dated by the version header so the build stays reproducible.
date=$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(stat -c %Y "$version_h")}")
printf 'reflector (%s) unstable; urgency=medium\n\n  * Built by bazel build //tools/package:deb.\n\n -- reflector maintainers <maintainers@users.noreply.b-seed-583383c9.example>  %s\n' \
  "$version" "$date" | gzip -9n > "$doc/changelog.gz"

# dpkg-shlibdeps wants a source tree: debian/control naming the package is enough.
mkdir -p "$stage/debian"
printf 'Source: reflector\n\nPackage: reflector\nArchitecture: amd64\n' > "$stage/debian/control"
depends=$(cd "$stage" && dpkg-shlibdeps -O --warnings=0 -e root/usr/sbin/reflectord \
  -e root/usr/bin/ito-tester -e root/usr/bin/pcap-reflect | sed -n 's/^shlibs:Depends=//p')
[[ -n "$depends" ]] || fail "dpkg-shlibdeps found no dependencies"

# Built with DPDK (the build found libdpdk-dev; REFLECTOR_DPDK=off builds without): reflectord
# links librte_eal and three more, which dpkg-shlibdeps declares, but the EAL loads its drivers
# as plugins from /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0, which no linker sees. The mbuf
# pool's driver (mempool/ring) is needed by every dpdk port, so it is a dependency too; a bus
# and the NIC's own driver depend on the port, so they are recommended or suggested.
recommends=""; suggests=""; datapaths="XDP, AF_XDP, AF_PACKET"
if readelf -d "$root/usr/sbin/reflectord" | grep -q 'NEEDED.*\[librte_eal\.so\.'; then
  eal=$(echo "$depends" | grep -o 'librte-eal[0-9]*' | head -1)
  [[ -n "$eal" ]] || fail "reflectord links librte_eal, but dpkg-shlibdeps named no librte-eal"
  abi=${eal#librte-eal}
  depends="$depends, librte-mempool-ring$abi"
  recommends="librte-bus-pci$abi, librte-bus-vdev$abi"
  suggests="librte-net-af-packet$abi, librte-net-pcap$abi, dpdk"
  datapaths="XDP, AF_XDP, AF_PACKET, DPDK"
fi

cat > "$root/DEBIAN/control" <<CONTROL
Package: reflector
Version: $version
Architecture: amd64
Maintainer: reflector maintainers <maintainers@users.noreply.b-seed-583383c9.example>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
${recommends:+Recommends: $recommends
}${suggests:+Suggests: $suggests
}Section: net
Priority: optional
Description: packet reflector for network testers ($datapaths)
 reflectord sends the UDP test frames of network testers (NetAlly/Fluke
 handhelds, RFC 2544 and Y.1564 test sets) straight back with their
 addresses swapped, in the NIC driver with XDP where it can, and nothing
 else. One systemd unit instance per interface (reflectord@eth0).
 .
 Also: ito-tester, a software tester and load generator, and pcap-reflect,
 which shows what a reflector would do with each frame of a capture.
CONTROL
if [[ -n "$recommends" ]]; then
  cat >> "$root/DEBIAN/control" <<CONTROL
 .
 Built with DPDK 22.11: --datapath=dpdk needs a bus driver (recommended)
 and the NIC's own librte-net-* driver, or a vdev's (suggested).
CONTROL
fi
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
  xargs md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control" "$root/DEBIAN/conffiles"
find "$root" -type d -exec chmod 0755 {} +
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
