"""Notebook figures as 256-colour PNGs: about a third of the bytes, no visible change.

The course's figures are flat colours, lines and text, so a palette of 256 colours (median cut,
no dithering) keeps them intact while the committed notebooks shrink from 1-2 MB to well under
1 MB each. Only the PNGs that IPython's inline backend embeds in a notebook are affected;
``fig.savefig`` is untouched. Set ``NNOPT_FULL_COLOUR_PNG=1`` before importing nnopt.plots to
keep full-colour PNGs.
"""
from __future__ import annotations

import base64
import io
import os
import sys

_ENV_OFF = "NNOPT_FULL_COLOUR_PNG"


def palette_png(png: bytes, colours: int = 256) -> bytes:
    """The same image with at most ``colours`` colours, or ``png`` itself if that is not smaller."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        if image.mode == "P":
            return png
        info = {key: image.info[key] for key in ("dpi",) if key in image.info}
        image = image.convert("RGBA")
        if image.getchannel("A").getextrema() == (255, 255):  # opaque, as figures are: no alpha in the palette
            image = image.convert("RGB")
        quantized = image.quantize(colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    quantized.save(out, format="PNG", optimize=True, **info)
    smaller = out.getvalue()
    return smaller if len(smaller) < len(png) else png


def _compact(print_figure):
    def print_compact_figure(fig, fmt="png", bbox_inches="tight", base64=False, **kwargs):
        data = print_figure(fig, fmt, bbox_inches, base64=False, **kwargs)
        if fmt != "png" or not data:
            return _encode(data, base64)
        return _encode(palette_png(data), base64)

    print_compact_figure.nnopt_compact = True
    return print_compact_figure


def _encode(data, as_base64: bool):
    if not as_base64 or data is None:
        return data
    return base64.b64encode(data).decode("ascii")


def install() -> bool:
    """Make IPython's inline figures palette PNGs; True if it took effect (inside IPython only)."""
    if os.environ.get(_ENV_OFF, "").strip().lower() in {"1", "true", "yes", "on"}:
        return False
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython
    from IPython.core import pylabtools

    shell = get_ipython()
    if shell is None:
        return False
    if not getattr(pylabtools.print_figure, "nnopt_compact", False):
        # The inline backend binds pylabtools.print_figure when it is activated, which may be later.
        pylabtools.print_figure = _compact(pylabtools.print_figure)
    from matplotlib.figure import Figure

    png = shell.display_formatter.formatters["image/png"]
    current = png.lookup_by_type(Figure) if Figure in png else None
    if current is not None and not getattr(getattr(current, "func", current), "nnopt_compact", False):
        keywords = dict(getattr(current, "keywords", {}))
        keywords.setdefault("base64", True)
        keywords.pop("fmt", None)
        compact = pylabtools.print_figure
        png.for_type(Figure, lambda fig: compact(fig, "png", **keywords))
    return True
