"""Illustrations for the demo, drawn with Pillow on the spot: each craft has its own motif
(a mug, a woven band, a ring, wood grain, a plate, a leather bag) and each product its own
colours and shape, so the demo shop looks like a shop and no two products share a picture."""

from __future__ import annotations

import colorsys
import io
import math
import random

from PIL import Image, ImageDraw

# Background hue (0..1) and motif hue per craft.
PALETTES = {
    "ceramics": (0.07, 0.58),
    "textiles": (0.95, 0.12),
    "jewellery": (0.62, 0.13),
    "woodwork": (0.09, 0.07),
    "food": (0.14, 0.02),
    "leather": (0.05, 0.04),
}


def _rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return int(r * 255), int(g * 255), int(b * 255)


def _background(draw: ImageDraw.ImageDraw, size: tuple[int, int], hue: float) -> None:
    width, height = size
    for y in range(0, height, 4):
        shade = y / height
        draw.rectangle([0, y, width, y + 4], fill=_rgb(hue, 0.25 + 0.2 * shade, 0.95 - 0.2 * shade))
    # A table top the object stands on.
    draw.rectangle([0, int(height * 0.78), width, height], fill=_rgb(hue + 0.03, 0.35, 0.62))


def _ceramics(draw, w, h, rng, hue) -> None:
    body = _rgb(hue, 0.55, 0.75)
    kind = rng.randrange(3)
    cx, base = w // 2, int(h * 0.8)
    if kind == 0:  # a mug
        top = int(h * (0.35 + rng.random() * 0.1))
        draw.rounded_rectangle([cx - w // 6, top, cx + w // 6, base], 24, fill=body)
        draw.ellipse([cx + w // 8, top + 40, cx + w // 4, base - 60], outline=body, width=22)
    elif kind == 1:  # a bowl
        draw.pieslice([cx - w // 3, int(h * 0.45), cx + w // 3, base + h // 6], 0, 180, fill=body)
        draw.ellipse(
            [cx - w // 3, int(h * 0.52), cx + w // 3, int(h * 0.62)], fill=_rgb(hue, 0.6, 0.5)
        )
    else:  # a vase
        draw.ellipse([cx - w // 5, int(h * 0.45), cx + w // 5, base], fill=body)
        draw.rectangle([cx - w // 14, int(h * 0.25), cx + w // 14, int(h * 0.5)], fill=body)
    for i in range(rng.randrange(3, 7)):  # glaze spots
        x, y = cx + rng.randint(-w // 8, w // 8), int(h * (0.5 + 0.05 * i))
        draw.ellipse([x - 9, y - 9, x + 9, y + 9], fill=_rgb(hue + 0.5, 0.4, 0.95))


def _textiles(draw, w, h, rng, hue) -> None:
    bands = rng.randint(5, 9)
    top, bottom = int(h * 0.12), int(h * 0.82)
    step = (bottom - top) // bands
    for band in range(bands):
        y = top + band * step
        colour = _rgb(hue + band * 0.13 + rng.random() * 0.05, 0.75, 0.85)
        draw.rectangle([w // 8, y, w - w // 8, y + step], fill=colour)
        teeth = rng.randint(5, 10)
        for t in range(teeth):  # diamonds of the weave
            x = w // 8 + (t + 0.5) * (w - w // 4) / teeth
            half = step // 2
            draw.polygon(
                [
                    (x, y + 4),
                    (x + half * 0.7, y + half),
                    (x, y + step - 4),
                    (x - half * 0.7, y + half),
                ],
                fill=_rgb(hue + band * 0.13 + 0.5, 0.5, 0.98),
            )


def _jewellery(draw, w, h, rng, hue) -> None:
    gold = _rgb(hue, 0.7, 0.9)
    rings = rng.randint(1, 3)
    for r in range(rings):
        cx = int(w * (0.3 + 0.4 * r / max(1, rings - 1))) if rings > 1 else w // 2
        cy = int(h * (0.5 + 0.08 * math.sin(r + rng.random())))
        radius = rng.randint(w // 10, w // 6)
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=gold, width=18)
        stone = _rgb(rng.random(), 0.7, 0.85)
        draw.ellipse([cx - 26, cy - radius - 40, cx + 26, cy - radius + 12], fill=stone)
    for b in range(rng.randint(8, 16)):  # beads on a chain
        x = int(w * (0.1 + 0.8 * b / 16))
        y = int(h * 0.2 + 30 * math.sin(b / 2 + rng.random()))
        draw.ellipse([x - 10, y - 10, x + 10, y + 10], fill=gold)


def _woodwork(draw, w, h, rng, hue) -> None:
    wood = _rgb(hue, 0.6, 0.6)
    left, top = w // 8, int(h * (0.25 + rng.random() * 0.15))
    draw.rounded_rectangle([left, top, w - left, int(h * 0.8)], 30, fill=wood)
    for line in range(rng.randint(6, 12)):  # grain
        y = top + 20 + line * 28
        points = [
            (x, y + 10 * math.sin(x / (40 + line * 3) + rng.random()))
            for x in range(left + 10, w - left - 10, 20)
        ]
        draw.line(points, fill=_rgb(hue, 0.7, 0.4), width=4)
    if rng.random() > 0.5:  # a spoon lying on the board
        draw.ellipse(
            [w // 2 - 50, top - 110, w // 2 + 50, top + 10], fill=_rgb(hue + 0.02, 0.5, 0.75)
        )
        draw.rectangle(
            [w // 2 + 30, top - 70, w - left, top - 40], fill=_rgb(hue + 0.02, 0.5, 0.75)
        )


def _food(draw, w, h, rng, hue) -> None:
    cx, cy = w // 2, int(h * 0.58)
    radius = int(w * 0.32)
    draw.ellipse(
        [cx - radius, cy - radius // 2, cx + radius, cy + radius // 2], fill=(250, 248, 240)
    )
    for _ in range(rng.randint(6, 14)):  # what is on the plate
        angle, dist = rng.random() * math.tau, rng.random() * radius * 0.6
        x, y = cx + int(dist * math.cos(angle)), cy + int(dist * math.sin(angle) / 2)
        size = rng.randint(18, 40)
        draw.ellipse(
            [x - size, y - size // 2, x + size, y + size // 2],
            fill=_rgb(hue + rng.random() * 0.3, 0.8, 0.85),
        )
    draw.rectangle(
        [int(w * 0.85), int(h * 0.3), int(w * 0.88), int(h * 0.78)], fill=(160, 160, 170)
    )


def _leather(draw, w, h, rng, hue) -> None:
    hide = _rgb(hue, 0.7, 0.45 + rng.random() * 0.2)
    top = int(h * (0.35 + rng.random() * 0.1))
    draw.rounded_rectangle([w // 6, top, w - w // 6, int(h * 0.8)], 40, fill=hide)
    if rng.random() > 0.4:  # a handle
        draw.arc([w // 3, top - 140, w - w // 3, top + 60], 180, 360, fill=hide, width=22)
    for x in range(w // 6 + 30, w - w // 6 - 20, 24):  # stitching
        draw.line([(x, top + 26), (x + 12, top + 26)], fill=(240, 220, 180), width=4)
    draw.rectangle([w // 2 - 30, top + 70, w // 2 + 30, top + 110], fill=(214, 180, 90))


MOTIFS = {
    "ceramics": _ceramics,
    "textiles": _textiles,
    "jewellery": _jewellery,
    "woodwork": _woodwork,
    "food": _food,
    "leather": _leather,
}


def illustration(craft: str, seed: int, size: tuple[int, int] = (800, 800)) -> bytes:
    """A JPEG picture of the craft's kind of object; `seed` picks shape and colours."""
    rng = random.Random(f"{craft}-{seed}")  # noqa: S311 (pictures, not secrets)
    background, motif = PALETTES[craft]
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    _background(draw, size, background + rng.uniform(-0.04, 0.04))
    MOTIFS[craft](draw, size[0], size[1], rng, motif + rng.uniform(-0.06, 0.06))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
