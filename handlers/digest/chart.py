"""The digest's trend chart: a PNG of the main figures over the last weeks (matplotlib, Agg backend: no display,
thread-safe use through a Figure object rather than pyplot's global state), and its alt text. The digest's text
never depends on the image."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as PlotFigure

from bot.i18n import Translator
from models.core.digest import Figure
from models.digest import Digest

MAX_PANELS = 6
COLOURS = {"green": "#2e7d32", "amber": "#ef6c00", "red": "#c62828", None: "#546e7a"}


def main_figures(digest: Digest) -> list[Figure]:
    """The first figure with a value and some history of each section: what the chart shows."""
    out = []
    for section in digest.sections:
        found = next((f for f in section.figures if f.value is not None and len(f.history) >= 2), None)
        if found is not None:
            out.append(found)
    return out[:MAX_PANELS]


def _label(t: Translator, figure: Figure) -> str:
    return t(str(figure.label))


def _show(figure: Figure, value: float) -> str:
    return f"{round(value * 100)}%" if figure.unit == "share" else f"{value:g}"


def alt_text(t: Translator, digest: Digest) -> str:
    parts = [t("{figure}: {first} eight weeks ago, {last} this week", figure=_label(t, f),
               first=_show(f, f.history[0]), last=_show(f, f.value or 0)) for f in main_figures(digest)]
    head = t("Weekly trends for {week}.", week=digest.week.label)
    return " ".join([head, *[p + "." for p in parts]])[:1000]


def chart_png(t: Translator, digest: Digest) -> bytes | None:
    """The chart as PNG bytes, or None when no figure has a history yet."""
    figures = main_figures(digest)
    if not figures:
        return None
    columns = 2 if len(figures) > 1 else 1
    rows = (len(figures) + columns - 1) // columns
    plot = PlotFigure(figsize=(4.2 * columns, 2.4 * rows), dpi=100)
    FigureCanvasAgg(plot)
    for i, f in enumerate(figures, start=1):
        ax = plot.add_subplot(rows, columns, i)
        values = [*f.history, f.value or 0.0]
        if f.unit == "share":
            values = [v * 100 for v in values]
            ax.set_ylim(0, 100)
        xs = list(range(-len(values) + 1, 1))
        ax.plot(xs, values, color="#546e7a", linewidth=1.5, marker="o", markersize=3)
        colour = COLOURS.get(f.band.colour if f.band is not None else None, COLOURS[None])
        ax.plot([0], [values[-1]], marker="o", markersize=8, color=colour)
        if f.band is not None and f.band.lower is not None and f.band.upper is not None:
            scale = 100 if f.unit == "share" else 1
            ax.axhspan(f.band.lower * scale, f.band.upper * scale, color="#cfd8dc", alpha=0.35, linewidth=0)
        ax.set_title(_label(t, f)[:40], fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_xticks(xs)
        ax.set_xticklabels([str(x) if x else t("now") for x in xs], fontsize=6)
    plot.suptitle(t("Weekly trends for {week}.", week=digest.week.label), fontsize=10)
    plot.tight_layout()
    out = io.BytesIO()
    plot.savefig(out, format="png")
    return out.getvalue()
