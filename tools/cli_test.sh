#!/bin/bash
# Every binary of the project answers the same way (reflector/base/cli.h): -h and --help list
# its own flags and exit 0, --version prints "<name> <version> (<mode> build, <revision>)"
# and exits 0, and a flag that does not exist is one line on stderr and exit 2.
#   usage (from BUILD.bazel): cli_test.sh NAME=PATH:OWN_FLAG ...
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }

versions=()
for entry in "$@"; do
  name="${entry%%=*}"
  rest="${entry#*=}"
  binary="${rest%%:*}"
  own="${rest#*:}"
  for help in -h --help; do
    set +e; out=$("$binary" "$help" 2>&1); code=$?; set -e
    [[ $code -eq 0 ]] || fail "$name $help: exit $code: $out"
    [[ "$out" == "$name: "* ]] || fail "$name $help: does not start with \"$name: \": $out"
    [[ "$out" == *"$own"* ]] || fail "$name $help: does not list $own: $out"
  done
  set +e; version=$("$binary" --version 2>&1); code=$?; set -e
  [[ $code -eq 0 ]] || fail "$name --version: exit $code: $version"
  [[ "$version" =~ ^"$name "([0-9]+\.[0-9]+\.[0-9]+)" ("(fastbuild|opt|dbg)" build, "(git [^ ]+|revision unknown)")"$ ]] ||
    fail "$name --version: '$version'"
  versions+=("${BASH_REMATCH[1]}")
  set +e; err=$("$binary" --no_such_flag=1 2>&1 >/dev/null); code=$?; set -e
  [[ $code -eq 2 ]] || fail "$name --no_such_flag: exit $code, want 2: $err"
  [[ "$err" == "$name: unknown flag \"--no_such_flag=1\""* ]] || fail "$name: '$err'"
  [[ $(printf '%s\n' "$err" | wc -l) -eq 1 ]] || fail "$name: more than one line: $err"
  echo "ok: $name: $version"
done
# One version for the whole project.
[[ $(printf '%s\n' "${versions[@]}" | sort -u | wc -l) -eq 1 ]] || fail "versions differ: ${versions[*]}"
echo PASS
