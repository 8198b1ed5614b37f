"""Server-side SVG charts: the shapes are computed here, the templates only draw them (no JS, no CDN).

The province tile grid is our own layout: one square per province, placed roughly west to east and north
to south, so every province is equally visible (a true choropleth needs imported boundaries).
"""

from __future__ import annotations

from typing import Any

from cakupan.core import display

# code: (column, row, label)
PROVINCE_TILES: dict[str, tuple[int, int, str]] = {
    "11": (0, 0, "ACE"), "12": (1, 0, "SMU"), "21": (3, 0, "KEP"), "61": (5, 0, "KBR"),
    "65": (7, 0, "KUT"), "71": (10, 0, "SLU"), "82": (11, 0, "MUT"),
    "13": (1, 1, "SMB"), "14": (2, 1, "RIA"), "19": (3, 1, "BBL"), "62": (6, 1, "KTG"),
    "64": (7, 1, "KTM"), "75": (9, 1, "GOR"), "72": (10, 1, "SLT"), "96": (12, 1, "PBD"),
    "92": (13, 1, "PBR"),
    "15": (2, 2, "JAM"), "16": (3, 2, "SMS"), "63": (7, 2, "KSL"), "76": (8, 2, "SLB"),
    "73": (9, 2, "SLS"), "74": (10, 2, "SRA"), "81": (11, 2, "MAL"), "94": (13, 2, "PTG"),
    "91": (14, 2, "PAP"),
    "17": (1, 3, "BEN"), "18": (2, 3, "LAM"), "36": (3, 3, "BTN"), "31": (4, 3, "JKT"),
    "32": (5, 3, "JBR"), "33": (6, 3, "JTG"), "35": (7, 3, "JTM"), "51": (8, 3, "BAL"),
    "52": (9, 3, "NTB"), "53": (10, 3, "NTT"), "95": (13, 3, "PPG"), "93": (14, 3, "PSL"),
    "34": (6, 4, "DIY"),
}  # fmt: skip
TILE = 44
GAP = 4
# Rate buckets (upper bound, colour), light to dark green; grey when the rate is unknown.
SCALE = [(0.2, "#e5f5e0"), (0.4, "#a1d99b"), (0.6, "#74c476"), (0.8, "#31a354"), (10.0, "#006d2c")]
NO_DATA = "#d9d9d9"


def rate_colour(rate: float | None) -> str:
    if rate is None:
        return NO_DATA
    return next(colour for bound, colour in SCALE if rate < bound)


def tile_map(rows: list[dict[str, Any]], *, link: str = "?region={code}") -> dict[str, Any]:
    """Tiles for the province rows (code, name, rate); provinces without a row are drawn grey."""
    by_code = {r["code"]: r for r in rows}
    tiles = []
    for code, (col, row, label) in sorted(PROVINCE_TILES.items()):
        data = by_code.get(code, {})
        rate = data.get("rate")
        tiles.append(
            {
                "code": code,
                "label": label,
                "name": data.get("name", code),
                "x": col * (TILE + GAP),
                "y": row * (TILE + GAP),
                "size": TILE,
                "fill": rate_colour(rate),
                # White text on the darkest green only: on the others it fails WCAG's 4.5:1
                # (white on #31a354: 3.2:1).
                "dark": rate is not None and rate >= 0.8,
                "rate_text": display.percent(rate, digits=0),
                "href": link.format(code=code),
            }
        )
    width = (max(c for c, _, _ in PROVINCE_TILES.values()) + 1) * (TILE + GAP)
    height = (max(r for _, r, _ in PROVINCE_TILES.values()) + 1) * (TILE + GAP)
    return {"tiles": tiles, "width": width, "height": height, "legend": legend()}


def legend() -> list[dict[str, str]]:
    out, low = [], 0.0
    for bound, colour in SCALE:
        if bound < 1.5:
            text = f"{display.count(round(low * 100))}–{display.percent(bound, digits=0)}"
        else:
            text = f"≥ {display.percent(low, digits=0)}"
        out.append({"fill": colour, "text": text})
        low = bound
    return out


def rate_bars(rows: list[dict[str, Any]], *, width: int = 560, bar_height: int = 20) -> dict[str, Any]:
    """Horizontal bars of coverage rate per row, 0-100 % (a rate above 100 % is drawn full)."""
    label_w, gap = 190, 6
    plot_w = width - label_w - 60
    bars = []
    for i, row in enumerate(rows):
        rate = row.get("rate")
        length = 0 if rate is None else round(min(rate, 1.0) * plot_w)
        bars.append(
            {
                "y": i * (bar_height + gap),
                "label": row["name"],
                "x": label_w,
                "w": length,
                "h": bar_height,
                "text_x": label_w + length + 4,
                "text": display.percent(rate),
                "fill": rate_colour(rate),
            }
        )
    height = max(1, len(rows)) * (bar_height + gap)
    return {"bars": bars, "width": width, "height": height, "label_w": label_w, "plot_w": plot_w}


def series_bars(series: dict[str, int], *, target: int | None = None, height: int = 180) -> dict[str, Any]:
    """Vertical bars of active participants per month, with the target as a line when given."""
    step, bar_w, top = 44, 30, 16
    peak = max([*series.values(), target or 0, 1])
    plot_h = height - top - 24
    bars = []
    for i, (period, value) in enumerate(sorted(series.items())):
        h = round(value / peak * plot_h)
        bars.append(
            {"x": 10 + i * step, "y": top + plot_h - h, "w": bar_w, "h": h, "period": period, "value": value}
        )
    target_y = None if target is None else top + plot_h - round(target / peak * plot_h)
    width = max(200, 20 + len(bars) * step)
    return {"bars": bars, "width": width, "height": height, "base_y": top + plot_h, "target_y": target_y}
