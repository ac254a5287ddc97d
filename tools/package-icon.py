#!/usr/bin/env python3
"""Writes the package icon, reproducibly, with the Python standard library only.

One geometry (a padlock whose body holds two parallel lanes, on a rounded blue square) is written twice:
as SVG (docs/images/icon.svg, for the documentation) and rasterized to a 128x128 PNG (src/icon.png, packed
into every package as PackageIcon) by 4x4 supersampling of the same shapes. The output is byte-identical
on every run.

Usage: python3 tools/package-icon.py
"""

import os
import struct
import zlib

SIZE = 128
SAMPLES = 4  # per axis: 16 samples per pixel for anti-aliasing
BLUE = (21, 101, 192)
WHITE = (255, 255, 255)

# Shapes in a 128x128 coordinate space, painted in order.
BACKGROUND = ("rounded_rect", 0, 0, 128, 128, 24, BLUE)
SHACKLE = ("ring_top", 64, 56, 27, 17, WHITE)            # centre x, centre y, outer radius, inner radius
SHACKLE_LEGS = [("rect", 37, 56, 47, 66, WHITE), ("rect", 81, 56, 91, 66, WHITE)]
BODY = ("rounded_rect", 28, 62, 100, 112, 10, WHITE)
LANES = [("rounded_rect", 40, 74, 88, 82, 4, BLUE), ("rounded_rect", 40, 92, 88, 100, 4, BLUE)]
SHAPES = [BACKGROUND, SHACKLE, *SHACKLE_LEGS, BODY, *LANES]


def inside(shape, x, y):
    kind = shape[0]
    if kind == "rect":
        _, x0, y0, x1, y1, _ = shape
        return x0 <= x < x1 and y0 <= y < y1
    if kind == "rounded_rect":
        _, x0, y0, x1, y1, r, _ = shape
        if not (x0 <= x < x1 and y0 <= y < y1):
            return False
        cx = min(max(x, x0 + r), x1 - r)
        cy = min(max(y, y0 + r), y1 - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    if kind == "ring_top":
        _, cx, cy, outer, inner, _ = shape
        d2 = (x - cx) ** 2 + (y - cy) ** 2
        return y <= cy and inner * inner <= d2 <= outer * outer
    raise ValueError(kind)


def color_of(shape):
    return shape[-1]


def pixel(px, py):
    total = [0, 0, 0, 0]
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = px + (sx + 0.5) / SAMPLES
            y = py + (sy + 0.5) / SAMPLES
            rgba = None
            for shape in SHAPES:
                if inside(shape, x, y):
                    rgba = color_of(shape) + (255,)
            if rgba is not None:
                for i in range(4):
                    total[i] += rgba[i]
    n = SAMPLES * SAMPLES
    alpha = total[3] / n
    if alpha == 0:
        return (0, 0, 0, 0)
    # colour averaged over the covered samples only (straight alpha)
    covered = total[3] / 255
    return tuple(round(total[i] / covered) for i in range(3)) + (round(alpha),)


def png(width, height, rows):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def svg():
    def fill(c):
        return "#%02x%02x%02x" % c

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{SIZE}' height='{SIZE}' viewBox='0 0 {SIZE} {SIZE}'>"]
    for shape in SHAPES:
        kind = shape[0]
        if kind == "rect":
            _, x0, y0, x1, y1, c = shape
            parts.append(f"<rect x='{x0}' y='{y0}' width='{x1 - x0}' height='{y1 - y0}' fill='{fill(c)}'/>")
        elif kind == "rounded_rect":
            _, x0, y0, x1, y1, r, c = shape
            parts.append(f"<rect x='{x0}' y='{y0}' width='{x1 - x0}' height='{y1 - y0}' rx='{r}' fill='{fill(c)}'/>")
        elif kind == "ring_top":
            _, cx, cy, outer, inner, c = shape
            parts.append(
                f"<path d='M {cx - outer} {cy} A {outer} {outer} 0 0 1 {cx + outer} {cy} L {cx + inner} {cy} "
                f"A {inner} {inner} 0 0 0 {cx - inner} {cy} Z' fill='{fill(c)}'/>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    png_path = os.path.join(root, "src", "icon.png")
    svg_path = os.path.join(root, "docs", "images", "icon.svg")
    os.makedirs(os.path.dirname(svg_path), exist_ok=True)
    with open(png_path, "wb") as f:
        f.write(png(SIZE, SIZE, rows))
    with open(svg_path, "w", encoding="utf-8", newline="\n") as f:
        f.write(svg())
    print(f"wrote {png_path} and {svg_path}")


if __name__ == "__main__":
    main()
