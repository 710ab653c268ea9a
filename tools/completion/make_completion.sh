#!/bin/bash
# Writes the bash completion of PROGRAM from its --help (reflector/base/cli.h's flag list):
# flags that take a value end in "=", switches (default true/false) are listed alone too.
#   make_completion.sh PROGRAM BINARY TEMPLATE > completion
set -euo pipefail
program=$1; binary=$2; template=$3
help=$("$binary" --help)
flags=$(printf '%s\n' "$help" | sed -n 's/^  \(-h, \)\{0,1\}--\([a-z0-9_]*\).*/\2/p')
switches=$(printf '%s\n' "$help" | sed -n 's/^  --\([a-z0-9_]*\) (default: \(true\|false\))$/--\1/p')
words=""
for flag in $flags; do
  case "$flag" in
    help|version) words+=" --$flag" ;;
    *) if [[ " $(echo $switches) " == *" --$flag "* ]]; then words+=" --$flag"; fi
       words+=" --$flag=" ;;
  esac
done
[[ -n "$words" ]] || { echo "make_completion.sh: no flags in $program --help" >&2; exit 1; }
sed -e "s|@PROGRAM@|$program|g" -e "s|@FUNCTION@|_${program//-/_}|g" \
    -e "s|@FLAGS@|${words# }|" -e "s|@SWITCHES@|$(echo $switches)|" "$template"
