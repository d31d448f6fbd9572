"""Helpers shared by check_symbols.py and coverage.py: which functions and
macros a C header declares, and which dynamic symbols a shared object exports.

Function declarations come from the compiler itself (gcc -aux-info writes one
line per prototype, tagged with the file that declared it), so prototypes split
over lines, attributes and export macros need no hand-written parsing.  Macros
come from `gcc -E -dD`, attributed to a file through the line markers."""

import os
import re
import subprocess
import tempfile

CC = os.environ.get("CC", "gcc") or "gcc"

# Headers that need others before them; event.h first satisfies the rest.
PRELUDE = ["event2/event.h", "event2/util.h", "event2/buffer.h", "event2/bufferevent.h",
           "event2/dns.h", "event2/http.h", "event2/event_struct.h"]


def _tu(headers, include_dirs):
    """Source text including the prelude headers that exist, then `headers`."""
    lines = []
    for h in PRELUDE:
        if any(os.path.exists(os.path.join(d, h)) for d in include_dirs):
            lines.append("#include <%s>" % h)
    lines += ["#include <%s>" % h for h in headers]
    return "\n".join(lines) + "\n"


def _compile(args, text):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "scan.c")
        with open(src, "w") as f:
            f.write(text)
        aux = os.path.join(tmp, "scan.aux")
        p = subprocess.run([CC] + args(src, aux), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace")
        auxtext = open(aux).read() if os.path.exists(aux) else ""
        return p.returncode, p.stdout, auxtext


AUX_LINE = re.compile(r"^/\* (\S+?):(\d+):[A-Z]+ \*/ (.*)$")


def functions_by_file(headers, include_dirs):
    """{absolute header path: [function names in declaration order]} for every
    prototype the compiler saw.  Raises RuntimeError with the compiler output
    if the headers do not compile."""
    incs = []
    for d in include_dirs:
        incs += ["-I", d]
    text = _tu(headers, include_dirs)
    rc, out, aux = _compile(lambda src, auxf: incs + ["-fsyntax-only", "-aux-info", auxf, src], text)
    if rc != 0 and not aux:
        raise RuntimeError(out)
    result = {}
    for line in aux.splitlines():
        m = AUX_LINE.match(line)
        if not m:
            continue
        path, decl = os.path.abspath(m.group(1)), m.group(3)
        name = _decl_name(decl)
        if name:
            lst = result.setdefault(path, [])
            if name not in lst:
                lst.append(name)
    return result, (out if rc != 0 else "")


def _decl_name(decl):
    # "extern int event_add (struct event *, const struct timeval *);"
    # "extern const char *(*evdns_get_... (void)) (int);" (returns a function pointer)
    # The declared name is the identifier right before the first '(' at depth 0
    # that opens a parameter list; for pointer-returning declarators it sits
    # inside "(*name (params))".
    m = re.search(r"([A-Za-z_]\w*)\s*\(", decl)
    while m:
        name = m.group(1)
        if name not in ("__attribute__", "__extension__", "__typeof__"):
            return name
        m = re.search(r"([A-Za-z_]\w*)\s*\(", decl[m.end():])
    return None


def macros_by_file(headers, include_dirs):
    """{absolute header path: [macro names defined there]}."""
    incs = []
    for d in include_dirs:
        incs += ["-I", d]
    text = _tu(headers, include_dirs)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "scan.c")
        with open(src, "w") as f:
            f.write(text)
        p = subprocess.run([CC, "-E", "-dD"] + incs + [src], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, errors="replace")
    result = {}
    cur = None
    for line in p.stdout.splitlines():
        m = re.match(r'^# \d+ "([^"]+)"', line)
        if m:
            cur = os.path.abspath(m.group(1)) if not m.group(1).startswith("<") else None
            continue
        m = re.match(r"^#define\s+([A-Za-z_]\w*)", line)
        if m and cur:
            lst = result.setdefault(cur, [])
            if m.group(1) not in lst:
                lst.append(m.group(1))
    return result


def include_guard(path):
    try:
        text = open(path, errors="replace").read()
    except OSError:
        return None
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    m = re.search(r"^\s*#\s*ifndef\s+(\w+)\s*\n\s*#\s*define\s+\1\b", text, flags=re.M)
    return m.group(1) if m else None


def exported_symbols(lib, functions_only=False):
    """Names of the dynamic symbols `lib` defines (versions stripped)."""
    out = subprocess.check_output(["nm", "-D", "--defined-only", lib], text=True)
    names = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[-2], parts[-1].split("@")[0]
        # Lower-case kinds are local: present in .dynsym only for relocations,
        # not visible to other objects.
        if kind.islower() and kind not in ("w", "i", "u", "v"):
            continue
        if functions_only and kind not in ("T", "W", "i"):
            continue
        names[name] = kind
    return names


def needed_libraries(lib):
    """The DT_NEEDED entries of `lib`."""
    out = subprocess.check_output(["readelf", "-dW", lib], text=True)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
