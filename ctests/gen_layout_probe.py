#!/usr/bin/env python3
"""Regenerate ctests/layout_probe.c.

The probe prints the size and offset of every public struct field, the value
and type of every constant macro and enumerator, and the expansion of every
other macro of the libevent 2.1.12 public headers.  The list of names is taken
from the *installed* (reference) headers, so the probe fails to compile against
our headers if one of them is missing.  The generated file is checked in; run
this script again only when the list of probed headers changes.

Usage: python3 ctests/gen_layout_probe.py > ctests/layout_probe.c
"""
import os
import re
import subprocess
import sys
import tempfile

REF = "/usr/include"
INCLUDES = [
    "event2/event.h", "event2/event_struct.h", "event2/event_compat.h",
    "event2/util.h", "event2/buffer.h", "event2/buffer_compat.h",
    "event2/bufferevent.h", "event2/bufferevent_struct.h",
    "event2/bufferevent_compat.h", "event2/bufferevent_ssl.h",
    "event2/listener.h", "event2/thread.h", "event2/dns.h",
    "event2/dns_compat.h", "event2/dns_struct.h", "event2/http.h",
    "event2/http_struct.h", "event2/http_compat.h", "event2/keyvalq_struct.h",
    "event2/rpc.h", "event2/rpc_struct.h", "event2/rpc_compat.h",
    "event2/tag.h", "event2/tag_compat.h", "event2/visibility.h",
    "event2/event-config.h", "event.h", "evutil.h", "evdns.h", "evhttp.h",
    "evrpc.h",
]
SYS_AFTER = ["stdio.h", "stddef.h", "string.h", "errno.h", "sys/time.h"]

# Object-like macros that name a type.
TYPE_MACROS = ["ev_uint64_t", "ev_int64_t", "ev_uint32_t", "ev_int32_t",
               "ev_uint16_t", "ev_int16_t", "ev_uint8_t", "ev_int8_t",
               "ev_uintptr_t", "ev_intptr_t", "ev_ssize_t", "ev_off_t",
               "ev_socklen_t", "evutil_socket_t"]

# (struct, [fields]) -- fields may use nested designators.
STRUCTS = [
    ("struct event_callback", ["evcb_active_next", "evcb_active_next.tqe_next",
        "evcb_active_next.tqe_prev", "evcb_flags", "evcb_pri", "evcb_closure",
        "evcb_cb_union", "evcb_cb_union.evcb_callback", "evcb_cb_union.evcb_selfcb",
        "evcb_cb_union.evcb_evfinalize", "evcb_cb_union.evcb_cbfinalize", "evcb_arg"]),
    ("struct event", ["ev_evcallback", "ev_evcallback.evcb_active_next",
        "ev_evcallback.evcb_flags", "ev_evcallback.evcb_pri",
        "ev_evcallback.evcb_closure", "ev_evcallback.evcb_cb_union",
        "ev_evcallback.evcb_arg", "ev_timeout_pos",
        "ev_timeout_pos.ev_next_with_common_timeout",
        "ev_timeout_pos.ev_next_with_common_timeout.tqe_next",
        "ev_timeout_pos.ev_next_with_common_timeout.tqe_prev",
        "ev_timeout_pos.min_heap_idx", "ev_fd", "ev_base", "ev_",
        "ev_.ev_io", "ev_.ev_io.ev_io_next", "ev_.ev_io.ev_io_next.le_next",
        "ev_.ev_io.ev_io_next.le_prev", "ev_.ev_io.ev_timeout",
        "ev_.ev_signal", "ev_.ev_signal.ev_signal_next",
        "ev_.ev_signal.ev_ncalls", "ev_.ev_signal.ev_pncalls",
        "ev_events", "ev_res", "ev_timeout", "ev_timeout.tv_sec",
        "ev_timeout.tv_usec"]),
    ("struct event_list", ["tqh_first", "tqh_last"]),
    ("struct event_dlist", ["lh_first"]),
    ("struct evkeyval", ["next", "next.tqe_next", "next.tqe_prev", "key", "value"]),
    ("struct evkeyvalq", ["tqh_first", "tqh_last"]),
    ("struct evbuffer_ptr", ["pos", "internal_", "internal_.chain",
        "internal_.pos_in_chain"]),
    ("struct evbuffer_iovec", ["iov_base", "iov_len"]),
    ("struct evbuffer_cb_info", ["orig_size", "n_added", "n_deleted"]),
    ("struct event_watermark", ["low", "high"]),
    ("struct bufferevent", ["ev_base", "be_ops", "ev_read", "ev_read.ev_fd",
        "ev_write", "ev_write.ev_fd", "input", "output", "wm_read",
        "wm_read.low", "wm_read.high", "wm_write", "wm_write.low",
        "wm_write.high", "readcb", "writecb", "errorcb", "cbarg",
        "timeout_read", "timeout_write", "enabled"]),
    ("struct evutil_addrinfo", ["ai_flags", "ai_family", "ai_socktype",
        "ai_protocol", "ai_addrlen", "ai_addr", "ai_canonname", "ai_next"]),
    ("struct evthread_lock_callbacks", ["lock_api_version",
        "supported_locktypes", "alloc", "free", "lock", "unlock"]),
    ("struct evthread_condition_callbacks", ["condition_api_version",
        "alloc_condition", "free_condition", "signal_condition",
        "wait_condition"]),
    ("struct evdns_server_request", ["flags", "nquestions", "questions"]),
    ("struct evdns_server_question", ["type", "dns_question_class", "name"]),
    ("struct evhttp_request", ["next", "evcon", "flags", "input_headers",
        "output_headers", "remote_host", "remote_port", "host_cache", "kind",
        "type", "headers_size", "body_size", "uri", "uri_elems", "major",
        "minor", "response_code", "response_code_line", "input_buffer",
        "ntoread", "output_buffer", "cb", "cb_arg", "chunk_cb", "header_cb",
        "error_cb", "on_complete_cb", "on_complete_cb_arg"]),
    ("struct evrpc_status", ["error", "http_req"]),
    ("struct evrpc", ["next", "uri", "request_new", "request_new_arg",
        "request_free", "request_unmarshal", "reply_new", "reply_new_arg",
        "reply_free", "reply_complete", "reply_marshal", "cb", "cb_arg",
        "base"]),
]


