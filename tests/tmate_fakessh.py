# tests/tmate.sh's stand-in for a tmate server: prints its port, then for each
# connection (for up to 20 s idle) the peer address and the client's SSH banner.
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True)
s.settimeout(20)
while True:
    try: c, a = s.accept()
    except socket.timeout: break
    c.settimeout(5)
    c.sendall(b"SSH-2.0-OpenSSH_9.2 fake\r\n")
    try: d = c.recv(200)
    except Exception: d = b""
    print("connection from", a[0], "client banner:", d.split(b"\r\n")[0].decode(errors="replace"), flush=True)
    c.close()
