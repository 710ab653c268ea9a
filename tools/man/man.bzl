"""man_page: a man page from its template NAME.in, with @OPTIONS@ replaced by the mdoc list
help_to_mdoc.awk makes of a program's --help (help) or of a ready --help-shaped file
(help_list; keys = True lists config keys instead of flags)."""

def man_page(name, help = None, help_list = None, keys = False):
    source = help if help else help_list
    produce = "$(location %s) --help" % source if help else "cat $(location %s)" % source
    native.genrule(
        name = name.replace(".", "_"),
        srcs = [name + ".in", "help_to_mdoc.awk", source],
        outs = [name],
        cmd = " && ".join([
            "%s > $@.help" % produce,
            "awk %s -f $(location help_to_mdoc.awk) $@.help > $@.options" %
            ("-v keys=1" if keys else ""),
            "grep -q '^.It' $@.options",
            "sed -e '/^@OPTIONS@$$/{r $@.options' -e 'd;}' $(location %s.in) > $@" % name,
            "rm $@.help $@.options",
        ]),
    )
