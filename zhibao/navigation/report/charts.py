"""Charts as PNG files, drawn with matplotlib's object API (no pyplot state) in the CJK font.

Each method draws one figure, saves it at `dpi` and drops it, so memory stays flat however
many charts a report has and two reports in two worker threads do not share a current figure.
Sizes are in centimetres of the printed page (16 cm is the text width of an A4 page with
2.5 cm margins), so a 9-point label in the chart reads as 9 points on paper.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before any canvas: the server has no display

import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from PIL import Image  # noqa: E402

CM = 1 / 2.54


def integer_ticks():
    """Whole-number ticks for counts (no "0.5 件" when a branch has two patents)."""
    return matplotlib.ticker.MaxNLocator(integer=True, min_n_ticks=1)

TEXT_WIDTH_CM = 16.0

# Colour-blind-safe-ish, prints well in grey: blue, orange, green, red, purple, brown, gold, teal.
PALETTE = ["#2f6db5", "#e07b39", "#3a9e6f", "#c9453b", "#7b5ea7", "#8c6d4f", "#d3a12e", "#4aa3b5",
           "#9aa5b1", "#e6a0c4"]
BLUE, ORANGE, GREEN, RED, GREY = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], "#9aa5b1"
VERDICT_COLOURS = {"gap": RED, "strength": GREEN, "neutral": GREY}
APPLICANT_TYPE_COLOURS = {"enterprise": BLUE, "university": ORANGE, "institute": GREEN, "individual": PALETTE[4],
                          "government": PALETTE[5], "other": GREY}


LEADER = {"arrowstyle": "-", "color": "#666666", "linewidth": 0.5, "shrinkA": 0, "shrinkB": 0}
# Where a label may go, in points from its feature's anchor, tried in this order: on the spot,
# then above/below/beside, then further out with a leader line back to the feature.
OFFSETS = [(0, 0), (0, 9), (0, -9), (16, 0), (-16, 0), (14, 10), (-14, 10), (14, -10), (-14, -10),
           (0, 18), (0, -18), (28, 0), (-28, 0), (26, 18), (-26, 18), (26, -18), (-26, -18)]


# Labels of points on a line sit beside the point, never on it.
LIFECYCLE_OFFSETS = [(14, -6), (-14, 6), (14, 6), (-14, -6), (0, 10), (0, -10), (22, 0), (-22, 0)]


def place_labels(fig, ax, texts: Sequence, blocked: Sequence = (), pad: float = 3.0,
                 offsets: Sequence[tuple[float, float]] = OFFSETS) -> None:
    """Move each label (most important first) to the first spot where it overlaps nothing placed.

    A label that fits nowhere is dropped: the table after the map lists every figure anyway.
    """
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed = list(blocked)
    for text in texts:
        for dx, dy in offsets:
            text.xyann = (dx, dy)
            text.update_positions(renderer)
            # The text alone: an annotation's own extent includes its leader line, which reaches
            # back to the anchor and would make every moved label "overlap" its neighbours.
            box = Text.get_window_extent(text, renderer)
            box = box.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                if text.arrow_patch is not None:
                    text.arrow_patch.set_visible((dx, dy) != (0, 0))
                break
        else:
            text.remove()


@dataclass
class Rendered:
    path: Path
    aspect: float  # height / width


class Charts:
    """Draws the report's charts into `out_dir`, numbering the files in drawing order."""

    def __init__(self, out_dir: Path, *, dpi: int = 150, rc: dict | None = None):
        self.out_dir = out_dir
        self.dpi = dpi
        self.rc = rc or {}
        self.count = 0
        out_dir.mkdir(parents=True, exist_ok=True)

    # --- plumbing ---------------------------------------------------------------------------

    def figure(self, width_cm: float = TEXT_WIDTH_CM, height_cm: float = 8.0) -> Figure:
        fig = Figure(figsize=(width_cm * CM, height_cm * CM), layout="constrained")
        FigureCanvasAgg(fig)
        return fig

    def save(self, fig: Figure, name: str) -> Rendered:
        self.count += 1
        path = self.out_dir / f"{self.count:02d}-{name}.png"
        width, height = fig.get_size_inches()
        # Opaque RGB rather than matplotlib's RGBA: fpdf2 then embeds the PNG data as it is,
        # instead of splitting out an alpha mask for every chart.
        fig.set_dpi(self.dpi)
        fig.set_facecolor("white")
        fig.canvas.draw()
        Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB").save(path, "PNG", compress_level=3)
        fig.clear()  # release the artists now rather than at the next garbage collection
        return Rendered(path, height / width)

    def with_rc(self):
        return matplotlib.rc_context(self.rc)

    # --- bars -------------------------------------------------------------------------------

    def bar_h(self, name: str, labels: Sequence[str], values: Sequence[float], *, xlabel: str,
              fmt=lambda v: f"{v:,.0f}", colours: Sequence[str] | None = None,
              legend: dict[str, str] | None = None, vlines: Sequence[tuple[float, str]] = (),
              integer: bool = True) -> Rendered:
        """Horizontal bars, first label on top, each bar's value at its end (`integer`: counts,
        so no 0.5-件 ticks when the numbers are small)."""
        with self.with_rc():
            n = len(labels)
            fig = self.figure(height_cm=max(5.0, 0.62 * n + 2.2))
            ax = fig.add_subplot()
            y = np.arange(n)
            ax.barh(y, values, color=colours or BLUE, height=0.66)
            ax.set_yticks(y, labels)
            ax.invert_yaxis()
            top = max(values, default=0) or 1
            for i, value in enumerate(values):
                ax.text(value + top * 0.01, i, fmt(value), va="center", fontsize=7, color="#333333")
            for x, label in vlines:
                ax.axvline(x, color="#555555", linestyle="--", linewidth=0.8)
                ax.text(x, -0.8, label, ha="center", va="bottom", fontsize=7, color="#555555")
            ax.set_xlim(0, max(top * 1.14, *(x * 1.1 for x, _l in vlines)) if vlines else top * 1.14)
            ax.set_xlabel(xlabel)
            ax.tick_params(axis="y", length=0)
            if integer:
                ax.xaxis.set_major_locator(integer_ticks())
            if legend:
                # Beside the plot, not on it: a legend in a corner hides the longest bar's value.
                ax.legend(handles=[Patch(color=c, label=label) for label, c in legend.items()],
                          loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
            return self.save(fig, name)

    def grouped_bar_h(self, name: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
                      xlabel: str, fmt=lambda v: f"{v:,.0f}") -> Rendered:
        """Several bars per label (e.g. the region's share beside the national share)."""
        with self.with_rc():
            n, k = len(labels), len(series)
            fig = self.figure(height_cm=max(6.0, (0.3 * k + 0.25) * n + 2.4))
            ax = fig.add_subplot()
            height = 0.8 / k
            y = np.arange(n)
            top = max((v for _s, values in series for v in values), default=0) or 1
            for j, (label, values) in enumerate(series):
                offsets = y - 0.4 + height * (j + 0.5)
                ax.barh(offsets, values, height=height * 0.92, color=PALETTE[j % len(PALETTE)], label=label)
                for off, value in zip(offsets, values, strict=True):
                    ax.text(value + top * 0.01, off, fmt(value), va="center", fontsize=6.5, color="#333333")
            ax.set_yticks(y, labels)
            ax.invert_yaxis()
            ax.set_xlim(0, top * 1.16)
            ax.xaxis.set_major_locator(integer_ticks())
            ax.set_xlabel(xlabel)
            ax.tick_params(axis="y", length=0)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
            return self.save(fig, name)

    def stacked_share_h(self, name: str, labels: Sequence[str], categories: Sequence[str],
                        matrix: Sequence[Sequence[float]], *, xlabel: str) -> Rendered:
        """100 % stacked bars: each label's mix of categories (e.g. legal status per node)."""
        with self.with_rc():
            n = len(labels)
            fig = self.figure(height_cm=max(6.0, 0.55 * n + 3.0))
            ax = fig.add_subplot()
            data = np.array(matrix, dtype=float)
            sums = data.sum(axis=1, keepdims=True)
            shares = np.divide(data, sums, out=np.zeros_like(data), where=sums > 0)
            left = np.zeros(n)
            y = np.arange(n)
            for j, category in enumerate(categories):
                ax.barh(y, shares[:, j], left=left, color=PALETTE[j % len(PALETTE)], height=0.7, label=category)
                for i in range(n):
                    if shares[i, j] >= 0.08:
                        ax.text(left[i] + shares[i, j] / 2, i, f"{shares[i, j]:.0%}", ha="center", va="center",
                                fontsize=6.5, color="white")
                left += shares[:, j]
            ax.set_yticks(y, labels)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
            ax.set_xlabel(xlabel)
            ax.tick_params(axis="y", length=0)
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(len(categories), 4), frameon=False)
            return self.save(fig, name)

    def bar_v(self, name: str, labels: Sequence, values: Sequence[float], *, ylabel: str,
              colour: str = BLUE) -> Rendered:
        """Vertical bars over years (new entrants per year)."""
        with self.with_rc():
            fig = self.figure(height_cm=7.0)
            ax = fig.add_subplot()
            x = np.arange(len(labels))
            ax.bar(x, values, color=colour, width=0.7)
            ax.set_xticks(x, [str(label) for label in labels], rotation=45 if len(labels) > 12 else 0)
            ax.set_ylabel(ylabel)
            top = max(values, default=0) or 1
            for i, value in enumerate(values):
                ax.text(i, value + top * 0.01, f"{value:,.0f}", ha="center", va="bottom", fontsize=6)
            ax.set_ylim(0, top * 1.12)
            ax.yaxis.set_major_locator(integer_ticks())
            return self.save(fig, name)

    # --- trends -----------------------------------------------------------------------------

    def trend(self, name: str, years: Sequence[int], applications: Sequence[int], grants: Sequence[int],
              applicants: Sequence[int], *, shade_from: int | None = None) -> Rendered:
        """Applications as bars, grants and applicants as lines; the incomplete last years shaded."""
        with self.with_rc():
            fig = self.figure(height_cm=8.0)
            ax = fig.add_subplot()
            x = np.arange(len(years))
            ax.bar(x, applications, color=BLUE, width=0.7, label="申请量")
            ax.plot(x, grants, color=GREEN, marker="o", markersize=3, linewidth=1.4, label="授权量（按申请年）")
            ax.plot(x, applicants, color=ORANGE, marker="s", markersize=3, linewidth=1.4, label="申请人数")
            ax.set_xticks(x, [str(y) for y in years], rotation=45)
            ax.set_ylabel("件 / 个")
            self._shade_incomplete(ax, years, shade_from)
            ax.legend(loc="upper left", frameon=False)
            ax.set_ylim(0, max(max(applications, default=0), max(applicants, default=0)) * 1.15 or 1)
            ax.yaxis.set_major_locator(integer_ticks())
            return self.save(fig, name)

    @staticmethod
    def _shade_incomplete(ax, years: Sequence[int], shade_from: int | None) -> None:
        if shade_from is None or shade_from not in years:
            return
        i = list(years).index(shade_from)
        ax.axvspan(i - 0.5, len(years) - 0.5, color="#dddddd", alpha=0.6, zorder=0, linewidth=0)
        ax.text(i - 0.4, ax.get_ylim()[1] * 0.97, "数据不完整", fontsize=7, color="#666666", va="top")

    def lifecycle(self, name: str, points: Sequence[dict], *, phase_label: str) -> Rendered:
        """Applications (y) against applicants (x), joined in year order: the technology life cycle."""
        with self.with_rc():
            fig = self.figure(height_cm=9.0)
            ax = fig.add_subplot()
            xs = [p["applicants"] for p in points]
            ys = [p["applications"] for p in points]
            colours = matplotlib.colormaps["viridis"](np.linspace(0.1, 0.9, len(points)))
            ax.plot(xs, ys, color="#999999", linewidth=1, zorder=1)
            ax.scatter(xs, ys, c=colours, s=22, zorder=2)
            ax.margins(0.08)
            # Year labels, most telling first (the ends, then every fifth year, then the rest),
            # each put where it overlaps neither another label nor a point; the rest are dropped.
            order = [0, len(points) - 1] + [i for i in range(1, len(points) - 1) if points[i]["year"] % 5 == 0]
            order += [i for i in range(len(points)) if i not in order]
            labels = [ax.annotate(str(points[i]["year"]), (xs[i], ys[i]), xytext=(0, 0), textcoords="offset points",
                                  ha="center", va="center", fontsize=7, color="#333333", arrowprops=LEADER)
                      for i in order]
            fig.canvas.draw()
            marks = ax.transData.transform(np.column_stack([xs, ys]))
            blocked = [Bbox.from_extents(x - 4, y - 4, x + 4, y + 4) for x, y in marks]
            place_labels(fig, ax, labels, blocked, offsets=LIFECYCLE_OFFSETS)
            ax.set_xlabel("申请人数（个）")
            ax.set_ylabel("申请量（件）")
            ax.xaxis.set_major_locator(integer_ticks())
            ax.yaxis.set_major_locator(integer_ticks())
            ax.set_title(f"技术生命周期：{phase_label}", loc="left")
            return self.save(fig, name)

    def small_multiples(self, name: str, years: Sequence[int], panels: Sequence[tuple[str, Sequence[int]]], *,
                        shade_from: int | None = None) -> Rendered:
        """One small trend chart per node, on a shared year axis, each with its own scale."""
        with self.with_rc():
            cols = min(3, max(1, len(panels)))
            rows = math.ceil(len(panels) / cols)
            fig = self.figure(height_cm=4.6 * rows + 0.6)
            axes = fig.subplots(rows, cols, squeeze=False)
            x = np.arange(len(years))
            for idx, ax in enumerate(axes.flat):
                if idx >= len(panels):
                    ax.set_axis_off()
                    continue
                title, counts = panels[idx]
                ax.bar(x, counts, color=PALETTE[idx % len(PALETTE)], width=0.75)
                ax.set_title(title, fontsize=8, loc="left")
                ticks = [i for i in range(len(years)) if (years[i] % 5 == 0)]
                ax.set_xticks(ticks, [str(years[i]) for i in ticks], fontsize=7)
                ax.tick_params(axis="y", labelsize=7)
                ax.yaxis.set_major_locator(integer_ticks())
                ax.set_ylim(0, max(max(counts, default=0), 1) * 1.05)
                if shade_from in years:
                    i = list(years).index(shade_from)
                    ax.axvspan(i - 0.5, len(years) - 0.5, color="#dddddd", alpha=0.6, zorder=0, linewidth=0)
            return self.save(fig, name)

    # --- shares -----------------------------------------------------------------------------

    def donut(self, name: str, labels: Sequence[str], values: Sequence[float]) -> Rendered:
        """A ring with its legend beside it (labels on slices collide when a share is small)."""
        with self.with_rc():
            fig = self.figure(height_cm=6.5)
            ax = fig.add_subplot()
            total = sum(values) or 1
            kept = [(label, value) for label, value in zip(labels, values, strict=True) if value > 0]
            wedges, _texts = ax.pie([v for _l, v in kept], colors=PALETTE[: len(kept)], startangle=90,
                                    counterclock=False, wedgeprops={"width": 0.38, "edgecolor": "white"})
            ax.text(0, 0, f"{total:,.0f}\n件", ha="center", va="center", fontsize=9)
            ax.legend(wedges, [f"{label}  {value:,.0f}（{value / total:.1%}）" for label, value in kept],
                      loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
            ax.set_aspect("equal")
            return self.save(fig, name)

    # --- matrices and graphs ----------------------------------------------------------------

    def heatmap(self, name: str, row_labels: Sequence[str], col_labels: Sequence[str],
                matrix: Sequence[Sequence[float]], *, rotate: int = 0, cmap: str = "YlOrRd") -> Rendered:
        """A count matrix with each cell's number printed in it (dark text on light cells)."""
        with self.with_rc():
            data = np.array(matrix, dtype=float)
            rows, cols = data.shape if data.size else (len(row_labels), len(col_labels))
            fig = self.figure(height_cm=max(6.0, 0.55 * rows + (3.6 if rotate else 2.2)))
            ax = fig.add_subplot()
            image = ax.imshow(data, cmap=cmap, aspect="auto")
            ax.set_xticks(np.arange(cols), col_labels, rotation=rotate, ha="right" if rotate else "center",
                          rotation_mode="anchor" if rotate else "default", fontsize=7)
            ax.set_yticks(np.arange(rows), row_labels, fontsize=7.5)
            ax.tick_params(length=0)
            for spine in ax.spines.values():
                spine.set_visible(False)
            top = data.max() if data.size else 0
            size = 5.5 if cols > 14 else 6.5
            for i in range(rows):
                for j in range(cols):
                    value = data[i, j]
                    colour = "white" if top and value > top * 0.6 else "#222222"
                    ax.text(j, i, f"{value:,.0f}".replace(",", ""), ha="center", va="center", fontsize=size,
                            color=colour)
            fig.colorbar(image, ax=ax, shrink=0.8, pad=0.01, label="件")
            return self.save(fig, name)

    def network(self, name: str, nodes: Sequence[dict], links: Sequence[dict], *, label=lambda n: n) -> Rendered:
        """Co-applicants on a circle: node area by patents, line width by joint applications.

        A circle rather than a force layout: with 10–20 applicants the names stay readable
        (each label points outward from its own node) and the drawing is the same every run.
        """
        with self.with_rc():
            fig = self.figure(height_cm=11.5)
            ax = fig.add_subplot()
            n = len(nodes)
            angles = [math.pi / 2 - 2 * math.pi * i / max(n, 1) for i in range(n)]
            pos = {node["name"]: (math.cos(a), math.sin(a)) for node, a in zip(nodes, angles, strict=True)}
            top_link = max((link["count"] for link in links), default=1)
            for link in links:
                if link["source"] in pos and link["target"] in pos:
                    (x0, y0), (x1, y1) = pos[link["source"]], pos[link["target"]]
                    ax.plot([x0, x1], [y0, y1], color=BLUE, alpha=0.55, linewidth=0.8 + 3.2 * link["count"] / top_link,
                            zorder=1)
                    ax.text((x0 + x1) / 2, (y0 + y1) / 2, str(link["count"]), fontsize=6.5, color="#1d4f8c",
                            ha="center", va="center", zorder=3,
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
            top = max((node["count"] for node in nodes), default=1)
            linked = {name for link in links for name in (link["source"], link["target"])}
            for node, angle in zip(nodes, angles, strict=True):
                x, y = pos[node["name"]]
                ax.scatter([x], [y], s=40 + 360 * node["count"] / top, color=ORANGE if node["name"] in linked else GREY,
                           edgecolor="white", zorder=2)
                cos, sin = math.cos(angle), math.sin(angle)
                ha = "left" if cos > 0.2 else "right" if cos < -0.2 else "center"
                va = "bottom" if sin > 0.5 else "top" if sin < -0.5 else "center"
                ax.text(x * 1.12, y * 1.12, label(node["name"]), ha=ha, va=va, fontsize=7.5)
            ax.set_xlim(-1.75, 1.75)
            ax.set_ylim(-1.3, 1.3)
            ax.set_aspect("equal")
            ax.set_axis_off()
            return self.save(fig, name)

    def location_quotients(self, name: str, labels: Sequence[str], values: Sequence[float | None],
                           verdicts: Sequence[str], *, gap: float, strength: float) -> Rendered:
        """Each node's location quotient, coloured by verdict, with the two thresholds drawn."""
        colours = [VERDICT_COLOURS.get(v, GREY) for v in verdicts]
        legend = {"短板分支": RED, "优势分支": GREEN, "一般": GREY}
        return self.bar_h(name, labels, [v or 0 for v in values], xlabel="区位熵（LQ）", fmt=lambda v: f"{v:.2f}",
                          colours=colours, legend=legend, integer=False,
                          vlines=[(gap, f"短板线 {gap:g}"), (strength, f"优势线 {strength:g}"), (1.0, "1")])
