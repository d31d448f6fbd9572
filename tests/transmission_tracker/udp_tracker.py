# tests/transmission_tracker.sh's UDP tracker (BEP 15) on 127.0.0.1: prints
# its port, then one line per request (no ids, no times); answers connects,
# announces (one seeder, peer 127.0.0.1:6881) and scrapes (1 seeder, 7
# downloads, 0 leechers). Ends after 20 s idle.
import socket, struct, sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(20)
CONN_ID = 0x1122334455667788
while True:
    try:
        d, a = s.recvfrom(2048)
    except socket.timeout:
        break
    if len(d) < 16:
        continue
    cid, action, tid = struct.unpack(">QII", d[:16])
    if action == 0 and cid == 0x41727101980:
        print("connect", flush=True)
        s.sendto(struct.pack(">IIQ", 0, tid, CONN_ID), a)
    elif action == 1 and len(d) >= 98 and cid == CONN_ID:
        info_hash = d[16:36].hex()
        event, = struct.unpack(">I", d[80:84])
        print("announce", info_hash, "event", event, flush=True)
        s.sendto(struct.pack(">IIIII", 1, tid, 1800, 0, 1) + socket.inet_aton("127.0.0.1") + struct.pack(">H", 6881), a)
    elif action == 2 and cid == CONN_ID:
        hashes = [d[i:i + 20].hex() for i in range(16, len(d) - 19, 20)]
        print("scrape", *hashes, flush=True)
        s.sendto(struct.pack(">II", 2, tid) + struct.pack(">III", 1, 7, 0) * len(hashes), a)
    else:
        print("unexpected action", action, flush=True)
