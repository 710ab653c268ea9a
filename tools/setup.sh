#!/usr/bin/env bash
# Installs every Debian 12 package the project needs, and only those that are missing.
# Idempotent: a second run installs nothing. Needs root (or sudo) when something is missing.
set -euo pipefail

PACKAGES=(
  # build
  bazel-bootstrap g++ clang llvm libclang-rt-14-dev
  # libraries
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libbpf-dev libxdp-dev libelf-dev zlib1g-dev libpcap-dev libcap-ng-dev
  libtomlplusplus-dev nlohmann-json3-dev libsystemd-dev
  # the HTTP API (issue 15): cpp-httplib; promtool (package prometheus) checks /metrics in a test
  libcpp-httplib-dev prometheus
  # HTTPS (--http_cert): OpenSSL through cpp-httplib; its test makes a certificate with the
  # openssl CLI and fetches with curl --cacert
  libssl-dev openssl curl
  # the dashboard's test loads it in headless Chromium; reflectorctl top's test runs in tmux
  chromium tmux
  # kernel and lab tools
  bpftool iproute2 ethtool tcpreplay tcpdump
  # tshark: the capture tests read pcapng files back as Wireshark does
  tshark
  # setcap: the lab runs reflectord as an unprivileged user with file capabilities
  libcap2-bin
  # the service and its package: systemd-analyze and systemd-sysusers check the unit (no
  # systemd as PID 1 needed), dpkg-shlibdeps builds the .deb, lintian and mandoc check it
  systemd dpkg-dev lintian mandoc
  # the Wireshark dissector's test
  tshark
  # the dpdk data path (issue 18): built where pkg-config finds libdpdk (third_party/dpdk)
  libdpdk-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "setup: need root to install ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package index only when an install from the current one fails.
if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
