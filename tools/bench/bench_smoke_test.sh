#!/bin/bash
# CI smoke for //tools/bench:bench: runs every reflector and receive mode at both frame sizes with tiny trials and
# checks that the run ends cleanly and prints the complete table. It must never assert on speed
# (SPEC §7): figures from a few hundred milliseconds on a shared CI machine mean nothing.
set -u

if [[ "$(id -u)" != 0 ]]; then
  if [[ "${REFLECTOR_REQUIRE_LAB:-}" == 1 ]]; then
    echo "FAIL: bench_smoke_test needs root (namespaces, veth, XDP): run bazel test as root"
    exit 1
  fi
  echo "SKIP: bench_smoke_test needs root (namespaces, veth, XDP)"
  exit 0
fi

bench="${TEST_SRCDIR}/${TEST_WORKSPACE}/tools/bench/bench"
out="${TEST_TMPDIR}/bench.out"
# --output=none: a test never touches the workspace's BENCHMARKS.md.
variants="afxdp+spin afxdp+kernel afpacket+spin afpacket+blocks afxdp+rt afpacket+rt"
"${bench}" --output=none --sizes=64,512 \
  --reflectors="baseline,xdp,afxdp,afpacket,${variants// /,}" \
  --linerate_duration=100ms --search_duration=100ms --search_trials=2 \
  --rtt_rate=1k --rtt_duration=200ms --xdp_pairs=2 --stamp_pairs=2 >"${out}" 2>&1 &
pid=$!
wait "${pid}"
code=$?
cat "${out}"
if [[ "${code}" != 0 ]]; then
  echo "FAIL: bench exited with ${code}"
  exit 1
fi

fail=0
for size in 64 512; do
  for reflector in baseline xdp afxdp afpacket; do
    # A complete row has every measured figure: offered, reflected, loss, zero-loss and the
    # three RTT percentiles (columns 3, 4, 5, 7, 10, 11, 12). Ratios may be "-" when a tiny
    # baseline trial measured 0, which is not this test's business.
    row="$(grep -E "^ *${size} +${reflector} " "${out}")"
    if [[ -z "${row}" ]]; then
      echo "FAIL: no table row for ${size}-byte frames, ${reflector}"
      fail=1
    elif awk '{ split("3 4 5 7 10 11 12", c, " "); for (i in c) if ($c[i] == "-") exit 0; exit 1 }' <<<"${row}"; then
      echo "FAIL: a figure is missing in: ${row}"
      fail=1
    fi
  done
done
# The alternating rounds: per size, a line for xdp with reflectord's defaults and one with the
# loop guard and sessions off, each with two baseline / xdp figures.
for size in 64 512; do
  rounds="$(sed -n '/^Max load in alternating rounds/,/^$/p' "${out}")"
  for variant in "xdp" "xdp, loop guard and sessions off"; do
    row="$(grep -E "^ *${size} +${variant} +[0-9]" <<<"${rounds}")"
    if [[ "$(grep -o ' / ' <<<"${row}" | wc -l)" != 2 ]]; then
      echo "FAIL: no two alternating pairs for ${size}-byte frames, ${variant}: ${row}"
      fail=1
    fi
  done
done
# STAMP vs ITO (issue 14): two pairs of reflected rates, both kinds measured (not 0), and a
# median ratio.
stamp="$(grep -E "^STAMP vs ITO at max load" "${out}")"
if [[ "$(grep -oE '[0-9]+\.[0-9]+ / [0-9]+\.[0-9]+' <<<"${stamp}" | grep -cvE '(^|/ )0\.000')" != 2 ||
      "${stamp}" != *"median ratio"* ]]; then
  echo "FAIL: no two measured STAMP / ITO pairs: ${stamp}"
  fail=1
fi
# Sessions on vs off at max load (xdp): two with / without figures per size and their ratio.
for size in 64 512; do
  row="$(grep -E "^sessions check, xdp, ${size}-byte frames: " "${out}")"
  if [[ "$(grep -o ' / ' <<<"${row}" | wc -l)" != 3 || "${row}" != *"median ratio "[0-9]* ]]; then
    echo "FAIL: no two sessions on / off pairs for ${size}-byte frames: ${row}"
    fail=1
  fi
done
# The receive-mode variants have an RTT row only: its three percentiles (columns 10-12).
for size in 64 512; do
  for reflector in ${variants}; do
    row="$(grep -F " ${reflector} " "${out}" | grep -E "^ *${size} ")"
    if [[ -z "${row}" ]]; then
      echo "FAIL: no table row for ${size}-byte frames, ${reflector}"
      fail=1
    elif awk '{ split("10 11 12", c, " "); for (i in c) if ($c[i] == "-") exit 0; exit 1 }' <<<"${row}"; then
      echo "FAIL: an RTT figure is missing in: ${row}"
      fail=1
    fi
  done
done
# The multi-queue rows: one and two queues of afxdp and afpacket, each measured (the note, the
# last column, is "-") with one figure per worker. On one CPU the two-queue rows say why not.
if [[ "$(nproc)" -ge 2 ]]; then
  for size in 64 512; do
    for reflector in afxdp afpacket; do
      for queues in 1 2; do
        row="$(grep -E "^ *${size} +${reflector} +${queues} " "${out}")"
        workers="$(awk '{ n = 1; for (i = 1; i <= NF; ++i) if ($i == "+") ++n; print n }' <<<"${row}")"
        if [[ -z "${row}" || "${row##* }" != "-" || "${workers}" != "${queues}" ]]; then
          echo "FAIL: multi-queue row for ${size}-byte frames, ${reflector}, ${queues} queues: ${row}"
          fail=1
        fi
      done
    done
  done
fi
# The bench deletes its namespaces (and with them the veth and every XDP attachment): the lab's,
# rflab<pid><letters>-tester and -reflector.
if ip netns list | grep -qE "^rflab${pid}[a-z]+-"; then
  echo "FAIL: namespaces of the run are left: $(ip netns list | grep -E "^rflab${pid}[a-z]+-")"
  fail=1
fi
exit "${fail}"
