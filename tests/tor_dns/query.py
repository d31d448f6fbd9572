"""A minimal DNS client for tests/tor_dns.sh: query.py PORT NAME... prints
one line per name: the rcode and the A answers (or 'no reply'). A name
'SHORT' sends a 3-byte packet instead (no reply expected)."""
import socket, struct, sys
def q(name, qtype=1, port=45353):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
    qn = b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\0'
    s.sendto(struct.pack('>HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + qn + struct.pack('>HH', qtype, 1), ('127.0.0.1', port))
    try: r = s.recv(1500)
    except socket.timeout: return 'no reply'
    rcode = r[3] & 15; an = struct.unpack('>H', r[6:8])[0]
    j = 12 + len(qn) + 4; out = []
    for _ in range(an):
        while r[j] and r[j] < 0xc0: j += r[j] + 1
        j += 2 if r[j] >= 0xc0 else 1
        t, c, ttl, l = struct.unpack('>HHIH', r[j:j+10]); j += 10
        out.append((t, socket.inet_ntoa(r[j:j+4]) if t == 1 and l == 4 else r[j:j+l].hex())); j += l
    return 'rcode=%d answers=%s' % (rcode, out)
def short(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
    s.sendto(b'\x42\x42\x01', ('127.0.0.1', port))
    try: s.recv(1500); return 'reply'
    except socket.timeout: return 'no reply'
for n in sys.argv[2:]:
    print(n, short(int(sys.argv[1])) if n == 'SHORT' else q(n, port=int(sys.argv[1])))
