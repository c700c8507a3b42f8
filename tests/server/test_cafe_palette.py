"""The café's table colours stay apart for colour-blind guests, and stay readable.

About one man in twelve sees red and green poorly. "Gehen Sie zu Tisch 4, lila" must
not look like table 1's blue to him, so the palette in ``static/cafe.css`` is checked
the way a designer would check it: each colour is passed through the Machado, Oliveira
and Fernandes (2009) simulation of protanopia, deuteranopia and tritanopia at full
severity, and the CIEDE2000 difference of every pair is measured. Colour is never the
only cue (number, colour name and a pattern go with it), but the colours themselves
must still help: tables 1–6 (most cafés) stay clearly apart (ΔE ≥ 10), all ten stay
apart at all (ΔE ≥ 5). Each colour also carries white text and sits as text on white,
so it needs a contrast of 4.5:1 (WCAG 1.4.3).
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest

from rooms.cafe.domain import COLOURS

CSS = Path(__file__).resolve().parents[2] / "static" / "cafe.css"

# Machado et al. 2009, severity 1.0, applied to linear RGB.
SIMULATIONS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}

Lab = tuple[float, float, float]


def palette() -> dict[str, str]:
    """The hex value of each table colour, read from the stylesheet the pages use."""
    found = dict(re.findall(r"\.table-colour-(\w+) \{ --tc: (#[0-9a-f]{6}); \}", CSS.read_text()))
    return {name: found[name] for name in COLOURS}


def linear(hex_colour: str) -> tuple[float, float, float]:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return channel(r), channel(g), channel(b)


def simulated_lab(hex_colour: str, vision: str) -> Lab:
    rgb = linear(hex_colour)
    r, g, b = (
        min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True))))
        for row in SIMULATIONS[vision]
    )
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def ciede2000(one: Lab, two: Lab) -> float:
    """The CIEDE2000 colour difference (Sharma, Wu and Dalal's formulation)."""
    l1, a1, b1 = one
    l2, a2, b2 = two
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    d_l, d_c = l2 - l1, c2p - c1p
    d_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * theta)) * r_c
    return math.sqrt(
        (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)
    )


def closest_pair(names: tuple[str, ...], vision: str) -> tuple[float, str, str]:
    colours = palette()
    labs = {name: simulated_lab(colours[name], vision) for name in names}
    return min((ciede2000(labs[a], labs[b]), a, b) for a, b in itertools.combinations(names, 2))


def test_the_difference_formula_matches_the_published_test_data() -> None:
    # Pairs 1 and 17 of Sharma, Wu and Dalal's table (2005).
    assert ciede2000((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)) == pytest.approx(
        2.0425, abs=1e-4
    )
    assert ciede2000((50.0, 2.5, 0.0), (73.0, 25.0, -18.0)) == pytest.approx(27.1492, abs=1e-4)


@pytest.mark.parametrize("vision", sorted(SIMULATIONS))
def test_the_first_six_tables_stay_clearly_apart(vision: str) -> None:
    difference, one, two = closest_pair(COLOURS[:6], vision)
    assert difference >= 10, f"{one} and {two} look alike with {vision}: ΔE {difference:.1f}"


@pytest.mark.parametrize("vision", sorted(SIMULATIONS))
def test_all_ten_colours_stay_apart(vision: str) -> None:
    difference, one, two = closest_pair(COLOURS, vision)
    assert difference >= 5, f"{one} and {two} look alike with {vision}: ΔE {difference:.1f}"


@pytest.mark.parametrize("name", COLOURS)
def test_each_colour_reads_with_white_text(name: str) -> None:
    r, g, b = linear(palette()[name])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    assert 1.05 / (luminance + 0.05) >= 4.5, name
