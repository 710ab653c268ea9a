#!/bin/bash
# ito.lua in tshark: on the golden pcaps every reflected frame is dissected with the signature
# its bytes carry (and ITO frames with their 5-byte header), nothing without a signature is;
# on ito-tester frames the trailer's stream id, sequence and send time come out as written.
#   usage: dissector_test.sh ITO_LUA MAKE_TESTER_PCAP IN_PCAP OUT_PCAP
set -euo pipefail
lua=$1; make_tester_pcap=$2; golden_in=$3; golden_out=$4
fail() { echo "FAIL: $*"; exit 1; }
command -v tshark >/dev/null || fail "tshark is missing (tools/setup.sh)"
export HOME=${TEST_TMPDIR:-$(mktemp -d)}  # tshark wants a profile directory
fields() {  # fields PCAP FIELD...
  local pcap=$1; shift
  local args=()
  for field in "$@"; do args+=(-e "$field"); done
  local options=()
  [[ -n "${HEURISTIC_FIRST:-}" ]] && options=(-o udp.try_heuristic_first:TRUE)
  tshark -X "lua_script:$lua" "${options[@]}" -n -r "$pcap" -T fields -E "separator=|" "${args[@]}" 2>/dev/null
}
sig_hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# Every frame reflectord reflected (the golden output) is a test frame to the dissector, and
# what it shows is what the bytes say.
out_frames=$(tshark -n -r "$golden_out" 2>/dev/null | wc -l)
[[ $out_frames -gt 0 ]] || fail "no frames in $golden_out"
dissected=0
while IFS="|" read -r number signature header payload; do
  [[ -n "$signature" ]] || fail "reflected frame $number not dissected"
  case "$signature" in
    PROBEOT|DATA:OT|LATENCY)
      [[ "$header" == "${payload:0:10}" ]] || fail "frame $number: header $header vs ${payload:0:10}"
      [[ "${payload:10:14}" == "$(sig_hex "$signature")" ]] || fail "frame $number: $signature" ;;
    RFC2544|"Y.1564 ")
      [[ -z "$header" ]] || fail "frame $number: custom signature with an ITO header"
      [[ "${payload:0:14}" == "$(sig_hex "$signature")" ]] || fail "frame $number: $signature" ;;
    *) fail "frame $number: unexpected signature '$signature'" ;;
  esac
  dissected=$((dissected + 1))
done < <(fields "$golden_out" frame.number ito.signature ito.header udp.payload)
[[ $dissected -eq $out_frames ]] || fail "$dissected of $out_frames reflected frames dissected"
echo "ok: $dissected reflected golden frames dissected"

# In the input, a frame is dissected exactly when its UDP payload has a signature. (Frames to
# a port another dissector owns, echo's 7 among them, need heuristics first, as in ito.lua.)
while IFS="|" read -r number signature length payload; do
  # The datagram, not what the IP header adds; no UDP (or a bad length): nothing.
  if [[ "$length" =~ ^[0-9]+$ ]] && ((length >= 8)); then
    payload=${payload:0:$(((length - 8) * 2))}
  else
    payload=""
  fi
  has=""
  for s in PROBEOT DATA:OT LATENCY; do
    [[ "${payload:10:14}" == "$(sig_hex "$s")" ]] && has=$s
  done
  for s in RFC2544 "Y.1564 "; do
    [[ -z "$has" && "${payload:0:14}" == "$(sig_hex "$s")" ]] && has=$s
  done
  [[ "$signature" == "$has" ]] || fail "input frame $number: dissected '$signature', bytes say '$has'"
done < <(HEURISTIC_FIRST=1 fields "$golden_in" frame.number ito.signature udp.length udp.payload)
echo "ok: input frames dissected exactly where their bytes carry a signature"

# ito-tester's trailer.
pcap=${TEST_TMPDIR:-/tmp}/tester.pcap
"$make_tester_pcap" "$pcap"
got=$(fields "$pcap" ito.signature ito.trailer.stream_id ito.trailer.sequence ito.trailer.tx_time)
want="LATENCY|0xbeef|0|1000000
LATENCY|0xbeef|1|1000010
LATENCY|0xbeef|2|1000020
RFC2544|0xbeef|0|1000000
RFC2544|0xbeef|1|1000010
RFC2544|0xbeef|2|1000020
itotest|0xbeef|0|1000000
itotest|0xbeef|1|1000010
itotest|0xbeef|2|1000020"
[[ "$got" == "$want" ]] || fail "ito-tester frames: got
$got
want
$want"
echo "ok: ito-tester trailers"
