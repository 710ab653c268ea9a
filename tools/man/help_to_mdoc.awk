# Turns the "Flags:" part of a program's --help (reflector/base/cli.h: "  --name (default: X)"
# then description lines indented by six spaces) into an mdoc tagged list for its man page,
# so the OPTIONS section cannot drift from the flags the program has.
# With -v keys=1 the items are config file keys (reflectord.toml(5)) instead of flags.
#   awk [-v keys=1] -f help_to_mdoc.awk help.txt
function escape(text) {
  gsub(/\\/, "\\e", text)
  out = ""  # "e.g." is an abbreviation, not the end of a sentence: "e.g.\&"
  while ((at = index(text, "e.g.")) > 0) {
    out = out substr(text, 1, at + 3) "\\&"; text = substr(text, at + 4)
  }
  text = out text
  out = ""; open = 0
  while ((at = index(text, "`")) > 0) {
    out = out substr(text, 1, at - 1) (open ? "\\(cq" : "\\(oq")
    open = !open; text = substr(text, at + 1)
  }
  return out text
}
function flush() {
  if (name == "") return
  if (keys) {
    if (name == "help" || name == "version" || name == "config") { name = ""; return }
    print ".It Ic " name " No = Ar " ((def == "true" || def == "false") ? "true|false" : "value")
  } else if (name == "help") {
    print ".It Fl h , Fl Fl help Ns Op = Ns Ar word"
  } else if (name == "version") {
    print ".It Fl Fl version"
  } else if (def == "true" || def == "false") {
    print ".It Fl Fl " name " Ns Op = Ns Ar true|false"
  } else {
    print ".It Fl Fl " name " Ns = Ns Ar value"
  }
  # Each sentence on a new line, as mdoc wants; lines of at most 80 bytes.
  n = split(escape(desc), words, " ")
  line = ""
  for (i = 1; i <= n; i++) {
    if (line != "" && length(line) + 1 + length(words[i]) > 79) { print line; line = "" }
    line = line (line == "" ? "" : " ") words[i]
    if (words[i] ~ /[.]$/ && i < n) { print line; line = "" }
  }
  if (line != "") print line (line ~ /[.]$/ ? "" : ".")
  if (def != "") print "Default:\n.Ql " escape(def) " ."
  name = ""; def = ""; desc = ""
}
/^Flags:$/ { inflags = 1; print ".Bl -tag -width Ds"; next }
!inflags { next }
/^  (-h, )?--[a-z_]+/ {
  flush()
  spec = $0
  sub(/^  (-h, )?--/, "", spec)
  name = spec; sub(/ .*/, "", name)
  def = ""
  if (match(spec, /\(default: .*\)$/)) def = substr(spec, RSTART + 10, RLENGTH - 11)
  next
}
/^      / { text = $0; sub(/^ +/, "", text); desc = desc (desc == "" ? "" : " ") text; next }
/^$/ { flush(); print ".El"; exit }
END { if (inflags && name != "") { flush(); print ".El" } }
