#!/usr/bin/env bash
# CI's fuzzing pass, deterministic: the same commit gets the same verdict every time. Builds every
# fuzz target with --config=fuzz (clang, libFuzzer, ASan, UBSan); each replays its checked-in
# corpus, then mutates from a fixed seed until a fixed number of runs (corpus replay included).
# Any crash, leak, sanitizer report, timeout or allocation over 2 GB fails the script; the input
# that caused it is kept and printed. One summary line per target gives the counts, which two
# passes on one commit must repeat exactly.
#   fuzz/run_ci.sh                    the CI pass (RUNS and SEED below)
#   fuzz/run_ci.sh RUNS [SEED]        another budget or seed, e.g. a longer look before a release
#   BAZEL="bazel --output_base=..."   to run a different bazel command
# Random, time-bound campaigns are a separate command: see fuzz/README.md, "Run a campaign".
# Targets tagged "lab" (privileged: xdp_differential_fuzzer loads a BPF program) run only as
# root, which CI is; without root the script says which ones it skips and runs the rest.
set -euo pipefail
cd "$(dirname "$0")/.."

# 500,000 runs take 10 to 170 s a target on this two-core machine, run two at a time.
runs="${1:-500000}"
seed="${2:-1}"
read -r -a bazel <<<"${BAZEL:-bazel}"
work="$(mktemp -d "${TMPDIR:-/tmp}/reflector-fuzz-ci.XXXXXX")"

launchers='kind(sh_binary, attr(generator_function, reflector_fuzz_target, //fuzz:all))'
lab='attr(tags, "\blab\b", //fuzz:all)'
if ((EUID == 0)); then
  query="$launchers"
else
  query="$launchers except $lab"
  mapfile -t skipped < <("${bazel[@]}" query --noshow_progress "$launchers intersect $lab" 2>/dev/null)
  if ((${#skipped[@]} > 0)); then
    echo "run_ci: not root: skipping the lab targets ${skipped[*]##*:}" >&2
  fi
fi
mapfile -t targets < <("${bazel[@]}" query --noshow_progress "$query" 2>/dev/null)
if ((${#targets[@]} == 0)); then
  echo "run_ci: no fuzz targets found" >&2
  exit 1
fi
"${bazel[@]}" build --config=fuzz "${targets[@]}"

# What makes a pass repeat itself (each checked by running the pass twice and comparing the
# summary lines):
#  * -seed and -runs instead of a wall-clock limit; one process (no -jobs/-workers); -reload=0,
#    so nothing is re-read from the output folder on a timer, which starts empty ($work).
#  * ASLR off (setarch -R): UBSan's vptr check caches by vtable address, and its branches are
#    instrumented, so with ASLR even the corpus replay varied in coverage.
#  * -rss_limit_mb=0: libFuzzer's RSS watcher is a thread whose start sometimes lands inside an
#    input and adds a leak-check rerun, one run fewer for mutations. -malloc_limit_mb still
#    fails any single allocation over 2 GB, in the allocating thread.
#  * -use_cmp=0: otherwise compared values, stack addresses among them, become mutations, and
#    the stack moves with the size of the environment (a clone's path, say). Campaigns keep it.
#  * .bazelrc's build:fuzz leaves out clang's stack-depth feature, which moved the same way.
#  * -max_len stays libFuzzer's default, derived from the checked-in corpus (a smaller fixed
#    one would cut the corpus files it replays).
# -timeout is the one clock left: 10 s for an input that takes microseconds is a hang, and a
# failure however long the machine would have needed.
arch="$(uname -m)"
if ! setarch "$arch" --addr-no-randomize true; then
  echo "run_ci: cannot turn off ASLR (setarch -R), which a deterministic pass needs" >&2
  exit 1
fi
# Launchers first, one bazel command at a time (bazel holds one lock per output base)...
for target in "${targets[@]}"; do
  name="${target##*:}"
  if ! "${bazel[@]}" run --config=fuzz --noshow_progress --script_path="$work/$name.run" \
    "$target" >"$work/$name.log" 2>&1; then
    cat "$work/$name.log" >&2
    exit 1
  fi
done

# ... then the targets, as many at once as there are CPUs (FUZZ_JOBS to change it). Each is one
# single-threaded libFuzzer process with its own seed, runs and output folder, so running them
# side by side changes no count; only the seconds in the summary line move.
fuzz_one() {
  local name="$1" log="$work/$1.log" start=$SECONDS status=0
  REFLECTOR_FUZZ_WORKDIR="$work" setarch "$arch" --addr-no-randomize "$work/$name.run" \
    -seed="$seed" -runs="$runs" -use_cmp=0 -reload=0 -rss_limit_mb=0 -malloc_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 \
    >>"$log" 2>&1 || status=$?
  echo "$status $((SECONDS - start))" >"$work/$name.status"
}
jobs_max="${FUZZ_JOBS:-$(nproc)}"
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n || true; done
  echo "run_ci: ${target##*:}: corpus, then $runs runs from seed $seed" >&2
  fuzz_one "${target##*:}" &
done
wait

failed=()
for target in "${targets[@]}"; do
  name="${target##*:}"
  log="$work/$name.log"
  read -r status seconds <"$work/$name.status"
  if ((status != 0)); then
    # Everything but libFuzzer's progress lines: the sanitizer's report.
    grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$log" >&2 || true
    failed+=("$name")
    continue
  fi
  # "#500000 DONE cov: 2762 ft: 8892 corp: 1228/110Kb lim: ... exec/s: ..." and the final stats.
  counts="$(grep -Eo 'DONE +cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 |
    sed -E 's/DONE +//')"
  executed="$(awk '/^stat::number_of_executed_units:/ {print $2}' "$log")"
  added="$(awk '/^stat::new_units_added:/ {print $2}' "$log")"
  echo "run_ci: $name: $executed runs, seed $seed: $counts, new units $added (${seconds}s)" >&2
done

if ((${#failed[@]} > 0)); then
  echo "run_ci: FAILED: ${failed[*]}; logs and reproducers kept in $work (<target>/artifacts/)" >&2
  ls -l "$work"/*/artifacts/* >&2 2>/dev/null || true
  exit 1
fi
rm -rf "$work"
echo "run_ci: ${#targets[@]} targets: corpus and $runs runs each from seed $seed, no finding" >&2
