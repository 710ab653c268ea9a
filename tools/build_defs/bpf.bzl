"""Build rules for BPF programs: an object compiled by clang -target bpf, and its skeleton."""

def bpf_object(name, src, hdrs = [], visibility = None):
    """Compiles one *.bpf.c into `<name>.o` (BTF kept, DWARF stripped).

    Args:
      name: target name; the output is <name>.o.
      src: the *.bpf.c file.
      hdrs: every header it includes (labels or filegroups), so the sandbox has them.
      visibility: as usual.
    """
    native.genrule(
        name = name,
        srcs = [src] + hdrs,
        outs = [name + ".o"],
        cmd = ("clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror " +
               "-I/usr/include/x86_64-linux-gnu -I. " +
               "-c $(location %s) -o $@ && llvm-strip -g $@") % src,
        visibility = visibility,
    )

def bpf_skeleton(name, obj, skeleton_name, visibility = None):
    """Generates `<name>.skel.h` with `bpftool gen skeleton` from a bpf_object.

    The skeleton embeds the object, so loaders never look for a file at run time.
    Include the ABI header before the skeleton: its generated asserts then check that g++ and
    clang agree on the size of every global.

    Args:
      name: target name; the output is <name>.skel.h.
      obj: the bpf_object target.
      skeleton_name: the C identifier prefix of the skeleton (for example "rf_xdp").
      visibility: as usual.
    """
    native.genrule(
        name = name,
        srcs = [obj],
        outs = [name + ".skel.h"],
        cmd = "bpftool gen skeleton $(location %s) name %s > $@" % (obj, skeleton_name),
        visibility = visibility,
    )
