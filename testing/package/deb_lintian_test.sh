#!/bin/bash
# lintian finds no error in the package; its warnings are printed for the log.
#   usage: deb_lintian_test.sh DEB
set -euo pipefail
command -v lintian >/dev/null || { echo "FAIL: lintian is missing (tools/setup.sh)"; exit 1; }
# lintian's exit code follows its --fail-on levels: error only.
out=$(lintian --fail-on error --no-tag-display-limit "$1" 2>&1) || {
  echo "FAIL: lintian reports errors:"; echo "$out"; exit 1; }
echo "$out"
echo "ok: no lintian errors"
