"""The plotly figure dicts of `charts.py` drawn as PNG images on the server, for documents such as the Word report.

Offline and without a browser: matplotlib's Agg renderer draws the figure dicts the web pages hand to plotly.js,
with their data, colours, line styles and marker shapes, so a printed chart says what the page says. Only what
`charts.py` uses is drawn: scatter traces (lines, markers, dashes, open and filled symbols), vertical bars with a
colour per bar, horizontal stacked bars normalised to 100% with labels inside, the unit note, legend and grid.

Chinese text needs a CJK font. `cjk_font()` finds one (Debian's fonts-noto-cjk) through matplotlib's font manager
and raises `NoCJKFont` with the package to install when there is none, rather than drawing empty boxes.
"""

import io
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from dashboards import charts

# Families tried first, in the order the web charts ask for them, then any family whose name says CJK.
CJK_FAMILIES = [name.strip() for name in charts.FONT["family"].split(",") if name.strip() != "sans-serif"] + [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
]
# Where Debian's fonts-noto-cjk puts the font, for a matplotlib font cache built before the package came.
DEBIAN_CJK_FILES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
]
INSTALL_HINT = "没有找到中文（CJK）字体，图表无法显示中文。请安装 fonts-noto-cjk：apt-get install fonts-noto-cjk"

# Plotly sizes are CSS pixels; the images are laid out at 100 pixels per inch and written at `DPI`.
PX_PER_INCH = 100
POINTS_PER_PX = 72 / PX_PER_INCH
DPI = 150  # a 9-inch figure shown 15.5 cm wide in the report: about 220 dots per inch on paper
WIDTH_PX = 900

DASHES = {"solid": "-", "dash": (0, (6, 4)), "dot": (0, (1.5, 2.5)), "dashdot": (0, (6, 3, 1.5, 3))}
SYMBOLS = {
    "circle": "o",
    "square": "s",
    "diamond": "D",
    "star": "*",
    "triangle-up": "^",
    "triangle-down": "v",
    "cross": "P",
    "x": "X",
    "line-ew": "_",
    "line-ns": "|",
}
# plotly.js's first default colour, for a trace that sets none.
DEFAULT_COLOUR = "#1f77b4"


class NoCJKFont(RuntimeError):
    """No font that can draw Chinese is installed."""


@dataclass(frozen=True)
class FontInfo:
    family: str
    path: str


@cache
def cjk_font():
    """The CJK font the images are drawn with: FontInfo(family, file). NoCJKFont if the system has none."""
    found = _cjk_font()
    if found is None:
        # The font cache may predate the font package: register Debian's file by hand and look again.
        for path in DEBIAN_CJK_FILES:
            if Path(path).exists():
                font_manager.fontManager.addfont(path)
        found = _cjk_font()
    if found is None:
        raise NoCJKFont(INSTALL_HINT)
    return found


def _cjk_font():
    fonts = [f for f in font_manager.fontManager.ttflist if Path(f.fname).exists()]
    regular = sorted(fonts, key=lambda f: abs(_weight(f.weight) - 400))
    for family in CJK_FAMILIES:
        for entry in regular:
            if entry.name == family:
                return FontInfo(entry.name, entry.fname)
    for entry in regular:
        if "CJK" in entry.name and "Mono" not in entry.name:
            return FontInfo(entry.name, entry.fname)
    return None


def _weight(weight):
    return weight if isinstance(weight, int) else font_manager.weight_dict.get(weight, 400)


def render_png(figure, *, width_px=WIDTH_PX, dpi=DPI):
    """PNG bytes of a plotly figure dict from `charts.py`, drawn with a CJK font."""
    font = cjk_font()
    layout = figure.get("layout", {})
    text_font = layout.get("font", {})
    size = text_font.get("size", 13) * POINTS_PER_PX
    ink = text_font.get("color", "#1f2933")
    height_px = layout.get("height") or 400
    fig = Figure(figsize=(width_px / PX_PER_INCH, height_px / PX_PER_INCH), dpi=PX_PER_INCH)
    FigureCanvasAgg(fig)
    fig.set_facecolor(layout.get("paper_bgcolor", "#ffffff"))
    ax = fig.add_subplot()
    ax.set_facecolor(layout.get("plot_bgcolor", "#ffffff"))
    style = {"family": font.family, "size": size, "color": ink}

    traces = [t for t in figure.get("data", []) if t.get("visible", True) is not False]
    x_categories = _categories(traces, "x", layout.get("xaxis", {}))
    y_categories = _categories(traces, "y", layout.get("yaxis", {}))
    handles = []
    _draw_bars(ax, [t for t in traces if t.get("type") == "bar"], layout, x_categories, y_categories, style, handles)
    for trace in traces:
        if trace.get("type", "scatter") == "scatter":
            handles.append(_draw_scatter(ax, trace, x_categories, y_categories))
    _axes(ax, layout, x_categories, y_categories, style)
    for note in layout.get("annotations", []):
        _annotate(ax, note, style)
    title = layout.get("title", {})
    if isinstance(title, dict) and title.get("text"):
        ax.set_title(title["text"], fontdict={**style, "size": size * 1.2})
    handles = [h for h in handles if h is not None]
    if handles and layout.get("showlegend", True) is not False:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.1 if x_categories is None else -0.16),
            ncol=min(len(handles), 5),
            frameon=False,
            prop={"family": font.family, "size": size * 0.95},
            labelcolor=ink,
            handlelength=2.6,
        )
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12)
    return out.getvalue()


