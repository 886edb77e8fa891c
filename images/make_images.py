"""Render the "try your own image" pictures: a handwritten-looking 7 and 3.

Each digit is a few pen strokes stamped as overlapping discs whose radius varies
along the stroke (pen pressure), drawn 4x larger and downsampled for smooth
edges, then lightly blurred. Dark ink on white paper, like a photo of a note.
No randomness, so the PNGs are identical on every run.

    python images/make_images.py   ->  images/my_digit_7.png, images/my_digit_3.png  (200x200 RGB)

To feed one to an MNIST model: convert("L"), resize to 28x28, invert (255 - x), / 255.
"""
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SIZE, SS = 200, 4                 # output size, supersampling factor
INK, PAPER = (25, 25, 35), (255, 255, 255)
OUT = Path(__file__).resolve().parent


def arc(cx, cy, rx, ry, deg0, deg1, n=60):
    """Points on an ellipse from angle deg0 to deg1 (image coords, y down)."""
    ts = [math.radians(deg0 + (deg1 - deg0) * i / (n - 1)) for i in range(n)]
    return [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in ts]


def line(p, q, n=40):
    """n points from p to q."""
    return [(p[0] + (q[0] - p[0]) * i / (n - 1), p[1] + (q[1] - p[1]) * i / (n - 1))
            for i in range(n)]


def stroke(draw, pts, r0, r1):
    """Stamp discs along pts; radius goes r0 -> r1 with a bulge mid-stroke (pressure)."""
    dense = []
    for a, b in zip(pts, pts[1:]):                       # resample so discs overlap
        k = max(1, int(math.dist(a, b) * SS))
        dense += [(a[0] + (b[0] - a[0]) * i / k, a[1] + (b[1] - a[1]) * i / k) for i in range(k)]
    for i, (x, y) in enumerate(dense):
        s = i / max(1, len(dense) - 1)
        r = (r0 + (r1 - r0) * s) * (1 + 0.25 * math.sin(math.pi * s)) * SS
        draw.ellipse([x * SS - r, y * SS - r, x * SS + r, y * SS + r], fill=INK)


def render(strokes):
    """strokes: list of (points in 200x200 coords, r_start, r_end) -> 200x200 RGB image."""
    img = Image.new("RGB", (SIZE * SS, SIZE * SS), PAPER)
    draw = ImageDraw.Draw(img)
    for pts, r0, r1 in strokes:
        stroke(draw, pts, r0, r1)
    img = img.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    return img.filter(ImageFilter.GaussianBlur(1.2))


SEVEN = [
    (line((50, 72), (138, 66)), 7.0, 8.5),                          # top bar
    (line((138, 66), (110, 120)) + line((110, 120), (88, 180))[1:], 8.5, 6.0),  # stem
]
THREE = [
    (arc(90, 70, 36, 28, -155, 95), 6.5, 8.5),                      # upper bowl
    (arc(92, 128, 42, 34, -95, 150), 8.5, 6.5),                    # lower bowl
]


if __name__ == "__main__":
    for name, strokes in [("my_digit_7.png", SEVEN), ("my_digit_3.png", THREE)]:
        render(strokes).save(OUT / name)
        print("wrote", OUT / name)
