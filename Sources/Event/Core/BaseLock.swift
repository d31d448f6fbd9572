import CEventSys

// The lock rules of an event_base and of what hangs off it. Everything that
// takes, releases or waits on these locks follows this page.
//
// Which lock guards what
// - The base lock (`EventBase.lock`: one recursive lock from the evthread
//   callbacks, made with the base when lock callbacks were set before it and
//   EVENT_BASE_FLAG_NOLOCK was not asked for) guards all of the base: the fd
//   and signal maps and their counters, the backend's interest sets, the
//   timer heap and common-timeout queues, the active and active-later queues,
//   once records, counters, the loop flags (running, gotTerm, gotBreak,
//   continueFlag), currentEvent and its waiters, notifyPending; and the queue
//   fields (evcb_flags, links, heap index, ev_res, ev_timeout) of every event
//   while it is added to or queued on the base.
// - A bufferevent's lock (BEV_OPT_THREADSAFE; BufferEvent.swift) guards the
//   bufferevent and is shared with its two evbuffers; an evbuffer's own lock
//   guards the buffer (EvBuffer+Locking.swift).
// - A listener's lock (LEV_OPT_THREADSAFE; Listener.swift) guards its
//   enabled flag and callbacks.
// - A rate-limit group's lock (RateGroup.swift: recursive, made with the
//   group when lock callbacks are set) guards the group: its buckets,
//   configuration, totals, suspended and pending flags, members array.
//   Which group a bufferevent is in is guarded by the bufferevent's lock.
//
// - Two process-wide internal mutexes (shim.c), taken only while lock
//   callbacks are set: the signal owner globals (Signals.withGlobals) and
//   debug mode's event table. Both are leaves: taken inside the base lock
//   (or none), nothing is taken inside them, no program code runs there.
//
// Lock order: listener -> bufferevent/evbuffer -> rate-limit group -> base
// -> leaf mutexes. The base lock is the
// innermost: while it is held no other library lock is taken and no program
// code runs. Code holding a bufferevent or evbuffer lock may take the base
// lock (adding its events, queueing deferred callbacks), never the reverse.
// This is libevent's real order (its bufferevent_enable holds the
// bufferevent lock around event_add), so programs that call into the base
// while holding bufferevent_lock keep working. Two evbuffer locks are taken
// in address order.
//
// A member charging the group or asking for its share holds its own lock
// and takes the group's. The group suspending or resuming its members
// (with its lock held, from a charge, a decrement or its refill timer)
// only tries each member's lock (EVTHREAD_TRY): a member it cannot lock
// suspends itself at its next read or write (it sees the group suspended)
// or is resumed by the next refill. Holding the group's lock, the base lock
// is taken (the refill timer; a member's events as it is suspended or
// resumed). Two group locks are never held at once: a bufferevent moving
// to another group leaves the old one first. bufferevent_rate_limit_group_free
// waits for a refill running in another thread (event_del_block) before it
// takes the group's lock.
//
// What runs unlocked. The loop holds the base lock except while it sleeps
// in the backend and while a callback runs. That covers program callbacks
// and the library's internal ones, which take what they need themselves: a
// bufferevent's handlers its lock, the common-timeout, signal-pipe, wake-up
// and once handlers the base lock.
//
// Waiting for a running callback. currentEvent is the callback the loop is
// running (set and cleared under the lock). event_del or event_free from
// another thread while that event runs takes the event off the base, then
// waits on currentEventCond until the callback returns (event_del_block
// always; event_del unless the event has EV_FINALIZE; event_del_noblock
// never), as libevent does. event_free takes the event off once more after
// the wait, in case the callback added it again, so once it returns the
// loop never touches the event. The loop's own thread never waits. Waiting releases one level of the
// recursive lock only, so the entry points that may wait take it once.
// Deletions made while holding a bufferevent lock are of EV_FINALIZE events
// and do not wait (the callback may be blocked on that lock); the listener
// deletes its event without waiting under its own lock (disable) and waits
// only without it (free).
//
// Program code under a lock: a bufferevent's callbacks run under its lock
// unless BEV_OPT_UNLOCK_CALLBACKS; a rate-limit group resuming a pair member
// may move data and run that pair's callbacks under the group lock, as
// libevent's does. Nothing runs program code under the base lock.
//
// Single-threaded programs: no lock, condition or wake-up channel exists;
// each entry point pays one nil test.
extension EventBase {
    /// Called once at creation, after the lock callbacks were set.
    func createLock() -> Bool {
        guard let l = BufferLock.alloc() else { return false }
        lock = l
        backend?.baseLock = l
        if let c = Threads.conditionCallbacks?.alloc_condition {
            currentEventCond = c(0)
        }
        return true
    }

    /// Called once when the base is destroyed, with the lock not held.
    func releaseLock() {
        if let c = currentEventCond { Threads.conditionCallbacks?.free_condition?(c) }
        currentEventCond = nil
        BufferLock.free(lock)
        lock = nil
        backend?.baseLock = nil
    }

    @inline(__always)
    func lockBase() {
        if let l = lock { BufferLock.lock(l) }
    }

    @inline(__always)
    func unlockBase() {
        if let l = lock { BufferLock.unlock(l) }
    }

    /// Run `body` holding the base lock (if the base has one).
    @inline(__always)
    func locked<R>(_ body: () -> R) -> R { BufferLock.with(lock, body) }

    /// The loop lets go of the base while a callback runs...
    @inline(__always)
    func releaseForCallback() { unlockBase() }

    /// ...and takes it back afterwards; whoever waited for that callback
    /// may go on.
    @inline(__always)
    func reacquireAfterCallback() {
        if let l = lock { BufferLock.lock(l) }
        callbackDone()
    }

    /// The loop is done with currentEvent (the lock held, if any).
    @inline(__always)
    func callbackDone() {
        currentEvent = nil
        if currentEventWaiters > 0 { wakeWaiters() }
    }

    @inline(never)
    private func wakeWaiters() {
        currentEventWaiters = 0
        if let c = currentEventCond { _ = Threads.conditionCallbacks?.signal_condition?(c, 1) }
    }

    /// event_del's rule for waiting: the event's callback runs right now in
    /// the loop's thread, and this is another thread.
    @inline(__always)
    func mustWait(for ev: EventPtr, _ mode: DelMode) -> Bool {
        guard let cur = currentEvent, cur == ev.callback, currentEventCond != nil else { return false }
        switch mode {
        case .noBlock, .evenIfFinalizing: return false
        case .autoBlock: if ev.events & EV.finalize != 0 { return false }
        case .block: break
        }
        return ownerThread != Threads.currentId()
    }

    /// event_del's wait, out of line: the hot path tests currentEvent only.
    @inline(never)
    func waitIfRunning(_ ev: EventPtr, _ mode: DelMode) {
        if mustWait(for: ev, mode) { waitForCallback(ev.callback) }
    }

    /// Wait (the base lock held once) until the loop is done with `cb`.
    @inline(never)
    func waitForCallback(_ cb: CallbackPtr) {
        guard let c = currentEventCond, let l = lock, let wait = Threads.conditionCallbacks?.wait_condition else {
            return
        }
        while currentEvent == cb {
            currentEventWaiters += 1
            _ = wait(c, l, nil)
        }
    }
}