def _categories(traces, axis, settings):
    """The category labels along an axis in order of first appearance, or None for a numeric axis."""
    values = [v for t in traces for v in t.get(axis) or [] if v is not None]
    if settings.get("type") != "category" and all(isinstance(v, int | float) for v in values):
        return None
    seen = {}
    for value in values:
        seen.setdefault(str(value), len(seen))
    return seen


def _positions(values, categories):
    if categories is None:
        return [_number(v) for v in values]
    return [categories[str(v)] if v is not None else math.nan for v in values]


def _number(value):
    return math.nan if value is None else float(value)


def _each(value, count):
    """A per-point setting (a list) or one for every point."""
    return list(value) if isinstance(value, list | tuple) else [value] * count


def _symbol(name):
    """matplotlib's marker and whether it is hollow, for a plotly symbol such as "diamond-open"."""
    name = name or "circle"
    hollow = name.endswith("-open")
    return SYMBOLS.get(name.removesuffix("-open"), "o"), hollow or name.startswith("line-")


def _draw_scatter(ax, trace, x_categories, y_categories):
    x = _positions(trace.get("x", []), x_categories)
    y = _positions(trace.get("y", []), y_categories)
    mode = trace.get("mode", "lines+markers")
    line = trace.get("line", {})
    marker = trace.get("marker", {})
    colour = line.get("color") or marker.get("color") or DEFAULT_COLOUR
    marker_colour = marker.get("color") or colour
    dash = DASHES.get(line.get("dash", "solid"), "-")
    line_width = line.get("width", 2) * POINTS_PER_PX
    handle_line = {"color": colour, "linestyle": "None", "linewidth": line_width}
    if "lines" in mode:
        ax.plot(x, y, color=colour, linestyle=dash, linewidth=line_width, zorder=3)
        handle_line["linestyle"] = dash
    handle_marker = {}
    if "markers" in mode and isinstance(marker_colour, str):
        symbols = _each(marker.get("symbol", "circle"), len(x))
        sizes = _each(marker.get("size", 6), len(x))
        edge = marker.get("line", {}).get("width", 1.5 if mode == "markers" else 0) * POINTS_PER_PX
        for px, py, symbol, size in zip(x, y, symbols, sizes, strict=False):
            shape, hollow = _symbol(symbol)
            ax.plot(
                [px],
                [py],
                linestyle="None",
                marker=shape,
                markersize=size * POINTS_PER_PX,
                markerfacecolor="none" if hollow else marker_colour,
                markeredgecolor=marker_colour,
                markeredgewidth=max(edge, 1.2) if hollow else edge,
                zorder=4,
            )
        # The legend shows the trace's main symbol: its last (the one marking the point that matters).
        shape, hollow = _symbol(symbols[-1] if symbols else "circle")
        size = max(sizes) if sizes else 6
        handle_marker = {
            "marker": shape,
            "markersize": min(size, 14) * POINTS_PER_PX,
            "markerfacecolor": "none" if hollow else marker_colour,
            "markeredgecolor": marker_colour,
            "markeredgewidth": max(edge, 1.2),
        }
    if trace.get("showlegend") is False or not trace.get("name"):
        return None
    return Line2D([], [], label=str(trace["name"]), **handle_line, **handle_marker)


def _draw_bars(ax, bars, layout, x_categories, y_categories, style, handles):
    if not bars:
        return
    horizontal = [b for b in bars if b.get("orientation") == "h"]
    vertical = [b for b in bars if b.get("orientation") != "h"]
    if horizontal:
        _draw_horizontal(ax, horizontal, layout, y_categories, style, handles)
    for index, bar in enumerate(vertical):
        x = _positions(bar.get("x", []), x_categories)
        y = [_number(v) for v in bar.get("y", [])]
        width = 1 - layout.get("bargap", 0.2)
        if layout.get("barmode") not in ("stack", "overlay") and len(vertical) > 1:
            width /= len(vertical)
            x = [p - (1 - layout.get("bargap", 0.2)) / 2 + width * (index + 0.5) for p in x]
        marker = bar.get("marker", {})
        colours = _each(marker.get("color") or DEFAULT_COLOUR, len(x))
        edge = marker.get("line", {})
        ax.bar(
            x,
            [0 if math.isnan(v) else v for v in y],
            width=width,
            color=colours,
            edgecolor=edge.get("color", "none"),
            linewidth=edge.get("width", 0) * POINTS_PER_PX,
            zorder=2,
        )
        if bar.get("name") and bar.get("showlegend") is not False:
            # Bars coloured one by one (by status) have no single colour: the legend shows a neutral swatch.
            swatch = colours[0] if len(set(colours)) == 1 else "#9aa5b1"
            handles.append(Patch(facecolor=swatch, edgecolor=edge.get("color", "none"), label=str(bar["name"])))


