#!/bin/bash
# pcap-reflect from the command line: a golden input gives the golden output and the verdict
# counts per rule; reflectord's profile flags and config file ([[rule]] tables) select the
# rules; a truncated or corrupt capture, bad flags, a bad rule and an output that is the input
# exit 2 with one clear line.
set -euo pipefail
tool="$1"
pcaps="$(dirname "$2")"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

counts=$("$tool" --in="$pcaps/mixed_traffic.in.pcap" --out="$tmp/out.pcap" \
  --dst_mac=02:00:5e:10:00:02 --mode=mac-ip)
echo "$counts"
[[ "$counts" == "24 frames: reflect 7 (probeot 2, dataot 1, latency 1, rfc2544 2, y1564 1), "* ]] ||
  fail "unexpected counts: $counts"
cmp "$tmp/out.pcap" "$pcaps/mixed_traffic.out.mac-ip.pcap" || fail "output differs from golden"

mac=02:00:5e:10:00:02
expect_counts() {
  local what="$1" want="$2"; shift 2
  local got
  got=$("$tool" --in="$pcaps/mixed_traffic.in.pcap" --dst_mac=$mac "$@")
  [[ "$got" == "$want" ]] || fail "$what: got '$got', want '$want'"
  echo "ok: $what: $got"
}
expect_counts "profile rfc2544" "24 frames: reflect 2 (rfc2544 2), dst_mac 12, protocol 4, signature 6" \
  --profile=rfc2544
# The loopback profile reflects any payload to its port: every UDP frame to 3842 for our MAC.
expect_counts "profile loopback" "24 frames: reflect 8 (loopback 8), dst_mac 12, protocol 4" \
  --profile=loopback --loopback_ports=3842
# A config file's rules go first; --profile on the command line wins over the file's.
cat > "$tmp/rules.toml" <<'TOML'
profile = "none"
[[rule]]
name = "custom"
dst_port = 3842
payload = "RFC2544"
mode = "mac"
TOML
expect_counts "config rule" "24 frames: reflect 2 (custom 2), dst_mac 12, protocol 4, signature 6" \
  --config="$tmp/rules.toml"
expect_counts "config rule and flag" \
  "24 frames: reflect 3 (custom 2, y1564 1), dst_mac 12, protocol 4, signature 5" \
  --config="$tmp/rules.toml" --profile=y1564

expect_bad_input() {
  local what="$1" needle="$2"; shift 2
  set +e; err=$("$tool" "$@" 2>&1 >/dev/null); code=$?; set -e
  [[ $code -eq 2 ]] || fail "$what: exit $code, want 2 ($err)"
  [[ "$err" == *"$needle"* ]] || fail "$what: stderr '$err' lacks '$needle'"
  [[ $(printf '%s\n' "$err" | wc -l) -eq 1 ]] || fail "$what: more than one line: $err"
  echo "ok: $what: $err"
}

head -c 110 "$pcaps/mixed_traffic.in.pcap" > "$tmp/truncated.pcap"
expect_bad_input "truncated" "truncated" --in="$tmp/truncated.pcap" --dst_mac=02:00:5e:10:00:02
printf 'this is not a capture file at all' > "$tmp/text.pcap"
expect_bad_input "corrupt" "not a readable capture" --in="$tmp/text.pcap" --dst_mac=02:00:5e:10:00:02
expect_bad_input "missing" "missing.pcap" --in="$tmp/missing.pcap" --dst_mac=02:00:5e:10:00:02
expect_bad_input "no dst_mac" "--dst_mac" --in="$pcaps/mixed_traffic.in.pcap"
expect_bad_input "bad port" "--port" --in="$pcaps/mixed_traffic.in.pcap" --dst_mac=02:00:5e:10:00:02 --port=70000
expect_bad_input "bad mode" "--mode" --in="$pcaps/mixed_traffic.in.pcap" --dst_mac=02:00:5e:10:00:02 --mode=bounce
expect_bad_input "loopback unrestricted" "the loopback profile needs loopback_ports" \
  --in="$pcaps/mixed_traffic.in.pcap" --dst_mac=02:00:5e:10:00:02 --profile=loopback
printf '[[rule]]\nname = "wide"\npayload = "ABCDEFGHIJKLMNOPQ"\n' > "$tmp/bad.toml"
expect_bad_input "bad rule" "$tmp/bad.toml:1:1: rule \"wide\": the payload pattern has 17 bytes" \
  --in="$pcaps/mixed_traffic.in.pcap" --dst_mac=02:00:5e:10:00:02 --config="$tmp/bad.toml"
