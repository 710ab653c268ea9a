"""lab_test and lab_sh_test: tests that need root and the lab (namespaces, veth, BPF programs).

Every such test carries the same tags, set here once:
  root        it needs root: CAP_BPF and CAP_NET_ADMIN for programs, CAP_SYS_ADMIN for namespaces;
  no-sandbox  linux-sandbox mounts /run/netns read-only and drops those capabilities;
  exclusive   it runs alone: lab tests count frames and time out on a busy two-core machine;
              a test that only runs programs through bpf_prog_test_run, with no clock or veth
              deciding its verdict, may pass exclusive = False to share the machine (and shard);
  lab         what selects or leaves out the privileged targets (fuzz/run_ci.sh queries it).
Without root the tests skip with the reason (REFLECTOR_REQUIRE_ROOT in require_root.h), or fail
where REFLECTOR_REQUIRE_LAB=1, as in CI.
"""

LAB_TAGS = [
    "exclusive",
    "lab",
    "no-sandbox",
    "root",
]

def _tags(tags, exclusive):
    lab = [tag for tag in LAB_TAGS if exclusive or tag != "exclusive"]
    return lab + [tag for tag in tags if tag not in LAB_TAGS]

def lab_test(name, tags = [], exclusive = True, **kwargs):
    """A cc_test with the lab's tags; every other argument goes to cc_test."""
    native.cc_test(name = name, tags = _tags(tags, exclusive), **kwargs)

def lab_sh_test(name, tags = [], exclusive = True, **kwargs):
    """An sh_test with the lab's tags; every other argument goes to sh_test."""
    native.sh_test(name = name, tags = _tags(tags, exclusive), **kwargs)
