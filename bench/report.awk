# report.awk -- turn bench/out/results.txt into the tables `make bench` prints.
# Input lines: "<key> <impl> <field>=<value> ..." or "<key> <impl> FAIL rc=N".
# impl is A (libevent), B (ours) or raw.  Plain POSIX awk (mawk is enough).

function field(name,    i, kv) {
    for (i = 3; i <= NF; i++)
        if (index($i, name "=") == 1)
            return substr($i, length(name) + 2)
    return ""
}

function median(list,    a, n, i, j, t) {
    n = split(list, a, " ")
    if (n == 0) return ""
    for (i = 2; i <= n; i++) {          # insertion sort, n is small
        t = a[i] + 0
        for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
        a[j + 1] = t
    }
    if (n % 2) return a[(n + 1) / 2] + 0
    return (a[n / 2] + a[n / 2 + 1]) / 2
}

function remember(key) {
    if (!(key in seen)) { seen[key] = 1; order[++nkeys] = key }
}

function add(store_key, v) {
    vals[store_key] = (store_key in vals) ? vals[store_key] " " v : v
}

# Cell for one implementation: median, or why there is none.
function cell(key, impl, metric, fmt,    m) {
    if (has(key, impl, metric)) {
        m = med(key, impl, metric)
        return sprintf(fmt, m) (((key SUBSEP impl) in badmethod) ? "!" : "")
    }
    if (impl == "B" && ENVIRON["OURS"] != 1) return "unavail"
    if ((key SUBSEP impl) in fails) return "FAIL"
    return "-"
}

function has(key, impl, metric) {
    return ((key SUBSEP impl SUBSEP metric) in vals) ? 1 : 0
}

function med(key, impl, metric) {
    return median(vals[key SUBSEP impl SUBSEP metric])
}

function ratio(key, i1, i2, metric,    a, b) {
    if (!has(key, i1, metric) || !has(key, i2, metric)) return "-"
    a = med(key, i1, metric)
    b = med(key, i2, metric)
    if (b == 0) return "-"
    return sprintf("%.2fx", a / b)
}

{
    key = $1; impl = $2
    remember(key)
    if ($3 == "FAIL") { fails[key SUBSEP impl] = $4; next }
    if ($3 == "SKIP") next
    split(key, k, "/")
    kind = k[1]
    if (kind == "dispatch" || kind == "alloc" || kind == "cg") {
        method = field("method")
        want = (impl == "raw") ? "raw-epoll" : k[2]
        if (method != want) badmethod[key SUBSEP impl] = method
        ev = field("events") + 0
        if (kind == "dispatch") {
            add(key SUBSEP impl SUBSEP "us", field("us_per_event"))
            add(key SUBSEP impl SUBSEP "evs", field("events_per_s"))
        } else if (kind == "alloc") {
            add(key SUBSEP impl SUBSEP "allocs", field("allocs_per_event"))
            add(key SUBSEP impl SUBSEP "nallocs", field("allocs"))
        } else {
            if (ev > 0) add(key SUBSEP impl SUBSEP "ir", field("ir") / ev)
        }
        if (field("timeouts") + 0 > 0 || field("short_reads") + 0 > 0) odd[key SUBSEP impl] = 1
    } else if (kind == "timers") {
        timers_n = field("n")
        add(key SUBSEP impl SUBSEP "add", field("add_ns"))
        add(key SUBSEP impl SUBSEP "del", field("del_ns"))
        add(key SUBSEP impl SUBSEP "fire", field("fire_ns"))
        if (field("fired") + 0 != int((field("n") + 1) / 2)) odd[key SUBSEP impl] = 1
    } else if (kind == "alloc-timers") {
        n = field("n") + 0
        add(key SUBSEP impl SUBSEP "add", field("allocs_add") / n)
        add(key SUBSEP impl SUBSEP "del", field("allocs_del") / (n - int(n / 2)))
        add(key SUBSEP impl SUBSEP "fire", field("allocs_fire") / (n - int(n / 2)))
    } else if (kind == "buf") {
        add(key SUBSEP impl SUBSEP "ns", field("ns_per_op"))
        add(key SUBSEP impl SUBSEP "mbs", field("mb_per_s"))
        if (field("max_read") != "" && field("max_read") != "default") maxread[key SUBSEP impl] = field("max_read")
    } else if (kind == "alloc-buf") {
        add(key SUBSEP impl SUBSEP "allocs", field("allocs_per_op"))
    } else if (kind == "cg-buf") {
        if (field("ops") + 0 > 0) add(key SUBSEP impl SUBSEP "ir", field("ir") / field("ops"))
    } else if (kind == "cg-timers") {
        n = field("n") + 0
        add(key SUBSEP impl SUBSEP "add", field("ir_add") / n)
        add(key SUBSEP impl SUBSEP "del", field("ir_del") / int(n / 2))
        if (field("fired") + 0 > 0) add(key SUBSEP impl SUBSEP "fire", field("ir_fire") / field("fired"))
    }
}

