"""Text contrast of the stylesheet (issue 12): every tier badge and status colour at WCAG AA
(4.5:1 for normal text), computed from the colours in ``style.css``.

The contrast ratio is WCAG 2.x's: ``(L1 + 0.05) / (L2 + 0.05)`` of the relative luminances of
the lighter and the darker colour, each sRGB channel linearised. Its known answers are checked
first, among them the finding: white on the old "high" orange (#d9680b) is 3.5:1.
"""

from __future__ import annotations

import re

import pytest

from screening.store.tables import TIERS
from screening.web.security import STATIC

AA = 4.5
CSS = re.sub(r"/\*.*?\*/", "", (STATIC / "style.css").read_text(encoding="utf-8"), flags=re.S)
RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|var\(--[\w-]+\)|\bwhite\b")


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rgb`` or ``#rrggbb``."""
    hex_ = colour.lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(c * 2 for c in hex_)
    channels = [int(hex_[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def blend(colour: str, under: str, opacity: float) -> str:
    """``colour`` drawn at ``opacity`` over ``under`` (how ``opacity`` shows text)."""
    def rgb(c: str) -> list[int]:
        h = c.lstrip("#")
        h = "".join(x * 2 for x in h) if len(h) == 3 else h
        return [int(h[i:i + 2], 16) for i in (0, 2, 4)]

    mixed = [round(opacity * a + (1 - opacity) * b) for a, b in zip(rgb(colour), rgb(under),
                                                                    strict=True)]
    return "#" + "".join(f"{v:02x}" for v in mixed)


def rules() -> list[tuple[list[str], dict[str, str]]]:
    """Every rule of the stylesheet (inside @media too): selectors and declarations."""
    out = []
    for selectors, body in RULE.findall(CSS):
        declarations = {}
        for part in body.split(";"):
            name, _, value = part.partition(":")
            if value.strip():
                declarations[name.strip()] = value.strip()
        out.append(([s.strip() for s in selectors.split(",")], declarations))
    return out


VARIABLES = {name: value for selectors, decl in rules() if ":root" in selectors
             for name, value in decl.items() if name.startswith("--")}


def colour_of(value: str) -> str:
    """The colour a declaration's value names (``var(--x)`` resolved; the first colour of a
    ``background`` shorthand)."""
    found = COLOUR.search(value)
    assert found, f"no colour in {value!r}"
    token = found.group(0)
    if token == "white":
        return "#ffffff"
    if token.startswith("var("):
        return colour_of(VARIABLES[token[4:-1]])
    hex_ = token[1:].lower()
    return "#" + ("".join(c * 2 for c in hex_) if len(hex_) == 3 else hex_)


def style(*selectors: str) -> dict[str, str]:
    """The declarations of the rules naming any of ``selectors``, later ones winning (the
    cascade for rules of equal weight in file order)."""
    merged: dict[str, str] = {}
    for names, declarations in rules():
        if any(s in names for s in selectors):
            merged.update(declarations)
    return merged


def pair(*selectors: str, on: str | None = None) -> tuple[str, str]:
    """(text colour, background colour) of an element styled by ``selectors``; ``on`` gives
    the background when the element has none of its own."""
    declared = style(*selectors)
    background = declared.get("background") or declared.get("background-color") or on
    assert background, f"{selectors}: no background"
    return colour_of(declared["color"]), colour_of(background)


# --- the contrast function's known answers --------------------------------------------------

@pytest.mark.parametrize("foreground,background,expected", [
    ("#ffffff", "#000000", 21.0),
    ("#000", "#fff", 21.0),
    ("#777777", "#ffffff", 4.48),  # the grey everyone quotes: just below AA
    ("#ffffff", "#d9680b", 3.54),  # the old "high" badge: issue 12's 3.5:1
    ("#ffffff", "#f0ad4e", 1.95),  # Bootstrap 3's warning orange
    ("#1f5fa8", "#1f5fa8", 1.0),
], ids=["white-black", "short-hex", "grey-777", "old-high", "bootstrap-warning", "same"])
def test_contrast_known_answers(foreground, background, expected):
    assert contrast(foreground, background) == pytest.approx(expected, abs=0.005)
    assert contrast(background, foreground) == contrast(foreground, background)


def test_the_parser_reads_the_stylesheet():
    assert VARIABLES["--high"].startswith("#") and len(VARIABLES) >= 10
    assert pair(".tier", ".tier-urgent") == ("#ffffff", colour_of("var(--urgent)"))
    assert colour_of("4px solid var(--low)") == VARIABLES["--low"]


# --- the stylesheet --------------------------------------------------------------------------

@pytest.mark.parametrize("tier", TIERS)
def test_every_tier_badge_has_aa_contrast(tier):
    foreground, background = pair(".tier", f".tier-{tier}")
    assert contrast(foreground, background) >= AA, (tier, foreground, background)


WHITE, INK, BG = "#ffffff", VARIABLES["--ink"], VARIABLES["--bg"]
TEXTS = {
    # status colours: review status, the referral clock, the overdue figures, warnings
    "status none on a row": (pair("td.status[data-status=none]", on=WHITE)),
    "status none on an overdue row": (pair("td.status[data-status=none]",
                                           on=style("tr.overdue")["background"])),
    "overdue clock on an overdue row": (pair(".clock.overdue",
                                             on=style("tr.overdue")["background"])),
    "overdue clock in an alert box": (pair(".clock.overdue", on=style(".alert-box")["background"])),
    "overdue figure": pair(".figures li.overdue"),
    "status badge": (INK, colour_of(style(".status-badge")["background"])),
    "error message": pair(".error"),
    "notice": (INK, colour_of(style(".notice")["background"])),
    "alert box": (INK, colour_of(style(".alert-box")["background"])),
    "unverified reference": pair(".unverified", on=WHITE),
    "exploration mark": (INK, WHITE),
    # the frame and ordinary text
    "text on the page": (INK, BG),
    "muted note on a card": pair(".note", on=WHITE),
    "muted note on the page": pair(".note", on=BG),
    "footer": pair("footer.foot", on=BG),
    "counts label": pair("dl.counts dt", on=style("dl.counts div")["background"]),
    "table header": (INK, colour_of(style("th")["background"])),
    "link on a card": pair("a", on=WHITE),
    "link on the page": pair("a", on=BG),
    "link in a table header": pair("a", on=style("th")["background"]),
    "header text": pair("header.top"),
    "header button": pair("header.top button"),
    "button": pair("button"),
    "skip link": pair(".skip"),
    "language link (opacity)": (blend(WHITE, colour_of(style("header.top")["background"]),
                                      float(style(".lang a")["opacity"])),
                                colour_of(style("header.top")["background"])),
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_status_colours_and_text_have_aa_contrast(name):
    foreground, background = TEXTS[name]
    assert contrast(foreground, background) >= AA, (name, foreground, background)


def test_every_rule_with_a_text_colour_and_a_background_has_aa_contrast():
    """Any rule added later that sets both is checked too."""
    checked = 0
    for selectors, declarations in rules():
        background = declarations.get("background") or declarations.get("background-color")
        if "color" in declarations and background and COLOUR.search(background):
            fg, bg = colour_of(declarations["color"]), colour_of(background)
            assert contrast(fg, bg) >= AA, (selectors, fg, bg)
            checked += 1
    assert checked >= 5


def test_no_colour_changes_with_the_screen_size():
    """The phone layout changes sizes and places, never colours: so axe's colour check at
    the laptop size holds on a phone too (tests/browser/test_accessibility.py)."""
    media = re.findall(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", CSS)
    assert media, "the stylesheet has a phone layout"
    for block in media:
        # "transparent" only lets the parent's colour (already checked) show through
        assert not re.search(r"(^|[;{\s])(color|background(-color)?)\s*:(?!\s*transparent\s*;)",
                             block), block
