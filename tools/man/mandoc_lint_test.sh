#!/bin/bash
# mandoc -T lint -W all is clean on every man page but for "referenced manual not found" (and
# mandoc.db's age), which depend on the pages installed on the machine, not on ours; and every
# page is ASCII. The pages are generated from each program's --help, so this is where a flag's
# help text with a non-ASCII character is caught, whichever program it belongs to (mandoc
# counts a line's length in bytes, and a terminal without UTF-8 shows such bytes as noise).
#   usage: mandoc_lint_test.sh PAGE...
set -euo pipefail
command -v mandoc >/dev/null || { echo "FAIL: mandoc is missing (tools/setup.sh)"; exit 1; }
status=0
for page in "$@"; do
  out=$(mandoc -T lint -W all "$page" 2>&1 |
    grep -v -e 'STYLE: referenced manual not found' -e 'outdated mandoc.db' || true)
  if [[ -n "$out" ]]; then echo "FAIL: $page:"; echo "$out"; status=1; else echo "ok: $page"; fi
  non_ascii=$(LC_ALL=C grep -n '[^[:print:][:space:]]' "$page" || true)
  if [[ -n "$non_ascii" ]]; then
    echo "FAIL: $page has non-ASCII bytes (write help texts in ASCII):"; echo "$non_ascii"
    status=1
  fi
  # It renders, with its OPTIONS or SETTINGS list filled in.
  text=$(mandoc -T ascii "$page" | sed 's/.\x08//g')
  [[ "$text" == *"--version"* || "$text" == *"stats_interval = "* ]] ||
    { echo "FAIL: $page has no generated list"; status=1; }
done
exit $status
