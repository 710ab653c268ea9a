#!/bin/bash
# The package declares what the binaries in it need (issue 18): every library reflectord,
# ito-tester and pcap-reflect link is in Depends:, and the DPDK that a build with DPDK carries
# is declared as such (the EAL's mbuf pool driver in Depends:, a bus in Recommends:, vdev
# drivers in Suggests:, DPDK in the description), while a build without it names no librte.
#   usage: deb_control_test.sh DEB
set -euo pipefail
deb=$1
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/deb-control.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
depends=$(dpkg-deb -f "$deb" Depends)
recommends=$(dpkg-deb -f "$deb" Recommends)
suggests=$(dpkg-deb -f "$deb" Suggests)
description=$(dpkg-deb -f "$deb" Description)
echo "Depends: $depends"
echo "Recommends: $recommends"
echo "Suggests: $suggests"

# Each library a binary links comes from a package named in Depends: (one dpkg -S for all:
# each call reads the whole package database).
depended=$(tr ',' '\n' <<<"$depends" | awk '{print $1}')
libraries=$(for binary in usr/sbin/reflectord usr/bin/ito-tester usr/bin/pcap-reflect; do
  readelf -d "$tmp/$binary" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'
done | sort -u)
owners=$(dpkg -S $(sed 's|^|*/|' <<<"$libraries") 2>/dev/null | grep -v '^diversion' |
  grep 'x86_64-linux-gnu/' || true)
for library in $libraries; do
  owner=$(awk -F': ' -v lib="$library" 'substr($2, length($2) - length(lib)) == "/" lib && !seen++ {sub(/:.*/, "", $1); print $1}' <<<"$owners")
  [[ -n "$owner" ]] || fail "a binary links $library, which no installed package holds"
  grep -qxF "$owner" <<<"$depended" ||
    fail "a binary links $library (package $owner), which Depends: does not name"
done

if readelf -d "$tmp/usr/sbin/reflectord" | grep -q 'NEEDED.*\[librte_eal\.so\.'; then
  echo "reflectord is built with DPDK"
  grep -q 'librte-mempool-ring[0-9]' <<<"$depends" ||
    fail "built with DPDK, but Depends: lacks the mbuf pool's driver (librte-mempool-ring)"
  grep -q 'librte-bus-pci[0-9]' <<<"$recommends" || fail "no PCI bus driver in Recommends:"
  grep -q 'librte-bus-vdev[0-9]' <<<"$recommends" || fail "no vdev bus driver in Recommends:"
  grep -q 'librte-net-af-packet[0-9]' <<<"$suggests" || fail "no net_af_packet in Suggests:"
  grep -q 'DPDK' <<<"$description" || fail "the description does not say DPDK"
else
  echo "reflectord is built without DPDK"
  ! grep -q 'librte' <<<"$depends $recommends $suggests" ||
    fail "built without DPDK, but the control file names librte packages"
  ! grep -q 'DPDK' <<<"$description" || fail "built without DPDK, but the description says DPDK"
fi
echo "ok: the control file declares what the binaries need"