def header_text():
    lines = ["#include <%s>" % h for h in INCLUDES]
    lines += ["#include <%s>" % h for h in SYS_AFTER]
    return "\n".join(lines) + "\n"


def gcc(args, src):
    with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as f:
        f.write(src)
        name = f.name
    try:
        return subprocess.run(["gcc"] + args + [name], capture_output=True,
                              text=True)
    finally:
        os.unlink(name)


def macro_names_in_ref_headers():
    names = set()
    files = [os.path.join(REF, h) for h in INCLUDES]
    for path in files:
        with open(path, errors="replace") as f:
            for m in re.finditer(r"^\s*#\s*define\s+(\w+)", f.read(), re.M):
                names.add(m.group(1))
    return names


def macros():
    out = gcc(["-E", "-dM", "-I" + REF], header_text()).stdout
    own = macro_names_in_ref_headers()
    obj, fn = {}, {}
    for line in out.splitlines():
        m = re.match(r"#define (\w+)(\(([^)]*)\))? ?(.*)$", line)
        if not m or m.group(1) not in own:
            continue
        name, params, body = m.group(1), m.group(3), m.group(4)
        if params is None:
            obj[name] = body
        else:
            fn[name] = [p.strip() for p in params.split(",")] if params.strip() else []
    return obj, fn


def enumerators():
    names = []
    for h in INCLUDES:
        src = gcc(["-E", "-P", "-fpreprocessed", "-dD"], open(os.path.join(REF, h), errors="replace").read()).stdout
        for body in re.findall(r"\benum\s+\w+\s*\{([^}]*)\}", src):
            for item in body.split(","):
                item = item.strip()
                if item:
                    names.append(re.match(r"\w+", item).group(0))
    seen, res = set(), []
    for n in names:
        if n not in seen:
            seen.add(n)
            res.append(n)
    return res


def integer_macros(cands):
    """Names among cands that are integer constant expressions."""
    good = list(cands)
    while True:
        src = header_text() + "".join(
            "enum { probe_chk_%d = (%s) * 0 + 1 };\n" % (i, n)
            for i, n in enumerate(good))
        r = gcc(["-c", "-o", "/dev/null", "-w", "-I" + REF], src)
        if r.returncode == 0:
            return good
        bad = set()
        for m in re.finditer(r"probe_chk_(\d+)", r.stderr):
            bad.add(good[int(m.group(1))])
        for m in re.finditer(r":(\d+):\d+: error", r.stderr):
            ln = int(m.group(1)) - header_text().count("\n") - 1
            if 0 <= ln < len(good):
                bad.add(good[ln])
        if not bad:
            sys.exit("cannot classify macros:\n" + r.stderr)
        good = [n for n in good if n not in bad]


def string_macros(cands):
    """Names among cands that expand to a string literal."""
    res = []
    for n in cands:
        src = header_text() + 'static const char probe_s[] = %s;\n' % n
        if gcc(["-c", "-o", "/dev/null", "-w", "-I" + REF], src).returncode == 0:
            res.append(n)
    return res


