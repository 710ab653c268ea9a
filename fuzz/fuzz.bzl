"""reflector_fuzz_target: one fuzz target source, two builds (aesthetics.md patterns 36-37).

Under --config=fuzz (clang, ASan, UBSan) `<name>_bin` links libFuzzer's main and `<name>` runs a
campaign. In every other config `<name>_bin` links fuzz/replay_main.cc instead, so the target
still compiles with gcc and `<name>_test` replays the checked-in corpus under `bazel test //...`.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")

def reflector_fuzz_target(name, srcs, deps = [], corpus = None, dict = None, tags = []):
    """Declares <name>_lib, <name>_bin, <name> (the launcher) and <name>_test.

    Args:
      name: the target, e.g. "classify_fuzzer".
      srcs: sources defining LLVMFuzzerTestOneInput.
      deps: what the sources need.
      corpus: folder of seed and regression inputs; default "corpus/<name>".
      dict: a libFuzzer dictionary file, or None.
      tags: added to every target; "lab" keeps a privileged target out of run_ci.sh.
    """
    corpus = corpus or "corpus/" + name
    corpus_files = native.glob([corpus + "/**"])
    corpus_path = native.package_name() + "/" + corpus

    cc_library(
        name = name + "_lib",
        testonly = True,
        tags = tags,
        srcs = srcs,
        deps = deps,
        # The library's only entry point is called by a main in another library.
        alwayslink = True,
    )

    cc_binary(
        name = name + "_bin",
        testonly = True,
        tags = tags,
        deps = [":" + name + "_lib"] + select({
            "//fuzz:fuzzing": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        # Only fuzz binaries get libFuzzer's main; the config's copts give the rest.
        linkopts = select({
            "//fuzz:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
    )

    # `bazel run [--config=fuzz] //fuzz:<name> -- [libFuzzer flags] [files]`: see run_fuzzer.sh.
    native.sh_binary(
        name = name,
        testonly = True,
        tags = tags,
        srcs = ["//fuzz:run_fuzzer.sh"],
        data = [":" + name + "_bin"] + corpus_files + ([dict] if dict else []),
        args = [
            "$(rootpath :%s_bin)" % name,
            corpus_path,
            # Bazel drops an empty argument, which would shift the user's flags; "-" means none.
            "$(rootpath %s)" % dict if dict else "-",
        ],
    )

    # Replays every corpus input once; crashers added to the corpus stay fixed.
    cc_test(
        name = name + "_test",
        size = "small",
        tags = tags,
        deps = [
            ":" + name + "_lib",
            "//fuzz:replay_main",
        ],
        data = corpus_files,
        args = [corpus_path],
    )