# --out naming the input, by any path, is refused before anything is written.
cp "$pcaps/mixed_traffic.in.pcap" "$tmp/mine.pcap"
ln -sf "$tmp/mine.pcap" "$tmp/mine-link.pcap"
for out in "$tmp/mine.pcap" "$tmp/./mine.pcap" "$tmp/mine-link.pcap"; do
  expect_bad_input "out is in ($out)" "is the input capture" --in="$tmp/mine.pcap" \
    --out="$out" --dst_mac=02:00:5e:10:00:02
done
cmp "$tmp/mine.pcap" "$pcaps/mixed_traffic.in.pcap" || fail "the input capture was changed"
expect_bad_input "capture is in" "is the input capture" --in="$tmp/mine.pcap" \
  --capture="$tmp/mine-link.pcap" --dst_mac=02:00:5e:10:00:02
expect_bad_input "capture unknown reason" "--capture_select" --in="$tmp/mine.pcap" \
  --capture="$tmp/x.pcapng" --capture_select=rejected:nope --dst_mac=02:00:5e:10:00:02
expect_bad_input "capture unknown rule" "no rule or profile \"nope\"" --in="$tmp/mine.pcap" \
  --capture="$tmp/x.pcapng" --capture_select=nope --dst_mac=02:00:5e:10:00:02

# --capture: the verdicts as pcapng packet comments, read back with tshark (issue 21).
"$tool" --in="$pcaps/mixed_traffic.in.pcap" --dst_mac=$mac --capture="$tmp/all.pcapng" \
  2>"$tmp/capture.err" >/dev/null
grep -qx "pcap-reflect: capture $tmp/all.pcapng: captured 24, dropped 0 (ring full 0, rate bound 0, file bound 0)" \
  "$tmp/capture.err" || fail "capture summary: $(cat "$tmp/capture.err")"
comments=$(tshark -r "$tmp/all.pcapng" -T fields -e frame.comment 2>/dev/null)
[[ $(grep -c . <<<"$comments") -eq 24 ]] || fail "24 comments expected: $comments"
[[ $(grep -c '^reflected: rule ' <<<"$comments") -eq 7 ]] || fail "7 reflected expected: $comments"
grep -qx 'rejected: oui (src 02:00:5e, allowed 00:c0:17)' <<<"$comments" || fail "no oui reason: $comments"
"$tool" --in="$pcaps/mixed_traffic.in.pcap" --dst_mac=$mac --capture="$tmp/some.pcapng" \
  --capture_select=rejected:oui,protocol 2>/dev/null >/dev/null
got=$(tshark -r "$tmp/some.pcapng" -T fields -e frame.comment 2>/dev/null | sort | uniq -c | sed 's/^ *//')
want=$'1 rejected: oui (src 02:00:5e, allowed 00:c0:17)\n2 rejected: protocol (IP protocol 1)\n2 rejected: protocol (IP protocol 6)'
[[ "$got" == "$want" ]] || fail "rejected:oui,protocol: got '$got'"
echo "ok: capture: 24 comments; rejected:oui,protocol: $(tr '\n' ';' <<<"$got")"
# --capture_sent: each reflected frame as received (inbound), then as sent (outbound), and the
# outbound ones are byte for byte what --out writes.
"$tool" --in="$pcaps/mixed_traffic.in.pcap" --dst_mac=$mac --capture="$tmp/sent.pcapng" \
  --capture_select=reflected --capture_sent --out="$tmp/out.pcap" 2>"$tmp/sent.err" >/dev/null
grep -q "captured 14, dropped 0" "$tmp/sent.err" || fail "capture_sent summary: $(cat "$tmp/sent.err")"
directions=$(tshark -r "$tmp/sent.pcapng" -T fields -e frame.packet_flags_direction 2>/dev/null | tr '\n' ' ')
[[ "$directions" == "$(printf '0x00000001 0x00000002 %.0s' {1..7})" ]] \
  || fail "capture_sent: inbound then outbound 7 times expected, got '$directions'"
tshark -r "$tmp/sent.pcapng" -Y 'frame.packet_flags_direction == 2' -F pcap -w "$tmp/outbound.pcap" 2>/dev/null
hexdump_of() { tshark -r "$1" -x 2>/dev/null | grep '^[0-9a-f]\{4\} '; }
[[ -n "$(hexdump_of "$tmp/out.pcap")" ]] || fail "capture_sent: --out is empty"
diff <(hexdump_of "$tmp/outbound.pcap") <(hexdump_of "$tmp/out.pcap") >/dev/null \
  || fail "capture_sent: the outbound frames are not what --out holds"
echo "ok: capture_sent: 7 reflected frames, each inbound then outbound as --out"
echo PASS