def main():
    obj, fn = macros()
    skip_guard = re.compile(r"^EVENT[12]_\w+_INCLUDED_$")
    names = sorted(n for n in obj if not skip_guard.match(n))
    empty = [n for n in names if obj[n].strip() == ""]
    strings = [n for n in names if obj[n].lstrip().startswith('"')]
    rest = [n for n in names if n not in empty and n not in strings
            and n not in TYPE_MACROS]
    ints = integer_macros(rest)
    others = [n for n in rest if n not in ints]
    strings += string_macros(others)
    others = [n for n in others if n not in strings]
    enums = enumerators()

    w = sys.stdout.write
    w("""/*
 * layout_probe.c -- header parity probe (generated by gen_layout_probe.py).
 *
 * Prints, for the public libevent 2.1.12 headers: the size and offset of every
 * public struct field, the value and C type of every constant macro and
 * enumerator, the expansion (whitespace removed) of every other macro, and
 * the results of the pure timeval macros.  Built against the installed
 * headers and against ours, the two outputs must be identical.  It calls no
 * library function, so it also runs without linking libevent.
 */
""")
    w(header_text())
    w("""
#define STR_(...) #__VA_ARGS__
#define XSTR(...) STR_(__VA_ARGS__)

/* Print a string with all white space removed. */
static void show_tokens(const char *name, const char *text)
{
	printf("expand %s = ", name);
	for (; *text; text++)
		if (*text != ' ' && *text != '\\t' && *text != '\\n')
			putchar(*text);
	putchar('\\n');
}

#define TYPENAME(x) _Generic((x), \\
	_Bool: "_Bool", char: "char", signed char: "signed char", \\
	unsigned char: "unsigned char", short: "short", \\
	unsigned short: "unsigned short", int: "int", unsigned: "unsigned", \\
	long: "long", unsigned long: "unsigned long", long long: "long long", \\
	unsigned long long: "unsigned long long", default: "other")

#define IS_SIGNED_EXPR(x) (((x) - (x) - 1) < 0)
#define SHOW_INT(x) do { \\
	if (IS_SIGNED_EXPR(x)) \\
		printf("int %s = %lld (%s)\\n", #x, (long long)(x), TYPENAME(x)); \\
	else \\
		printf("int %s = %llu (%s)\\n", #x, (unsigned long long)(x), TYPENAME(x)); \\
	} while (0)
#define SHOW_TYPE(t) printf("type %s: size %zu, %s, %s\\n", #t, sizeof(t), \\
	((t)-1 < (t)0) ? "signed" : "unsigned", TYPENAME((t)0))
#define SHOW_STR(x) printf("string %s = \\"%s\\"\\n", #x, x)
#define SHOW_SIZE(s) printf("sizeof(%s) = %zu\\n", #s, sizeof(s))
#define SHOW_FIELD(s, f) printf("  %s.%s: offset %zu size %zu\\n", #s, #f, \\
	offsetof(s, f), sizeof(((s *)0)->f))

static void timeval_macros(void)
{
	struct timeval a, b, c;
	static const long pairs[][4] = {
		{1, 500000, 2, 600000}, {5, 0, 3, 999999}, {7, 250000, 7, 250000},
		{0, 999999, 0, 1}, {-1, 500000, 2, 0},
	};
	size_t i;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		a.tv_sec = pairs[i][0]; a.tv_usec = pairs[i][1];
		b.tv_sec = pairs[i][2]; b.tv_usec = pairs[i][3];
		evutil_timeradd(&a, &b, &c);
		printf("timeradd %ld.%06ld + %ld.%06ld = %ld.%06ld\\n",
		    (long)a.tv_sec, (long)a.tv_usec, (long)b.tv_sec,
		    (long)b.tv_usec, (long)c.tv_sec, (long)c.tv_usec);
		evutil_timersub(&a, &b, &c);
		printf("timersub %ld.%06ld - %ld.%06ld = %ld.%06ld\\n",
		    (long)a.tv_sec, (long)a.tv_usec, (long)b.tv_sec,
		    (long)b.tv_usec, (long)c.tv_sec, (long)c.tv_usec);
		printf("timercmp < %d <= %d > %d >= %d == %d != %d\\n",
		    evutil_timercmp(&a, &b, <), evutil_timercmp(&a, &b, <=),
		    evutil_timercmp(&a, &b, >), evutil_timercmp(&a, &b, >=),
		    evutil_timercmp(&a, &b, ==), evutil_timercmp(&a, &b, !=));
		printf("timerisset %d %d\\n", evutil_timerisset(&a) ? 1 : 0,
		    evutil_timerisset(&c) ? 1 : 0);
		evutil_timerclear(&a);
		printf("timerclear -> %ld.%06ld isset %d\\n", (long)a.tv_sec,
		    (long)a.tv_usec, evutil_timerisset(&a) ? 1 : 0);
	}
}

static void socket_error_macros(void)
{
	int e;
	EVUTIL_SET_SOCKET_ERROR(EAGAIN);
	e = EVUTIL_SOCKET_ERROR();
	printf("EVUTIL_SOCKET_ERROR after set EAGAIN: %d (%s)\\n", e, TYPENAME(EVUTIL_SOCKET_ERROR()));
	EVUTIL_SET_SOCKET_ERROR(ECONNREFUSED);
	printf("evutil_socket_geterror: %d\\n", (int)evutil_socket_geterror(0));
	printf("evutil_socket_error_to_string(EINVAL): %s\\n",
	    evutil_socket_error_to_string(EINVAL));
	{
		evutil_socket_t s = EVUTIL_INVALID_SOCKET;
		printf("EVUTIL_INVALID_SOCKET as evutil_socket_t: %d\\n", (int)s);
	}
}

static void zeroed_event(void)
{
	struct event ev;
	struct bufferevent bev;
	memset(&ev, 0, sizeof(ev));
	memset(&bev, 0, sizeof(bev));
	/* EVENT_FD/EVENT_SIGNAL call the library, so only their expansion is
	 * compared; the fields they read are shown directly. */
	printf("zeroed event: ev_fd %d flags %d events %d res %d pri %d\\n",
	    (int)ev.ev_fd, (int)ev.ev_evcallback.evcb_flags, (int)ev.ev_events,
	    (int)ev.ev_res, (int)ev.ev_evcallback.evcb_pri);
	printf("zeroed bufferevent: enabled %d\\n", (int)bev.enabled);
	printf("evutil_offsetof(struct event, ev_fd) = %ld\\n",
	    (long)evutil_offsetof(struct event, ev_fd));
	printf("evutil_offsetof(struct bufferevent, enabled) = %ld\\n",
	    (long)evutil_offsetof(struct bufferevent, enabled));
}

""")
    w("static void structs(void)\n{\n")
    for s, fields in STRUCTS:
        w("\tSHOW_SIZE(%s);\n" % s)
        for f in fields:
            w("\tSHOW_FIELD(%s, %s);\n" % (s, f))
    w("\tSHOW_SIZE(struct evhttp_request *);\n")
    w("}\n\n")

    w("static void types(void)\n{\n")
    for t in TYPE_MACROS:
        w("\tSHOW_TYPE(%s);\n" % t)
    w("\tSHOW_SIZE(event_callback_fn);\n")
    w("}\n\n")

    w("static void constants(void)\n{\n")
    for n in ints:
        w("\tSHOW_INT(%s);\n" % n)
    w("}\n\n")

    w("static void enum_constants(void)\n{\n")
    for n in enums:
        w("\tSHOW_INT(%s);\n" % n)
    w("}\n\n")

    w("static void string_constants(void)\n{\n")
    for n in strings:
        w("\tSHOW_STR(%s);\n" % n)
    w("}\n\n")

    w("static void defined_macros(void)\n{\n")
    for n in empty:
        w("#ifdef %s\n\tshow_tokens(\"%s\", XSTR(%s));\n#else\n"
          "\tprintf(\"missing %s\\n\");\n#endif\n" % (n, n, n, n))
    for n in sorted(set(others) | set(TYPE_MACROS)):
        w("\tshow_tokens(\"%s\", XSTR(%s));\n" % (n, n))
    w("}\n\n")

    w("static void function_macros(void)\n{\n")
    for n in sorted(fn):
        params = fn[n]
        args = []
        for i, p in enumerate(params):
            if p == "cmp":
                args.append("<")
            elif p.endswith("...") or p == "...":
                args.append("a%d, a%d" % (i + 1, i + 2))
            else:
                args.append("a%d" % (i + 1))
        call = "%s(%s)" % (n, ", ".join(args))
        w("\tshow_tokens(\"%s\", XSTR(%s));\n" % (call.replace('"', '\\"'), call))
    w("}\n\n")

    w("""int main(void)
{
#ifdef _GNU_SOURCE
	printf("_GNU_SOURCE defined\\n");
#endif
	structs();
	types();
	constants();
	enum_constants();
	string_constants();
	defined_macros();
	function_macros();
	timeval_macros();
	socket_error_macros();
	zeroed_event();
	return 0;
}
""")


if __name__ == "__main__":
    main()
