"""Choropleth maps drawn with matplotlib straight from GeoJSON polygons (no GIS libraries).

The maps come with the context (imported once by the platform from a package or a file, never
from a CDN). Counts are put into five classes with round break points, the way Chinese
statistical maps are usually read ("50–200 件"), rather than a continuous colour ramp on which
one dominant province (浙江) would wash every other one out.

These are schematic maps (示意图): the shipped boundaries are not an approved base map
(审图号), so the caption says so and the report never presents them as boundary references.
"""

import math
from collections.abc import Iterable, Sequence

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import withStroke

from .charts import LEADER, TEXT_WIDTH_CM, Charts, Rendered, place_labels

EMPTY = "#eeeeee"
CLASS_COLOURS = ["#d6e6f4", "#a9cbe6", "#6aa5d4", "#2f6db5", "#173f7a"]
HALO = [withStroke(linewidth=2.2, foreground="white")]


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def feature_path(geometry: dict) -> MplPath | None:
    """One compound path per feature: exteriors counter-clockwise, holes clockwise.

    Agg fills with the non-zero winding rule, so orienting the rings ourselves makes holes
    (an enclave inside a province) come out as holes whatever order the file stores them in.
    """
    kind = geometry.get("type")
    polygons = geometry.get("coordinates") or []
    if kind == "Polygon":
        polygons = [polygons]
    elif kind != "MultiPolygon":
        return None
    vertices, codes = [], []
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            points = np.asarray(ring, dtype=float)[:, :2]
            if len(points) < 3:
                continue
            ccw = _ring_area(points) > 0
            if ccw != (index == 0):
                points = points[::-1]
            vertices.append(points)
            ring_codes = np.full(len(points), MplPath.LINETO, dtype=MplPath.code_type)
            ring_codes[0] = MplPath.MOVETO
            vertices.append(points[:1])
            codes.append(ring_codes)
            codes.append(np.array([MplPath.CLOSEPOLY], dtype=MplPath.code_type))
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def feature_anchor(feature: dict, path: MplPath) -> tuple[float, float]:
    """Where a feature's label goes: the file's own centre if it has one, else the bbox centre."""
    props = feature.get("properties") or {}
    for key in ("centroid", "cp", "center"):
        value = props.get(key)
        if isinstance(value, list | tuple) and len(value) >= 2:
            return float(value[0]), float(value[1])
    extent = path.get_extents()
    return (extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2


def nice_breaks(values: Iterable[float], classes: int = 5) -> list[float]:
    """Round upper bounds of `classes` classes of the non-zero values (quantiles, rounded to 1–2 digits)."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    breaks = []
    for q in range(1, classes + 1):
        value = positive[min(len(positive) - 1, math.ceil(q / classes * len(positive)) - 1)]
        magnitude = 10 ** max(0, int(math.log10(value)) - 1) if value >= 10 else 1
        rounded = math.ceil(value / magnitude) * magnitude
        if not breaks or rounded > breaks[-1]:
            breaks.append(rounded)
    breaks[-1] = max(breaks[-1], positive[-1])
    return breaks


def class_of(value: float, breaks: Sequence[float]) -> int | None:
    if value <= 0 or not breaks:
        return None
    for i, bound in enumerate(breaks):
        if value <= bound:
            return i
    return len(breaks) - 1


def _legend(breaks: Sequence[float], unit: str) -> list[Patch]:
    handles, low = [], 1
    colours = _colours(len(breaks))
    for bound, colour in zip(breaks, colours, strict=True):
        handles.append(Patch(facecolor=colour, edgecolor="#999999", linewidth=0.4,
                             label=f"{low:,.0f}–{bound:,.0f} {unit}" if bound > low else f"{bound:,.0f} {unit}"))
        low = bound + 1
    handles.append(Patch(facecolor=EMPTY, edgecolor="#999999", linewidth=0.4, label="0 / 无数据"))
    return handles


def _colours(n: int) -> list[str]:
    # Fewer classes than five (few distinct counts) take the darker end, so 1 class is not pale.
    return CLASS_COLOURS[len(CLASS_COLOURS) - n:] if n else []


class MapLayer:
    """The parsed polygons of one GeoJSON collection, keyed by the feature's name."""

    def __init__(self, geojson: dict, name_key: str = "name"):
        self.names, self.paths, self.anchors, self.props = [], [], [], []
        for feature in geojson.get("features", []):
            path = feature_path(feature.get("geometry") or {})
            if path is None:
                continue
            props = feature.get("properties") or {}
            self.names.append(str(props.get(name_key, "")))
            self.paths.append(path)
            self.anchors.append(feature_anchor(feature, path))
            self.props.append(props)

    def bounds(self) -> tuple[float, float, float, float]:
        extents = [p.get_extents() for p in self.paths]
        return (min(e.x0 for e in extents), min(e.y0 for e in extents),
                max(e.x1 for e in extents), max(e.y1 for e in extents))


def draw_choropleth(charts: Charts, name: str, layer: MapLayer, values: dict[str, float], *,
                    highlight: Sequence[str] = (), outline: MapLayer | None = None, label_limit: int = 40,
                    label_counts: bool = False, unit: str = "件", height_cm: float = 12.0,
                    insets: Sequence[tuple[tuple[float, float, float, float], str]] = ()) -> Rendered:
    """Fill each feature by its class of `values[name]`; label the biggest ones that fit.

    `outline` draws a coarser layer's borders on top (leagues over banners); each inset
    ((lon0, lat0, lon1, lat1), title) magnifies a dense corner (city districts) in the empty
    upper left of the map (stacked down the left edge), where Inner Mongolia's crescent leaves room.
    """
    breaks = nice_breaks(values.values())
    colours = _colours(len(breaks))
    faces = []
    for feature_name in layer.names:
        cls = class_of(values.get(feature_name, 0), breaks)
        faces.append(EMPTY if cls is None else colours[cls])
    x0, y0, x1, y1 = layer.bounds()
    # Equirectangular with the width scaled by cos(latitude): close enough to a conic projection
    # at this scale, and no projection library needed.
    aspect = 1 / math.cos(math.radians((y0 + y1) / 2))

    with charts.with_rc():
        fig = charts.figure(width_cm=TEXT_WIDTH_CM, height_cm=height_cm)
        ax = fig.add_subplot()
        _draw_layer(ax, layer, faces, highlight, outline)
        ax.set_xlim(x0 - 0.5, x1 + 0.5)
        ax.set_ylim(y0 - 0.5, y1 + 0.5)
        ax.set_aspect(aspect)
        ax.set_axis_off()
        texts = _labels(ax, layer, values, highlight, label_limit, label_counts, fontsize=7)
        legend = ax.legend(handles=_legend(breaks, unit), loc="lower right", frameon=False, fontsize=7,
                           title="专利数量", title_fontsize=7.5)
        zoomed = []
        for n, ((ix0, iy0, ix1, iy1), title) in enumerate(insets):
            inset_ax = ax.inset_axes([0.0, 0.70 - n * 0.32, 0.33, 0.27])
            _draw_layer(inset_ax, layer, faces, highlight, outline)
            inset_ax.set_xlim(ix0, ix1)
            inset_ax.set_ylim(iy0, iy1)
            inset_ax.set_aspect(aspect, adjustable="box")
            inset_ax.set_xticks([])
            inset_ax.set_yticks([])
            for spine in inset_ax.spines.values():
                spine.set_visible(True)
                spine.set_color("#777777")
            inset_ax.set_title(title, fontsize=7, loc="left")
            inside = {label for label, (ax_, ay_) in zip(layer.names, layer.anchors, strict=True)
                      if ix0 <= ax_ <= ix1 and iy0 <= ay_ <= iy1}
            zoomed.append((inset_ax, _labels(inset_ax, layer, {k: v for k, v in values.items() if k in inside},
                                             (), 20, label_counts, fontsize=6.5), inside))
            ax.indicate_inset((ix0, iy0, ix1 - ix0, iy1 - iy0), inset_ax, edgecolor="#777777", linewidth=0.6)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        blocked = [legend.get_window_extent(renderer)] + [a.get_tightbbox(renderer) for a, _t, _i in zoomed]
        # A district magnified in an inset is not labelled again on the main map.
        magnified = set().union(*(inside for _a, _t, inside in zoomed)) if zoomed else set()
        main_texts = [t for t in texts if t.get_text().split("\n")[0] not in magnified]
        for t in texts:
            if t not in main_texts:
                t.remove()
        place_labels(fig, ax, main_texts, blocked)
        for inset_ax, inset_texts, _inside in zoomed:
            place_labels(fig, inset_ax, inset_texts)
        return charts.save(fig, name)


RED_EDGE = "#c9453b"


def _draw_layer(ax, layer: MapLayer, faces, highlight, outline) -> None:
    ax.add_collection(PathCollection(layer.paths, facecolors=faces, edgecolors="white", linewidths=0.4))
    if outline is not None:
        ax.add_collection(PathCollection(outline.paths, facecolors="none", edgecolors="#555555", linewidths=0.7))
    marked = [p for n, p in zip(layer.names, layer.paths, strict=True) if n in highlight]
    if marked:
        ax.add_collection(PathCollection(marked, facecolors="none", edgecolors=RED_EDGE, linewidths=1.4))


def _labels(ax, layer: MapLayer, values, highlight, limit: int, with_counts: bool, *, fontsize: float) -> list:
    """Label artists (annotations with a leader line, hidden while on the spot), most important first."""
    order = sorted(range(len(layer.names)),
                   key=lambda i: (layer.names[i] not in highlight, -values.get(layer.names[i], 0)))
    texts = []
    for i in order[:limit]:
        feature_name = layer.names[i]
        count = values.get(feature_name, 0)
        if count <= 0 and feature_name not in highlight:
            continue
        text = f"{feature_name}\n{count:,.0f}" if with_counts else feature_name
        texts.append(ax.annotate(text, xy=layer.anchors[i], xytext=(0, 0), textcoords="offset points",
                                 ha="center", va="center", fontsize=fontsize, path_effects=HALO, linespacing=1.0,
                                 fontweight="bold" if feature_name in highlight else "normal",
                                 arrowprops=LEADER, annotation_clip=True))
    return texts
