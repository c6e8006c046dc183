"""Checks that a PNG screenshot is not blank: decodes it with the standard library only
(zlib, the PNG filters) and requires ink (dark pixels) on a fair share of rows and a
spread of grey levels. Exit 1 with a message otherwise."""

import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height, ctype, depth = 8, b"", 0, 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if depth != 8 or ctype not in (2, 6):
        raise ValueError(f"unexpected PNG format: depth {depth}, colour type {ctype}")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f = raw[i]
        line = bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main(path):
    width, height, bpp, rows = decode(path)
    levels, inked_rows, dark, total = set(), 0, 0, 0
    for line in rows:
        ink = False
        for x in range(0, width * bpp, bpp * 2):
            grey = (line[x] * 299 + line[x + 1] * 587 + line[x + 2] * 114) // 1000
            levels.add(grey // 8)
            total += 1
            if grey < 128:
                dark += 1
                ink = True
        inked_rows += ink
    share = inked_rows / max(height, 1)
    print(
        f"{path}: {width}x{height}, {len(levels)} grey levels, "
        f"ink on {share:.0%} of rows, {dark / max(total, 1):.1%} dark pixels"
    )
    if len(levels) < 8 or share < 0.2 or dark / max(total, 1) < 0.005:
        print(f"{path}: the screenshot looks blank", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
