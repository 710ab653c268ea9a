#!/usr/bin/env bash
# CI's short fuzzing pass: builds every fuzz target with --config=fuzz (clang, libFuzzer, ASan,
# UBSan) and runs each for SECONDS over its checked-in corpus. Any crash, leak, sanitizer report,
# timeout or out-of-memory fails the script; the input that caused it is kept and printed.
#   fuzz/run_ci.sh [SECONDS]          default 20 per target
#   BAZEL="bazel --output_base=..."   to run a different bazel command
# Targets tagged "lab" (privileged: xdp_differential_fuzzer loads a BPF program) run only as
# root, which CI is; without root the script says which ones it skips and runs the rest.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
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

failed=()
for target in "${targets[@]}"; do
  name="${target##*:}"
  echo "run_ci: $name for ${seconds}s" >&2
  # -timeout: a frame or a config line takes microseconds; 10 s means a hang.
  if ! REFLECTOR_FUZZ_WORKDIR="$work" "${bazel[@]}" run --config=fuzz --noshow_progress "$target" -- \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1; then
    failed+=("$name")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "run_ci: FAILED: ${failed[*]}; reproducers kept in $work/<target>/artifacts/:" >&2
  ls -l "$work"/*/artifacts/ >&2 || true
  exit 1
fi
rm -rf "$work"
echo "run_ci: ${#targets[@]} targets ran ${seconds}s each without a finding" >&2
