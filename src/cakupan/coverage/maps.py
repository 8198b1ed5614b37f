"""The choropleth: imported boundaries (pre-projected SVG paths, see services.boundaries) filled by rate.

Drawn server-side like the other charts; the viewBox is the bounding box of the shapes drawn, so a
province's regencies fill the same frame as Indonesia's provinces.
"""

from __future__ import annotations

from typing import Any

from cakupan.core import display
from cakupan.coverage.charts import legend, rate_colour
from cakupan.coverage.models import Boundary

MAP_WIDTH = 720
MARGIN = 4


def choropleth(rows: list[dict[str, Any]], *, link: str = "?region={code}") -> dict[str, Any] | None:
    """Shapes for the rows (code, name, rate) that have a boundary; None when none has one."""
    by_code = {r["code"]: r for r in rows}
    found = list(Boundary.objects.filter(region_id__in=list(by_code)).order_by("region_id"))
    if not found:
        return None
    min_x, min_y = min(b.min_x for b in found) - MARGIN, min(b.min_y for b in found) - MARGIN
    max_x, max_y = max(b.max_x for b in found) + MARGIN, max(b.max_y for b in found) + MARGIN
    span_x, span_y = max(1, max_x - min_x), max(1, max_y - min_y)
    shapes = []
    for boundary in found:
        row = by_code[boundary.region_id]
        rate = row.get("rate")
        shapes.append(
            {
                "code": boundary.region_id,
                "name": row["name"],
                "path": boundary.path,
                "fill": rate_colour(rate),
                "rate_text": display.percent(rate),
                "href": link.format(code=boundary.region_id),
            }
        )
    height = max(120, min(720, round(MAP_WIDTH * span_y / span_x)))
    return {
        "shapes": shapes,
        "view_box": f"{min_x} {min_y} {span_x} {span_y}",
        "width": MAP_WIDTH,
        "height": height,
        "legend": legend(),
        "without": sorted(set(by_code) - {b.region_id for b in found}),
    }