END {
    ours = (ENVIRON["OURS"] == 1)
    if (!ours) print "ours: unavailable (build/lib does not export the event API yet, or does not run); libevent and raw rows only\n"

    # ---- dispatch timing
    printf "dispatch: CPU us per dispatched event, median of %s run(s) (pipes, A=100 active; raw = epoll, no library, same N)\n", ENVIRON["REPS"]
    printf "%-7s %-8s %5s %9s %9s %8s %8s %8s %8s %9s %9s\n", "backend", "variant", "N", "libevent", "ours", "ours/lib", "raw", "lib/raw", "ours/raw", "lib kev/s", "ours kev/s"
    for (i = 1; i <= nkeys; i++) {
        key = order[i]
        split(key, k, "/")
        if (k[1] != "dispatch") continue
        rawkey = "dispatch/epoll/plain/" k[4]
        r = has(rawkey, "raw", "us") ? med(rawkey, "raw", "us") : 0
        libus = has(key, "A", "us") ? med(key, "A", "us") : 0
        ourus = has(key, "B", "us") ? med(key, "B", "us") : 0
        printf "%-7s %-8s %5s %9s %9s %8s %8s %8s %8s %9s %9s\n", k[2], k[3], k[4],
            (has(key, "A", "us") || ((key SUBSEP "A") in fails)) ? cell(key, "A", "us", "%.3f") : "n/a",
            cell(key, "B", "us", "%.3f"), ratio(key, "B", "A", "us"),
            (k[2] == "epoll" && k[3] == "plain") ? cell(key, "raw", "us", "%.3f") : "",
            (r > 0 && libus > 0) ? sprintf("%.2fx", libus / r) : "-",
            (r > 0 && ourus > 0) ? sprintf("%.2fx", ourus / r) : "-",
            (libus > 0 ? sprintf("%.0f", 1000 / libus) : "-"),
            (ourus > 0 ? sprintf("%.0f", 1000 / ourus) : "-")
    }
    print "  n/a = not run (libevent's select aborts on fds >= 1024); ! = backend in use was not the one asked for"

    # ---- timers
    hdr = 0
    for (i = 1; i <= nkeys; i++) {
        key = order[i]
        split(key, k, "/")
        if (k[1] != "timers") continue
        if (!hdr++) {
            printf "\ntimers: CPU ns per operation, median of %s run(s) (%s timers; del = every other one; fire = the rest)\n", ENVIRON["REPS"], timers_n
            printf "%-7s %-5s %9s %9s %8s\n", "mode", "phase", "libevent", "ours", "ours/lib"
        }
        split("add del fire", ph, " ")
        for (p = 1; p <= 3; p++)
            printf "%-7s %-5s %9s %9s %8s\n", k[2], ph[p], cell(key, "A", ph[p], "%.1f"), cell(key, "B", ph[p], "%.1f"), ratio(key, "B", "A", ph[p])
    }

    # ---- evbuffer
    hdr = 0
    for (i = 1; i <= nkeys; i++) {
        key = order[i]
        split(key, k, "/")
        if (k[1] != "buf") continue
        if (!hdr++) {
            printf "\nevbuffer: CPU ns per operation, median of %s run(s) (bench/buffer.c; speedup = libevent/ours, above 1 = ours faster)\n", ENVIRON["REPS"]
            printf "%-11s %10s %10s %8s %10s %10s\n", "workload", "libevent", "ours", "speedup", "lib MB/s", "ours MB/s"
        }
        printf "%-11s %10s %10s %8s %10s %10s%s\n", k[2], cell(key, "A", "ns", "%.1f"), cell(key, "B", "ns", "%.1f"),
            ratio(key, "A", "B", "ns"),
            (has(key, "A", "mbs") && med(key, "A", "mbs") > 0) ? sprintf("%.0f", med(key, "A", "mbs")) : "-",
            (has(key, "B", "mbs") && med(key, "B", "mbs") > 0) ? sprintf("%.0f", med(key, "B", "mbs")) : "-",
            ((key SUBSEP "B") in maxread) ? "  (ours: max_read " maxread[key SUBSEP "B"] ")" : ""
    }

    # ---- instructions
    if (ENVIRON["CG"] == 1) {
        print "\ncallgrind: user-space instructions per dispatched event (one run, measured phase only)"
        printf "%-7s %-8s %5s %9s %9s %8s %8s %8s %8s\n", "backend", "variant", "N", "libevent", "ours", "ours/lib", "raw", "lib/raw", "ours/raw"
        for (i = 1; i <= nkeys; i++) {
            key = order[i]
            split(key, k, "/")
            if (k[1] != "cg") continue
            rawkey = "cg/epoll/plain/" k[4]
            printf "%-7s %-8s %5s %9s %9s %8s %8s %8s %8s\n", k[2], k[3], k[4],
                cell(key, "A", "ir", "%.0f"), cell(key, "B", "ir", "%.0f"), ratio(key, "B", "A", "ir"),
                (k[2] == "epoll" && k[3] == "plain") ? cell(key, "raw", "ir", "%.0f") : "",
                (has(rawkey, "raw", "ir") && has(key, "A", "ir")) ? sprintf("%.2fx", med(key, "A", "ir") / med(rawkey, "raw", "ir")) : "-",
                (has(rawkey, "raw", "ir") && has(key, "B", "ir")) ? sprintf("%.2fx", med(key, "B", "ir") / med(rawkey, "raw", "ir")) : "-"
        }
        hdr = 0
        for (i = 1; i <= nkeys; i++) {
            key = order[i]
            split(key, k, "/")
            if (k[1] != "cg-buf") continue
            if (!hdr++) {
                print "\ncallgrind: user-space instructions per evbuffer operation (one run, measured loop only)"
                printf "%-11s %10s %10s %8s\n", "workload", "libevent", "ours", "lib/ours"
            }
            printf "%-11s %10s %10s %8s\n", k[2], cell(key, "A", "ir", "%.0f"), cell(key, "B", "ir", "%.0f"), ratio(key, "A", "B", "ir")
        }
        hdr = 0
        for (i = 1; i <= nkeys; i++) {
            key = order[i]
            split(key, k, "/")
            if (k[1] != "cg-timers") continue
            if (!hdr++) {
                print "\ncallgrind: instructions per timer operation (1e5 timers, one run)"
                printf "%-7s %-5s %9s %9s %8s\n", "mode", "phase", "libevent", "ours", "ours/lib"
            }
            split("add del fire", ph, " ")
            for (p = 1; p <= 3; p++)
                printf "%-7s %-5s %9s %9s %8s\n", k[2], ph[p], cell(key, "A", ph[p], "%.0f"), cell(key, "B", ph[p], "%.0f"), ratio(key, "B", "A", ph[p])
        }
    }

    # ---- allocations
    print "\nallocations per dispatched event in steady state (malloc_count.so; after warm-up)"
    printf "%-7s %-8s %5s %9s %9s %9s\n", "backend", "variant", "N", "libevent", "ours", "raw"
    for (i = 1; i <= nkeys; i++) {
        key = order[i]
        split(key, k, "/")
        if (k[1] != "alloc") continue
        printf "%-7s %-8s %5s %9s %9s %9s\n", k[2], k[3], k[4],
            cell(key, "A", "allocs", "%.4f"), cell(key, "B", "allocs", "%.4f"),
            (k[2] == "epoll" && k[3] == "plain") ? cell(key, "raw", "allocs", "%.4f") : ""
    }
    hdr = 0
    for (i = 1; i <= nkeys; i++) {
        key = order[i]
        split(key, k, "/")
        if (k[1] != "alloc-timers") continue
        if (!hdr++) {
            print "allocations per timer operation (1e5 timers)"
            printf "%-7s %-5s %9s %9s\n", "mode", "phase", "libevent", "ours"
        }
        split("add del fire", ph, " ")
        for (p = 1; p <= 3; p++)
            printf "%-7s %-5s %9s %9s\n", k[2], ph[p], cell(key, "A", ph[p], "%.4f"), cell(key, "B", ph[p], "%.4f")
    }

    hdr = 0
    for (i = 1; i <= nkeys; i++) {
        key = order[i]
        split(key, k, "/")
        if (k[1] != "alloc-buf") continue
        if (!hdr++) {
            print "allocations per evbuffer operation (after warm-up; readln returns a malloc'ed line by contract)"
            printf "%-11s %9s %9s\n", "workload", "libevent", "ours"
        }
        printf "%-11s %9s %9s\n", k[2], cell(key, "A", "allocs", "%.4f"), cell(key, "B", "allocs", "%.4f")
    }

    # ---- anomalies
    nodd = 0
    for (x in odd) nodd++
    for (x in badmethod) nodd++
    for (x in fails) nodd++
    if (nodd) {
        print "\nanomalies:"
        for (x in fails) { split(x, y, SUBSEP); print "  " y[1] " " (y[2] == "B" ? "ours" : y[2] == "A" ? "libevent" : y[2]) ": run failed (" fails[x] "), see bench/out/log.txt" }
        for (x in badmethod) { split(x, y, SUBSEP); print "  " y[1] " " (y[2] == "B" ? "ours" : y[2] == "A" ? "libevent" : y[2]) ": ran on backend '" badmethod[x] "'" }
        for (x in odd) { split(x, y, SUBSEP); print "  " y[1] " " (y[2] == "B" ? "ours" : y[2] == "A" ? "libevent" : y[2]) ": unexpected timeouts, short reads or fired count" }
    }
}
