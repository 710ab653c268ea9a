#!/usr/bin/env bash
# A self-contained lab (SPEC §7): two network namespaces joined by a veth pair, reflectord in
# one, ito-tester in the other. For each data path it starts reflectord, sends test streams
# (IPv4 ITO, tagged IPv6 RFC 2544, then STAMP, RFC 8762) and prints what the tester measured, then stops
# reflectord and shows its summary. Addresses come from the benchmarking ranges only and there
# is no route out; everything is deleted on exit, also on Ctrl-C or an error.
#   tools/lab.sh [DATAPATH...]     default: xdp afxdp afpacket; dpdk where built in runs on a
#                                  net_af_packet vdev over the veth (a vdev figure, not a NIC's)
# Environment: LAB_SECONDS (per stream, default 3), LAB_RATE (frames/s, default 20000),
# LAB_INSTALLED=1 (run the reflectord and ito-tester the package installed, not the built ones).
set -euo pipefail
cd "$(dirname "$0")/.."

if ((EUID != 0)); then
  echo "lab: needs root (network namespaces, XDP)" >&2
  exit 2
fi
datapaths=("$@")
((${#datapaths[@]})) || datapaths=(xdp afxdp afpacket)
seconds="${LAB_SECONDS:-3}"
rate="${LAB_RATE:-20000}"

bazel build -c opt //reflector:reflectord //tools:ito-tester //testing/lab:lab_hosts \
  //testing/lab:xdp_pass_bpf >&2
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
reflectord="$bin/reflector/reflectord"
tester="$bin/tools/ito-tester"
if [[ "${LAB_INSTALLED:-}" == 1 ]]; then
  reflectord=/usr/sbin/reflectord
  tester=/usr/bin/ito-tester
fi

# The lab of the tests (testing/lab/reflector_lab.h), in shell: its names, and its hosts' MACs
# and addresses from the one place they are written (the frame builder, printed by lab_hosts):
# the tester a NetAlly OUI, as a LinkRunner would send from, both in the benchmarking ranges.
while IFS== read -r key value; do
  case "$key" in
  tester_mac | reflector_mac | tester_ipv4 | reflector_ipv4 | tester_ipv6 | reflector_ipv6 | \
    ipv4_prefix | ipv6_prefix) printf -v "$key" '%s' "$value" ;;
  esac
done < <("$bin/testing/lab/lab_hosts")
if [[ -z "${reflector_ipv6:-}" ]]; then
  echo "lab: $bin/testing/lab/lab_hosts did not print the lab's hosts" >&2
  exit 1
fi
base="rflab$$a"  # rflab<pid><n>, n in letters: unique while this shell runs
ns_t="$base-tester"
ns_r="$base-reflector"
if_t="${base}t"
if_r="${base}r"
log="$(mktemp -d "${TMPDIR:-/tmp}/reflector-lab.XXXXXX")"
reflector_pid=""

cleanup() {
  if [[ -n "$reflector_pid" ]] && kill -0 "$reflector_pid" 2>/dev/null; then
    kill -TERM "$reflector_pid" 2>/dev/null || true
    wait "$reflector_pid" 2>/dev/null || true
  fi
  ip netns del "$ns_t" 2>/dev/null || true
  ip netns del "$ns_r" 2>/dev/null || true
  rm -rf "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns_t"
ip netns add "$ns_r"
# Loopback up, as in testing/lab/netns.cc: reflectord's HTTP API listens on 127.0.0.1.
ip -n "$ns_t" link set lo up
ip -n "$ns_r" link set lo up
ip link add "$if_t" netns "$ns_t" type veth peer name "$if_r" netns "$ns_r"
ip -n "$ns_t" link set "$if_t" address "$tester_mac" up
ip -n "$ns_r" link set "$if_r" address "$reflector_mac" up
# Full UDP checksums from the tester's sockets (STAMP), as on a wire: with transmit offload on,
# a veth passes the frame on with only the pseudo-header's sum in the checksum field, which
# the reflector's incremental update cannot make whole (the tester's kernel then drops the
# answer as UdpInCsumErrors).
ip netns exec "$ns_t" ethtool -K "$if_t" tx off >/dev/null
ip -n "$ns_t" addr add "$tester_ipv4/$ipv4_prefix" dev "$if_t"
ip -n "$ns_r" addr add "$reflector_ipv4/$ipv4_prefix" dev "$if_r"
ip -n "$ns_t" addr add "$tester_ipv6/$ipv6_prefix" dev "$if_t" nodad
ip -n "$ns_r" addr add "$reflector_ipv6/$ipv6_prefix" dev "$if_r" nodad
echo "lab: $ns_t ($if_t, $tester_ipv4, $tester_ipv6) <-> $ns_r ($if_r, $reflector_ipv4, $reflector_ipv6)"

for datapath in "${datapaths[@]}"; do
  echo
  echo "=== data path $datapath ==="
  extra=()
  if [[ "$datapath" == dpdk ]]; then
    extra=("--dpdk_eal_args=-l 0 --no-huge --no-pci --no-shconf --no-telemetry --vdev=net_af_packet0,iface=$if_r")
  fi
  ip netns exec "$ns_r" "$reflectord" --interface="$if_r" --datapath="$datapath" \
    --profile=ito,rfc2544,y1564,stamp --stats_interval=0 "${extra[@]}" >"$log/reflectord.out" 2>&1 &
  reflector_pid=$!
  # Ready once the banner is out (or gone if it failed to start).
  for _ in $(seq 100); do
    grep -q "data path" "$log/reflectord.out" && break
    kill -0 "$reflector_pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$log/reflectord.out"
  if ! kill -0 "$reflector_pid" 2>/dev/null; then
    wait "$reflector_pid" || true
    reflector_pid=""
    echo "lab: reflectord did not start with --datapath=$datapath" >&2
    continue
  fi
  ip netns exec "$ns_t" "$tester" --interface="$if_t" --dst_ip="$reflector_ipv4" \
    --dst_mac="$reflector_mac" --signature=latency --frame_size=128 --rate="$rate" \
    --duration="${seconds}s" || true
  echo
  ip netns exec "$ns_t" "$tester" --interface="$if_t" --dst_ip="$reflector_ipv6" \
    --dst_mac="$reflector_mac" --signature=rfc2544 --frame_size=256 --vlan=100 \
    --rate="$rate" --duration="${seconds}s" || true
  echo
  # STAMP answers reach the tester's socket, not its XDP program: XDP_PASS on its end, for veth
  # to deliver what reflectord's XDP sends (testing/lab/xdp_pass.bpf.c).
  ip -n "$ns_t" link set dev "$if_t" xdpdrv obj "$bin/testing/lab/xdp_pass_bpf.o" sec xdp
  ip netns exec "$ns_t" "$tester" --interface="$if_t" --dst_ip="$reflector_ipv4" \
    --dst_mac="$reflector_mac" --protocol=stamp --rate="$rate" --duration="${seconds}s" || true
  ip -n "$ns_t" link set dev "$if_t" xdpdrv off
  kill -TERM "$reflector_pid"
  wait "$reflector_pid" || echo "lab: reflectord exited with $?" >&2
  reflector_pid=""
  sed -n '/^summary/,$p' "$log/reflectord.out"
done
