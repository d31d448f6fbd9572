# Writes a tiny valid JPEG (tests/ustreamer.sh gives it to ustreamer as its --blank image).
import struct, sys
# A 32x16 mid-grey baseline JPEG: one component, every block DC 0 and no AC
# (one-symbol Huffman tables: '0' for both), plus a comment segment.
w, h = 32, 16
def seg(m, body): return b"\xff" + bytes([m]) + struct.pack(">H", len(body) + 2) + body
out = b"\xff\xd8"
out += seg(0xFE, b"swift-libevent ustreamer blank")
out += seg(0xDB, b"\x00" + bytes([1] * 64))
out += seg(0xC0, b"\x08" + struct.pack(">HH", h, w) + b"\x01\x01\x11\x00")
counts = bytes([1] + [0] * 15)
out += seg(0xC4, b"\x00" + counts + b"\x00")   # DC table 0: symbol 0 (size 0)
out += seg(0xC4, b"\x10" + counts + b"\x00")   # AC table 0: symbol 0x00 (EOB)
out += seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
out += bytes((w // 8) * (h // 8) * 2 // 8)      # two '0' bits per block
out += b"\xff\xd9"
open(sys.argv[1], "wb").write(out)
