#!/bin/bash
# Each completion offers every flag its program's --help lists, interface names after
# --interface= (as bash splits the words), true/false after a switch, files after --config=.
#   usage: completion_test.sh COMPLETION BINARY ...
set -uo pipefail
status=0
fail() { echo "FAIL: $*"; status=1; }
# COMPREPLY for the command line words "$@" (the last one is being completed).
complete_words() {
  COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
  "$function" "${COMP_WORDS[0]}"
  printf '%s\n' "${COMPREPLY[@]}"
}
while (($# >= 2)); do
  completion=$1; binary=$2; shift 2
  program=$(basename "$completion" .bash)
  # shellcheck source=/dev/null
  source "$completion"
  function=$(complete -p "$program" | sed -n 's/^complete -F \([^ ]*\) .*/\1/p')
  [[ -n "$function" ]] || { fail "$program: no complete -F"; continue; }
  all=$(complete_words "$program" "--")
  for flag in $("$binary" --help | sed -n 's/^  \(-h, \)\{0,1\}--\([a-z0-9_]*\).*/\2/p'); do
    grep -qx -e "--$flag" -e "--$flag=" <<<"$all" || fail "$program: --$flag is not offered"
  done
  [[ $(complete_words "$program" "--ver") == "--version" ]] || fail "$program: --ver"
  if grep -qx -e "--interface=" <<<"$all"; then
    [[ $(complete_words "$program" "--interface" "=" "") == *lo* ]] ||
      fail "$program: --interface= does not offer lo"
    [[ $(complete_words "$program" "--interface" "=" "l") == "lo" ]] ||
      fail "$program: --interface=l does not complete to lo"
  fi
  switch=$("$binary" --help | sed -n 's/^  --\([a-z0-9_]*\) (default: \(true\|false\))$/\1/p' | head -1)
  if [[ -n "$switch" ]]; then
    [[ $(complete_words "$program" "--$switch" "=" "") == $'true\nfalse' ]] ||
      fail "$program: --$switch= does not offer true and false"
  fi
done
[[ $status -eq 0 ]] && echo "ok"
exit $status
