#!/usr/bin/env bash
# Fails when the checked-in seed-* files differ from what make_corpus writes now (the frame
# table, the config library or classify_input.h changed), so the corpora cannot drift from the
# tool that is documented to regenerate them.
#   usage (from BUILD.bazel): corpus_up_to_date_test.sh MAKE_CORPUS CORPUS_ROOT
set -euo pipefail
make_corpus="$1"
checked_in="$2"
fresh="${TEST_TMPDIR:-$(mktemp -d)}/corpus"

"$make_corpus" "$fresh" >/dev/null
stale=0
for dir in "$fresh"/*/; do
  target="$(basename "$dir")"
  # Compare the two lists of seed names, then each seed's bytes.
  if ! diff <(cd "$dir" && ls seed-*) <(cd "$checked_in/$target" && ls seed-*) >&2; then
    stale=1
    continue
  fi
  for seed in "$dir"seed-*; do
    if ! cmp -s "$seed" "$checked_in/$target/$(basename "$seed")"; then
      echo "$target/$(basename "$seed") differs" >&2
      stale=1
    fi
  done
done
if ((stale)); then
  echo "fuzz seeds are stale; regenerate: bazel run //fuzz:make_corpus -- \"\$PWD/fuzz/corpus\"" >&2
  exit 1
fi
