#!/usr/bin/env bash
# Launcher behind `bazel run [--config=fuzz] //fuzz:<target> -- [flags] [files]`
# (arguments from fuzz.bzl: the binary, the checked-in corpus, the dictionary or "-"; then the
# user's).
#   no file given: a campaign, random unless -seed, as long as -max_total_time says (CI's
#                  deterministic pass is run_ci.sh); new inputs go to a writable corpus outside
#                  the repository ($REFLECTOR_FUZZ_WORKDIR, default
#                  ~/.cache/reflector-fuzz/<target>), the checked-in corpus is read as seeds,
#                  crashes land in .../artifacts/.
#   files given:   run exactly those (reproduce a crash); paths are relative to the workspace.
set -euo pipefail

# Resolve the runfiles paths before leaving the runfiles tree.
bin="$(realpath "$1")"
seeds="$(realpath "$2")"
dict_flag=()
if [[ "$3" != "-" ]]; then dict_flag=("-dict=$(realpath "$3")"); fi
shift 3
name="$(basename "$bin" _bin)"

cd "${BUILD_WORKSPACE_DIRECTORY:-.}"

files=0
own_prefix=0
for arg in "$@"; do
  case "$arg" in
    -artifact_prefix=*) own_prefix=1 ;;
    -*) ;;
    *) files=1 ;;
  esac
done
if ((files)); then exec "$bin" "${dict_flag[@]}" "$@"; fi

work="${REFLECTOR_FUZZ_WORKDIR:-$HOME/.cache/reflector-fuzz}/$name"
mkdir -p "$work/corpus" "$work/artifacts"
prefix=()
if ((!own_prefix)); then prefix=("-artifact_prefix=$work/artifacts/"); fi
echo "fuzz: $name: new inputs -> $work/corpus, crashes -> $work/artifacts/" >&2
# libFuzzer writes new inputs into the first folder only; the seeds stay read-only.
exec "$bin" "${dict_flag[@]}" "${prefix[@]}" "$@" "$work/corpus" "$seeds"