def _draw_horizontal(ax, bars, layout, categories, style, handles):
    count = len(categories or {})
    values = [[_number(v) for v in bar.get("x", [])] for bar in bars]
    positions = [_positions(bar.get("y", []), categories) for bar in bars]
    totals = [0.0] * count
    for row, places in zip(values, positions, strict=True):
        for value, place in zip(row, places, strict=False):
            if not math.isnan(value) and not math.isnan(place):
                totals[int(place)] += value
    lefts = [0.0] * count
    height = 1 - layout.get("bargap", 0.35)
    for bar, row, places in zip(bars, values, positions, strict=True):
        marker = bar.get("marker", {})
        colour = marker.get("color") or DEFAULT_COLOUR
        texts = _each(bar.get("text", ""), len(row))
        text_colour = bar.get("textfont", {}).get("color", style["color"])
        for value, place, text in zip(row, places, texts, strict=False):
            if math.isnan(value) or math.isnan(place) or not value:
                continue
            place = int(place)
            width = value / totals[place] * 100 if layout.get("barnorm") == "percent" and totals[place] else value
            ax.barh(
                place,
                width,
                left=lefts[place],
                height=height,
                color=colour,
                edgecolor=marker.get("line", {}).get("color", "none"),
                linewidth=marker.get("line", {}).get("width", 0) * POINTS_PER_PX,
                zorder=2,
            )
            if text not in (None, ""):
                ax.text(
                    lefts[place] + width / 2,
                    place,
                    str(text),
                    ha="center",
                    va="center",
                    family=style["family"],
                    size=style["size"] * 0.85,
                    color=text_colour,
                    zorder=5,
                )
            lefts[place] += width
        if bar.get("name") and bar.get("showlegend") is not False:
            handles.append(Patch(facecolor=colour, label=str(bar["name"])))


def _axes(ax, layout, x_categories, y_categories, style):
    xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
    for axis, settings, categories, ticks in (
        ("x", xaxis, x_categories, ax.xaxis),
        ("y", yaxis, y_categories, ax.yaxis),
    ):
        if categories is not None:
            places = list(categories.values())
            (ax.set_xticks if axis == "x" else ax.set_yticks)(places, list(categories), **_tick_font(style))
            (ax.set_xlim if axis == "x" else ax.set_ylim)(-0.6, len(places) - 0.4)
        else:
            if settings.get("dtick"):
                ticks.set_major_locator(MultipleLocator(settings["dtick"]))
            suffix = settings.get("ticksuffix", "")
            integer = settings.get("tickformat") == "d"
            ticks.set_major_formatter(FuncFormatter(lambda v, _pos, s=suffix, i=integer: _tick(v, s, i)))
            if settings.get("range"):
                (ax.set_xlim if axis == "x" else ax.set_ylim)(*settings["range"])
        if settings.get("showgrid", True) is not False and settings.get("gridcolor"):
            ax.grid(True, axis=axis, color=settings["gridcolor"], linewidth=0.8, zorder=0)
        if settings.get("autorange") == "reversed":
            (ax.invert_xaxis if axis == "x" else ax.invert_yaxis)()
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=style["size"] * 0.9, colors=style["color"], length=0)
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_fontfamily(style["family"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#9aa5b1")
    if x_categories is None and not xaxis.get("range"):
        ax.margins(x=0.04)


def _tick_font(style):
    return {"fontfamily": style["family"], "fontsize": style["size"] * 0.9}


def _tick(value, suffix, integer):
    text = f"{value:.0f}" if integer or float(value).is_integer() else f"{value:g}"
    return text + suffix


def _annotate(ax, note, style):
    """A paper-positioned note such as the unit above the value axis."""
    if note.get("xref", "paper") != "paper" or note.get("yref", "paper") != "paper":
        return
    font = note.get("font", {})
    ha = {"left": "left", "right": "right", "center": "center"}.get(note.get("xanchor", "center"), "center")
    va = {"top": "top", "bottom": "bottom", "middle": "center"}.get(note.get("yanchor", "middle"), "center")
    ax.text(
        note.get("x", 0),
        note.get("y", 1),
        str(note.get("text", "")),
        transform=ax.transAxes,
        ha=ha,
        va=va,
        family=style["family"],
        size=font.get("size", style["size"] / POINTS_PER_PX) * POINTS_PER_PX,
        color=font.get("color", style["color"]),
    )
