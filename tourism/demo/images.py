"""Pictures for the demo park, drawn with Pillow instead of downloaded.

Each picture is a :class:`Scene` (a plant, a colour palette and a view) drawn
with a random generator seeded from the scene's key, so the same scene gives the
same JPEG bytes on every run (with the same Pillow build). That lets the loader
recognise a picture it made before by its file hash as well as by its title.

Drawing happens at twice the output size and is scaled down at the end: Pillow's
``ImageDraw`` does not anti-alias, and downsampling is the cheap way to smooth
the edges of thousands of petals.
"""

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1000
SCALE = 2  # supersampling factor, see the module docstring
# Soft things (gradients, glows, blurred backgrounds) are drawn this many times smaller and
# scaled up: blurring a full-size canvas costs far more and looks the same.
SOFT = 8

RGB = tuple[int, int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class Palette:
    """The colours of one attraction: sky, hills (far to near), ground, its flowers, foliage."""

    sky: tuple[RGB, RGB]
    hills: tuple[RGB, ...]
    ground: RGB
    flowers: tuple[RGB, ...]
    centre: RGB
    foliage: RGB


@dataclass(frozen=True)
class Scene:
    """What to draw: a plant (``motif``), in which colours, seen from how far (``view``).

    ``view`` is "landscape" (a valley with the plant as a carpet or grove), "meadow"
    (standing among the plants) or "closeup" (a few flowers or one tree, background blurred).
    """

    key: str
    motif: str
    palette: Palette
    view: str


# --- small helpers ----------------------------------------------------------------------------


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour ``t`` of the way from ``a`` to ``b``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def shade(colour: RGB, amount: float) -> RGB:
    """Lighter for a positive ``amount`` (up to 1), darker for a negative one."""
    return mix(colour, (255, 255, 255), amount) if amount >= 0 else mix(colour, (0, 0, 0), -amount)


def jitter(colour: RGB, rng: random.Random, spread: float = 0.12) -> RGB:
    """The colour a little lighter or darker, so that a field of one flower is not flat."""
    return shade(colour, rng.uniform(-spread, spread))


def petal(
    cx: float,
    cy: float,
    angle: float,
    length: float,
    width: float,
    roundness: float = 1.0,
    start: float = 0.0,
    steps: int = 0,
) -> list[Point]:
    """An almond-shaped outline from the centre outward; ``roundness`` < 1 gives blunter tips."""
    # Small petals need few points to look smooth; thousands of them are drawn per picture.
    steps = steps or max(3, min(9, round(length / (4 * SCALE))))
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    left, right = [], []
    for i in range(steps + 1):
        t = i / steps
        along = start + (length - start) * t
        half = width / 2 * math.sin(math.pi * t) ** roundness
        left.append((cx + cos_a * along - sin_a * half, cy + sin_a * along + cos_a * half))
        right.append((cx + cos_a * along + sin_a * half, cy + sin_a * along - cos_a * half))
    return left + right[::-1]


def circle(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, fill) -> None:
    draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def leaf(
    draw: ImageDraw.ImageDraw, x: float, y: float, angle: float, length: float, colour: RGB
) -> None:
    """A pointed leaf with a lighter midrib."""
    draw.polygon(petal(x, y, angle, length, length * 0.38), fill=colour)
    end = (x + math.cos(angle) * length * 0.9, y + math.sin(angle) * length * 0.9)
    draw.line([(x, y), end], fill=shade(colour, 0.25), width=max(1, round(length / 30)))


def ridge(width: int, base: float, amplitude: float, rng: random.Random) -> list[Point]:
    """A smooth hill line across the picture: a few sine waves of random phase added together."""
    waves = [
        (rng.uniform(0.6, 1.4) * k, rng.uniform(0, math.tau), amplitude / k) for k in (1, 2, 4, 7)
    ]
    points = []
    for i in range(0, 101):
        x = width * i / 100
        y = base - sum(a * math.sin(f * math.tau * x / width + p) for f, p, a in waves)
        points.append((x, y))
    return points


def ridge_y(points: list[Point], x: float) -> float:
    """The height of a ridge line at ``x`` (the points are evenly spaced)."""
    step = points[1][0] - points[0][0]
    i = min(int(x / step), len(points) - 2)
    (x0, y0), (x1, y1) = points[i], points[i + 1]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


# --- flowers and plants: each draws one at (x, y) with size r ------------------------------


def draw_blossom(draw, x, y, r, rng, pal):
    """Cherry blossom: five round petals and a ring of stamens."""
    colour = jitter(rng.choice(pal.flowers), rng, 0.08)
    turn = rng.uniform(0, math.tau)
    for k in range(5):
        a = turn + k * math.tau / 5
        circle(draw, x + math.cos(a) * r * 0.52, y + math.sin(a) * r * 0.52, r * 0.5, colour)
    circle(draw, x, y, r * 0.3, shade(colour, -0.12))
    if r > 6:
        for k in range(8):
            a = turn + k * math.tau / 8
            circle(draw, x + math.cos(a) * r * 0.3, y + math.sin(a) * r * 0.3, r * 0.06, pal.centre)


def draw_daisy(draw, x, y, r, rng, pal):
    """Cosmos, zinnia and the other annuals of the flower sea: eight petals round a disc."""
    colour = jitter(rng.choice(pal.flowers), rng)
    turn = rng.uniform(0, math.tau)
    for k in range(8):
        draw.polygon(petal(x, y, turn + k * math.tau / 8, r, r * 0.5, 0.7), fill=colour)
    circle(draw, x, y, r * 0.24, pal.centre)


def draw_chrysanthemum(draw, x, y, r, rng, pal):
    """Chrysanthemum: rings of narrow petals, darker at the heart."""
    colour = rng.choice(pal.flowers)
    # Far away, one ring of petals looks the same and draws ten times faster.
    rings = ((26, 1.0), (20, 0.75), (14, 0.5)) if r > 12 * SCALE else ((12, 1.0),)
    for ring, (count, length) in enumerate(rings):
        tone = shade(colour, -0.06 * ring)
        turn = rng.uniform(0, math.tau)
        for k in range(count):
            a = turn + k * math.tau / count
            draw.polygon(petal(x, y, a, r * length, r * 0.16, 0.8), fill=jitter(tone, rng, 0.06))
    circle(draw, x, y, r * 0.16, shade(colour, -0.25))


def draw_rose(draw, x, y, r, rng, pal):
    """Rose: five outer petals, then a tight spiral of darker and lighter rings."""
    colour = jitter(rng.choice(pal.flowers), rng, 0.08)
    turn = rng.uniform(0, math.tau)
    for k in range(5):
        a = turn + k * math.tau / 5
        circle(
            draw,
            x + math.cos(a) * r * 0.45,
            y + math.sin(a) * r * 0.45,
            r * 0.55,
            shade(colour, -0.05),
        )
    for i in range(6):
        rr = r * (0.75 - i * 0.11)
        circle(draw, x + rr * 0.08, y - rr * 0.05, rr, shade(colour, 0.1 if i % 2 else -0.18))
        if r > 10:
            start = rng.uniform(0, 360)
            draw.arc(
                (x - rr, y - rr, x + rr, y + rr),
                start,
                start + 200,
                fill=shade(colour, -0.35),
                width=max(1, round(r / 25)),
            )


def draw_tulip(draw, x, y, r, rng, pal):
    """Tulip: a stem and leaf under a closed cup of three pointed petals."""
    colour = jitter(rng.choice(pal.flowers), rng, 0.08)
    stem = max(1, round(r * 0.12))
    draw.line([(x, y), (x + r * 0.1, y + r * 2.6)], fill=pal.foliage, width=stem)
    if r > 5:
        draw.polygon(
            petal(
                x + r * 0.1, y + r * 2.6, -math.pi / 2 - rng.uniform(0.15, 0.4), r * 1.9, r * 0.55
            ),
            fill=shade(pal.foliage, 0.1),
        )
    cup = [
        (x - r * 0.62, y - r * 0.35),
        (x - r * 0.55, y + r * 0.35),
        (x, y + r * 0.62),
        (x + r * 0.55, y + r * 0.35),
        (x + r * 0.62, y - r * 0.35),
    ]
    draw.polygon(cup, fill=shade(colour, -0.1))
    for dx, tone in ((-0.38, -0.05), (0.38, -0.05), (0.0, 0.1)):
        draw.polygon(
            petal(x + dx * r, y + r * 0.55, -math.pi / 2 + dx * 0.4, r * 1.45, r * 0.75, 0.8),
            fill=shade(colour, tone),
        )


def draw_rapeseed(draw, x, y, r, rng, pal):
    """Rape flowers: a green stalk topped by a loose head of small four-petalled yellow flowers."""
    draw.line([(x, y), (x, y + r * 3)], fill=pal.foliage, width=max(1, round(r * 0.15)))
    for _ in range(7):
        fx, fy = x + rng.gauss(0, r * 0.45), y + rng.gauss(0, r * 0.35)
        colour = jitter(rng.choice(pal.flowers), rng, 0.1)
        small = r * 0.3
        for k in range(4):
            a = k * math.tau / 4 + 0.4
            circle(
                draw,
                fx + math.cos(a) * small * 0.6,
                fy + math.sin(a) * small * 0.6,
                small * 0.55,
                colour,
            )


def draw_bougainvillea(draw, x, y, r, rng, pal):
    """Bougainvillea: clusters of three papery bracts among small dark leaves."""
    for _ in range(3):
        leaf(
            draw,
            x + rng.gauss(0, r * 0.5),
            y + rng.gauss(0, r * 0.5),
            rng.uniform(0, math.tau),
            r * 0.7,
            jitter(pal.foliage, rng),
        )
    for _ in range(3):
        cx, cy = x + rng.gauss(0, r * 0.45), y + rng.gauss(0, r * 0.4)
        colour = jitter(rng.choice(pal.flowers), rng, 0.1)
        turn = rng.uniform(0, math.tau)
        for k in range(3):
            draw.polygon(
                petal(cx, cy, turn + k * math.tau / 3, r * 0.55, r * 0.5, 0.55),
                fill=shade(colour, -0.04 * k),
            )
        circle(draw, cx, cy, r * 0.06, pal.centre)


def draw_lotus(draw, x, y, r, rng, pal):
    """Lotus: a flat pad on the water and a cup of pointed petals held above it."""
    pad = jitter(pal.foliage, rng, 0.1)
    draw.ellipse((x - r * 1.5, y + r * 0.6, x + r * 1.5, y + r * 1.3), fill=pad)
    draw.line(
        [(x, y + r * 0.9), (x, y + r * 0.2)], fill=shade(pad, -0.2), width=max(1, round(r * 0.08))
    )
    colour = jitter(rng.choice(pal.flowers), rng, 0.06)
    for k in range(7):  # back petals, darker
        a = -math.pi / 2 + (k - 3) * 0.42
        draw.polygon(petal(x, y + r * 0.3, a, r * 1.15, r * 0.55), fill=shade(colour, -0.12))
    circle(draw, x, y - r * 0.05, r * 0.3, pal.centre)
    for k in range(4):  # front petals, lighter at the base
        a = -math.pi / 2 + (k - 1.5) * 0.55
        draw.polygon(petal(x, y + r * 0.35, a, r * 0.95, r * 0.5), fill=shade(colour, 0.12))


def draw_wintersweet(draw, x, y, r, rng, pal):
    """Wintersweet: small waxy yellow cups with a dark purple heart, on bare twigs."""
    colour = jitter(rng.choice(pal.flowers), rng, 0.06)
    turn = rng.uniform(0, math.tau)
    for k in range(6):
        draw.polygon(petal(x, y, turn + k * math.tau / 6, r, r * 0.6, 0.6), fill=colour)
    circle(draw, x, y, r * 0.28, pal.centre)


def draw_osmanthus(draw, x, y, r, rng, pal):
    """Osmanthus: dense clusters of tiny four-lobed gold flowers in the leaf axils."""
    for _ in range(9):
        fx, fy = x + rng.gauss(0, r * 0.5), y + rng.gauss(0, r * 0.5)
        colour = jitter(rng.choice(pal.flowers), rng, 0.1)
        small = r * 0.22
        for k in range(4):
            a = k * math.tau / 4 + 0.8
            circle(
                draw,
                fx + math.cos(a) * small * 0.55,
                fy + math.sin(a) * small * 0.55,
                small * 0.5,
                colour,
            )


def draw_tree(draw, x, y, r, rng, pal):
    """A tree standing at (x, y) whose crown is about ``r`` wide: round, tiered or spreading."""
    form = rng.choice(("round", "tiered", "spreading"))
    trunk = shade(pal.centre, rng.uniform(-0.15, 0.1))
    height = r * rng.uniform(1.4, 2.0)
    draw.polygon(
        [
            (x - r * 0.08, y),
            (x - r * 0.04, y - height * 0.6),
            (x + r * 0.04, y - height * 0.6),
            (x + r * 0.08, y),
        ],
        fill=trunk,
    )
    green = rng.choice(pal.flowers)
    if form == "tiered":
        for i in range(5):
            w = r * (1.0 - i * 0.17)
            ty = y - height * (0.3 + i * 0.16)
            draw.polygon(
                [(x - w, ty + r * 0.12), (x, ty - r * 0.32), (x + w, ty + r * 0.12)],
                fill=shade(green, -0.1 + i * 0.05),
            )
        return
    spread = 1.3 if form == "spreading" else 0.85
    for _ in range(int(14 + r / 8)):
        cx = x + rng.gauss(0, r * 0.35 * spread)
        cy = y - height * 0.75 + rng.gauss(0, r * 0.28 / spread)
        tone = shade(green, rng.uniform(-0.22, 0.12) - (0.1 if cy > y - height * 0.7 else 0))
        circle(draw, cx, cy, r * rng.uniform(0.22, 0.38), tone)


def crown(
    draw,
    x: float,
    y: float,
    r: float,
    colours: tuple[RGB, ...],
    rng: random.Random,
    spread: float = 1.0,
) -> list[Point]:
    """A leafy crown of overlapping discs centred on (x, y); returns the discs' centres."""
    centres = []
    for _ in range(int(14 + r / 8)):
        cx, cy = x + rng.gauss(0, r * 0.33 * spread), y + rng.gauss(0, r * 0.26 / spread)
        circle(draw, cx, cy, r * rng.uniform(0.2, 0.36), jitter(rng.choice(colours), rng, 0.15))
        centres.append((cx, cy))
    return centres


def draw_osmanthus_tree(draw, x, y, r, rng, pal):
    """An osmanthus tree: a dense dark crown sprinkled with gold."""
    height = r * 1.5
    draw.rectangle((x - r * 0.06, y - height * 0.6, x + r * 0.06, y), fill=pal.centre)
    centres = crown(draw, x, y - height * 0.72, r, (pal.foliage,), rng)
    for _ in range(int(r * 1.2)):
        cx, cy = rng.choice(centres)
        circle(
            draw,
            cx + rng.gauss(0, r * 0.12),
            cy + rng.gauss(0, r * 0.12),
            max(1.2, r * 0.018),
            rng.choice(pal.flowers),
        )


def draw_blossom_tree(draw, x, y, r, rng, pal):
    """A cherry tree in flower: a dark trunk that forks under a cloud of pink."""
    height = r * 1.4
    bark = (86, 58, 52)
    draw.line([(x, y), (x, y - height * 0.5)], fill=bark, width=max(1, round(r * 0.12)))
    for side in (-1, 1):
        draw.line(
            [(x, y - height * 0.45), (x + side * r * 0.45, y - height * 0.8)],
            fill=bark,
            width=max(1, round(r * 0.07)),
        )
    centres = crown(draw, x, y - height * 0.78, r, pal.flowers, rng, spread=1.25)
    for _ in range(int(r * 0.8)):
        cx, cy = rng.choice(centres)
        circle(
            draw,
            cx + rng.gauss(0, r * 0.1),
            cy + rng.gauss(0, r * 0.1),
            max(1.0, r * 0.02),
            (255, 244, 246),
        )


def draw_wintersweet_shrub(draw, x, y, r, rng, pal):
    """A wintersweet bush in January: bare upright twigs studded with small yellow flowers."""
    bark = (92, 74, 60)
    for _ in range(9):
        angle = -math.pi / 2 + rng.uniform(-0.9, 0.9)
        length = r * rng.uniform(0.8, 1.3)
        end = (x + math.cos(angle) * length, y + math.sin(angle) * length)
        draw.line([(x, y), end], fill=bark, width=max(1, round(r * 0.025)))
        for k in range(2, 9):
            t = k / 9
            fx = x + (end[0] - x) * t + rng.gauss(0, r * 0.02)
            fy = y + (end[1] - y) * t + rng.gauss(0, r * 0.02)
            if r > 40:
                draw_wintersweet(draw, fx, fy, r * 0.05, rng, pal)
            else:
                circle(draw, fx, fy, max(1.0, r * 0.045), rng.choice(pal.flowers))


def draw_sapling(draw, x, y, r, rng, pal):
    """A young nursery tree: a slim cone on a short stem."""
    draw.line([(x, y), (x, y - r * 0.5)], fill=pal.centre, width=max(1, round(r * 0.08)))
    colour = jitter(rng.choice(pal.flowers), rng, 0.08)
    draw.polygon(
        [(x - r * 0.35, y - r * 0.35), (x, y - r * 1.6), (x + r * 0.35, y - r * 0.35)], fill=colour
    )
    draw.polygon(
        [(x, y - r * 0.35), (x, y - r * 1.6), (x + r * 0.35, y - r * 0.35)],
        fill=shade(colour, -0.15),
    )


Drawer = Callable[..., None]

DRAWERS: dict[str, Drawer] = {
    "blossom": draw_blossom,
    "daisy": draw_daisy,
    "chrysanthemum": draw_chrysanthemum,
    "rose": draw_rose,
    "tulip": draw_tulip,
    "rapeseed": draw_rapeseed,
    "bougainvillea": draw_bougainvillea,
    "lotus": draw_lotus,
    "wintersweet": draw_wintersweet,
    "osmanthus": draw_osmanthus,
    "tree": draw_tree,
    "sapling": draw_sapling,
}
# Seen from afar these flowers are trees or bushes, not a carpet of single blooms.
PLANT_DRAWERS: dict[str, Drawer] = {
    **DRAWERS,
    "blossom": draw_blossom_tree,
    "wintersweet": draw_wintersweet_shrub,
    "osmanthus": draw_osmanthus_tree,
}
TREE_MOTIFS = {"tree", "osmanthus", "blossom", "wintersweet"}
# Close up, these are seen as flowering boughs across the frame.
BRANCH_MOTIFS = {"blossom", "wintersweet", "osmanthus", "bougainvillea"}
# Fields planted in blocks of one colour: the flower sea's stripes, the tulip beds.
BANDED_MOTIFS = {"daisy", "tulip"}


# --- backgrounds ---------------------------------------------------------------------------


def sky(size: tuple[int, int], pal: Palette) -> Image.Image:
    """A vertical gradient from the top of the sky to the haze at the horizon."""
    return gradient(size, pal.sky[0], pal.sky[1])


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """A smooth vertical blend from ``top`` to ``bottom``."""
    # One smooth column, then copied across: stretching a column sideways needs no filtering.
    column = (1, size[1])
    mask = Image.linear_gradient("L").resize(column, Image.Resampling.BILINEAR)
    blend = Image.composite(Image.new("RGB", column, bottom), Image.new("RGB", column, top), mask)
    return blend.resize(size, Image.Resampling.NEAREST)


def sun_glow(img: Image.Image, rng: random.Random, horizon: float) -> None:
    """A soft warm glow low in the sky, as on a spring morning."""
    w, h = img.width // SOFT, img.height // SOFT
    glow = Image.new("L", (w, h), 0)
    x, y, r = rng.uniform(0.15, 0.85) * w, horizon / SOFT * rng.uniform(0.35, 0.8), w * 0.12
    ImageDraw.Draw(glow).ellipse((x - r, y - r, x + r, y + r), fill=150)
    glow = glow.filter(ImageFilter.GaussianBlur(r * 0.6))
    glow = glow.resize(img.size, Image.Resampling.BILINEAR)
    img.paste(Image.new("RGB", img.size, (255, 246, 220)), (0, 0), glow)


def hills(
    img: Image.Image, colours: tuple[RGB, ...], haze: RGB, horizon: float, rng: random.Random
) -> list[Point]:
    """Layers of hills, far to near, hazier the farther they are; returns the nearest ridge line."""
    w, h = img.size
    draw = ImageDraw.Draw(img)
    line: list[Point] = []
    for i, colour in enumerate(colours):
        depth = i / max(1, len(colours) - 1)  # 0 far, 1 near
        line = ridge(w, horizon + h * 0.06 * i, h * (0.07 - 0.015 * i), rng)
        draw.polygon([(0, h), *line, (w, h)], fill=mix(colour, haze, 0.45 * (1 - depth)))
    return line


def vignette(img: Image.Image) -> Image.Image:
    """Darken the corners a little, as a camera lens does."""
    mask = Image.radial_gradient("L").point(lambda v: max(0, v - 120) * 0.55)
    mask = mask.resize(img.size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", img.size, (20, 24, 20)), img, mask)


# --- the three views --------------------------------------------------------------------------


@dataclass(frozen=True)
class Planting:
    """How many plants a view holds, and their size (output pixels) at the horizon and up close."""

    count: int
    far: float
    near: float


LANDSCAPE_PLANTING = {
    "lotus": Planting(160, 4, 60),
    "tree": Planting(38, 12, 160),
    "osmanthus": Planting(45, 12, 150),
    "blossom": Planting(55, 10, 140),
    "wintersweet": Planting(80, 8, 120),
    "sapling": Planting(140, 6, 75),
}
MEADOW_PLANTING = {
    "lotus": Planting(60, 6, 160),
    "tree": Planting(26, 15, 370),
    "osmanthus": Planting(22, 17, 420),
    "blossom": Planting(24, 15, 380),
    "wintersweet": Planting(40, 10, 300),
    "sapling": Planting(90, 7, 175),
}
FLOWER_LANDSCAPE = Planting(5200, 1.5, 24)
FLOWER_MEADOW = Planting(1400, 2, 50)


def landscape(scene: Scene, rng: random.Random) -> Image.Image:
    """A valley view: sky, hills and the attraction as a carpet, a pond or a grove."""
    planting = LANDSCAPE_PLANTING.get(scene.motif, FLOWER_LANDSCAPE)
    return outdoor_view(scene, rng, rng.uniform(0.36, 0.44), scene.palette.hills, planting)


def meadow(scene: Scene, rng: random.Random) -> Image.Image:
    """Standing among the plants: a low horizon and plants large in the foreground."""
    planting = MEADOW_PLANTING.get(scene.motif, FLOWER_MEADOW)
    return outdoor_view(scene, rng, rng.uniform(0.22, 0.3), scene.palette.hills[:2], planting)


def outdoor_view(
    scene: Scene,
    rng: random.Random,
    horizon: float,
    hill_colours: tuple[RGB, ...],
    planting: Planting,
) -> Image.Image:
    """Sky, hills, then the plants from the horizon forward, so nearer ones overlap farther ones."""
    pal = scene.palette
    w, h = WIDTH * SCALE, HEIGHT * SCALE
    img = sky((w, h), pal)
    sun_glow(img, rng, h * horizon)
    near = hills(img, hill_colours, pal.sky[1], h * horizon, rng)
    top = min(y for _, y in near)
    if scene.motif == "lotus":
        water(img, pal, top + h * 0.02, rng)
    else:
        ImageDraw.Draw(img).polygon([(0, h), *near, (w, h)], fill=pal.ground)
    if scene.motif == "sapling":
        plants = rows(top, planting.count, rng, w, h)
    else:
        # Trees stand evenly; flowers crowd towards the horizon, as perspective packs them.
        crowding = 1.0 if scene.motif in TREE_MOTIFS else 1.6
        plants = [
            (rng.uniform(-40, w + 40), top + (h - top) * rng.random() ** crowding)
            for _ in range(planting.count)
        ]
    plants = sorted(
        (p for p in plants if p[1] > ridge_y(near, p[0]) + 4 * SCALE), key=lambda p: p[1]
    )
    draw = ImageDraw.Draw(img)
    drawer = PLANT_DRAWERS[scene.motif]
    bands = banding(scene, rng, w, top)
    for x, y in plants:
        depth = (y - top) / (h - top)  # 0 at the ridge, 1 at the bottom edge
        r = (planting.far + (planting.near - planting.far) * depth**1.6) * SCALE
        colours = bands(x, y) if bands else pal
        if r < 4 * SCALE and scene.motif not in TREE_MOTIFS | {"lotus", "tulip", "rapeseed"}:
            circle(draw, x, y, r, jitter(rng.choice(colours.flowers), rng))  # too far for petals
        else:
            drawer(draw, x, y, r, rng, colours)
    return img


def banding(scene: Scene, rng: random.Random, w: float, top: float):
    """For fields planted in blocks of one colour, a function giving the palette at a point."""
    if scene.motif not in BANDED_MOTIFS:
        return None
    singles = [replace(scene.palette, flowers=(colour,)) for colour in scene.palette.flowers]
    phase = rng.uniform(0, math.tau)
    vanish_x = w * rng.uniform(0.4, 0.6)
    if scene.motif == "tulip":
        # Beds run towards the viewer, so the colour changes across lines from a vanishing point.
        return lambda x, y: singles[
            int((x - vanish_x) / (y - top + 60 * SCALE) * 2.2 + 100) % len(singles)
        ]
    # The flower sea's stripes follow the lie of the land across the valley.
    return lambda x, y: singles[
        int((y - top) / (55 * SCALE) + 1.5 * math.sin(x / w * 5 + phase)) % len(singles)
    ]


def rows(top: float, count: int, rng: random.Random, w: float, h: float) -> list[Point]:
    """Points on straight planting rows that meet at a vanishing point on the horizon."""
    vanish = (w * rng.uniform(0.35, 0.65), top - h * 0.05)
    lines = 13
    points = []
    for i in range(count):
        lane = (i % lines) / (lines - 1)
        t = (((i // lines) + rng.random() * 0.3) / (count / lines)) ** 1.7
        end = (-w * 0.6 + lane * w * 2.2, h * 1.05)
        points.append((vanish[0] + (end[0] - vanish[0]) * t, vanish[1] + (end[1] - vanish[1]) * t))
    return points


def water(img: Image.Image, pal: Palette, top: float, rng: random.Random) -> None:
    """A still pond from ``top`` down: the sky's colours mirrored, with faint ripples."""
    w, h = img.size
    band = sky((w, round(h - top)), pal).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    band = Image.blend(band, Image.new("RGB", band.size, shade(pal.foliage, -0.35)), 0.35)
    draw = ImageDraw.Draw(band)
    for _ in range(140):
        x, y = rng.uniform(0, w), rng.uniform(0, band.height)
        draw.line(
            [(x, y), (x + rng.uniform(40, 220) * SCALE, y)],
            fill=shade(pal.sky[1], 0.15),
            width=SCALE,
        )
    img.paste(band, (0, round(top)))


def closeup(scene: Scene, rng: random.Random) -> Image.Image:
    """A few flowers, a bough or a group of trees, sharp in front of their setting."""
    if scene.motif in {"tree", "sapling"}:
        return tree_portrait(scene, rng)
    pal = scene.palette
    w, h = WIDTH * SCALE, HEIGHT * SCALE
    img = bokeh((w, h), pal, rng)
    draw = ImageDraw.Draw(img)
    drawer = DRAWERS[scene.motif]
    if scene.motif in BRANCH_MOTIFS:
        for _ in range(3):
            start = (rng.choice((-0.05, 1.05)) * w, rng.uniform(0.15, 0.9) * h)
            angle = math.atan2(h * 0.5 - start[1], w * 0.5 - start[0]) + rng.uniform(-0.4, 0.4)
            for x, y in branch(draw, start, angle, w * 0.4, 26 * SCALE, rng, 0):
                if scene.motif == "osmanthus":
                    r = rng.uniform(60, 90) * SCALE
                    leaf(draw, x, y, rng.uniform(0, math.tau), r * 1.4, jitter(pal.foliage, rng))
                    drawer(draw, x, y, r * 0.6, rng, pal)
                elif scene.motif == "bougainvillea":
                    drawer(draw, x, y, rng.uniform(60, 90) * SCALE, rng, pal)
                else:
                    drawer(draw, x, y, rng.uniform(26, 48) * SCALE, rng, pal)
        return img
    many = scene.motif in {"rapeseed", "tulip"}
    spots = [
        (rng.uniform(0.08, 0.92) * w, rng.uniform(0.15, 0.8) * h) for _ in range(14 if many else 7)
    ]
    for x, y in sorted(spots, key=lambda p: p[1]):
        r = rng.uniform(150, 260) * SCALE
        if many:
            drawer(draw, x, y, r * 0.5, rng, pal)
            continue
        if scene.motif != "lotus":
            for k in range(2):
                leaf(
                    draw,
                    x,
                    y,
                    rng.uniform(0, math.tau) + k * 2.5,
                    r * 1.3,
                    jitter(pal.foliage, rng),
                )
        drawer(draw, x, y, r, rng, pal)
    return img


def tree_portrait(scene: Scene, rng: random.Random) -> Image.Image:
    """One great tree in the middle ground with two smaller ones beside it."""
    pal = scene.palette
    w, h = WIDTH * SCALE, HEIGHT * SCALE
    img = sky((w, h), pal)
    sun_glow(img, rng, h * 0.6)
    near = hills(img, pal.hills, pal.sky[1], h * 0.62, rng)
    draw = ImageDraw.Draw(img)
    draw.polygon([(0, h), *near, (w, h)], fill=pal.ground)
    drawer = PLANT_DRAWERS[scene.motif]
    for x, y, r in ((0.18, 0.86, 160), (0.83, 0.84, 190), (rng.uniform(0.45, 0.55), 0.95, 330)):
        drawer(draw, x * w, y * h, r * SCALE, rng, pal)
    return img


def bokeh(size: tuple[int, int], pal: Palette, rng: random.Random) -> Image.Image:
    """An out-of-focus garden: big soft discs of foliage and flower colour."""
    small = (size[0] // SOFT, size[1] // SOFT)
    w, h = small
    img = gradient(small, mix(pal.sky[1], pal.foliage, 0.5), shade(pal.foliage, -0.3))
    draw = ImageDraw.Draw(img)
    for _ in range(70):
        colour = rng.choice((*pal.flowers, pal.foliage, shade(pal.foliage, 0.3), pal.sky[1]))
        circle(
            draw,
            rng.uniform(0, w),
            rng.uniform(0, h),
            rng.uniform(40, 200) * SCALE / SOFT,
            shade(colour, rng.uniform(-0.2, 0.25)),
        )
    img = img.filter(ImageFilter.GaussianBlur(28 * SCALE / SOFT))
    return img.resize(size, Image.Resampling.BICUBIC)


def branch(
    draw, start: Point, angle: float, length: float, width: float, rng: random.Random, level: int
) -> list[Point]:
    """A bough that forks twice; returns the points along it where flowers may sit."""
    x, y = start
    points = [(x, y)]
    for _ in range(6):
        angle += rng.uniform(-0.25, 0.25)
        x, y = x + math.cos(angle) * length / 6, y + math.sin(angle) * length / 6
        points.append((x, y))
    draw.line(points, fill=(70, 48, 40), width=max(2, round(width)), joint="curve")
    spots = points[2:] if level else points[3:]
    if level < 2:
        for p in points[2::2]:
            side = rng.choice((-1, 1))
            spots.extend(
                branch(
                    draw,
                    p,
                    angle + side * rng.uniform(0.5, 1.0),
                    length * 0.5,
                    width * 0.55,
                    rng,
                    level + 1,
                )
            )
    return spots


VIEWS = {"landscape": landscape, "meadow": meadow, "closeup": closeup}


def render(scene: Scene) -> bytes:
    """The scene as ``WIDTH`` × ``HEIGHT`` JPEG bytes; the same scene gives the same bytes."""
    # A string seed is hashed with SHA-512 by ``random``, so it does not depend on PYTHONHASHSEED.
    rng = random.Random(f"huagu-demo:{scene.key}")
    img = VIEWS[scene.view](scene, rng)
    img = img.reduce(SCALE)  # averages each SCALE × SCALE block: the anti-aliasing
    img = vignette(img)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=84, optimize=True, progressive=True)
    return out.getvalue()


def render_qr(url: str, size: int = 640) -> bytes:
    """A PNG QR code for ``url``, at least ``size`` pixels wide so it prints sharply on a sign."""
    import segno

    qr = segno.make(url, error="m")
    modules = qr.symbol_size(border=4)[0]
    out = io.BytesIO()
    qr.save(out, kind="png", scale=-(-size // modules), border=4, dark="#1f3b2d")
    return out.getvalue()
