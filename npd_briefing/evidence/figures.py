"""Show a chart in a briefing notebook so that it reaches the PDF with its alt text and source.

A bare PNG output only gets an alt from output metadata and has nowhere to put a source line, so a
chart is displayed as one HTML ``<figure>``: the PNG inlined as a ``data:`` URL with its ``alt``,
then a ``<figcaption>`` with the source. nbconvert's ``basic`` template passes that HTML through
untouched, and ``render.notebook_to_html`` refuses any ``<img>`` that arrives without an alt.
The same output carries alt and source as text/plain for front ends that do not render HTML.

PNG rather than SVG: WeasyPrint embeds the PNG byte for byte, while matplotlib's SVG would go
through WeasyPrint's own SVG renderer, which is not a full one; at 200 dpi a chart prints sharp
and stays under ~50 KB.
"""

import base64
import html
import io

import matplotlib.pyplot as plt
from IPython.display import display
from matplotlib.figure import Figure
from PIL import Image

DPI = 200
CSS_PX_PER_INCH = 96


def figure_html(fig: Figure, alt: str, source: str) -> str:
    """The ``<figure>`` for ``fig``, sized so the chart's fonts print at their point size."""
    if not alt.strip():
        raise ValueError("a chart needs alt text that says what it shows")
    if not source.strip():
        raise ValueError("a chart needs a source line")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    buffer.seek(0)
    # RGB, not matplotlib's RGBA: the charts are opaque, and WeasyPrint would otherwise split out and
    # compress an alpha mask for every image of every PDF.
    with Image.open(buffer) as image:
        rgb = image.convert("RGB")
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG")
    png = buffer.getvalue()
    css_width = round(rgb.width / DPI * CSS_PX_PER_INCH)
    data_url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    # A style, not a width attribute: WeasyPrint ignores presentational attributes by default.
    return (
        f'<figure class="chart"><img src="{data_url}" style="width: {css_width}px" '
        f'alt="{html.escape(alt)}"><figcaption>Source: {html.escape(source)}</figcaption>'
        "</figure>"
    )


def display_figure(fig: Figure, alt: str, source: str) -> None:
    """Display ``fig`` with its alt text and source, and close it.

    Closing matters when the figure came from pyplot: the inline backend would otherwise show it a
    second time at the end of the cell, as a bare PNG without alt text.
    """
    display({"text/html": figure_html(fig, alt, source), "text/plain": f"{alt} (Source: {source})"}, raw=True)
    plt.close(fig)
