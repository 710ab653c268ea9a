#!/usr/bin/env bash
# Proves that the layers are enforced: each */layering_probe package holds a library that
# depends on a layer above its own (tag manual, so //... never builds it), and Bazel must
# refuse every one with a visibility error. Run by tools/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a bazel <<<"${BAZEL:-bazel}"

mapfile -t probes < <("${bazel[@]}" query --noshow_progress 'attr(name, "^upward$", //...)' 2>/dev/null)
if ((${#probes[@]} == 0)); then
  echo "check_layers: no layering probes found" >&2
  exit 1
fi
failed=0
for probe in "${probes[@]}"; do
  if output="$("${bazel[@]}" build --noshow_progress "$probe" 2>&1)"; then
    echo "check_layers: FAIL: $probe built: its upward dependency was allowed" >&2
    failed=1
  elif grep -q "is not visible from target '$probe'" <<<"$output"; then
    echo "check_layers: $probe refused, as it must be"
  else
    echo "check_layers: FAIL: $probe did not build, but not for visibility:" >&2
    echo "$output" | tail -5 >&2
    failed=1
  fi
done
exit "$failed"
