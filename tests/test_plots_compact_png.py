"""Inline notebook figures as palette PNGs: smaller, same picture."""
import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from nnopt.plots import plot_contours
from nnopt.landscapes import Rosenbrock
from nnopt.plots.compact_png import palette_png

pytestmark = pytest.mark.usefixtures("figures")


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def test_a_contour_figure_shrinks_and_keeps_its_pixels():
    png = _png(plot_contours(Rosenbrock()))
    small = palette_png(png)
    assert len(small) < 0.6 * len(png)
    before = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    after = np.asarray(Image.open(io.BytesIO(small)).convert("RGB"), dtype=int)
    assert Image.open(io.BytesIO(small)).mode == "P"
    assert after.shape == before.shape
    assert np.abs(after - before).mean() < 1.0  # mean error under one level of 255
    assert np.percentile(np.abs(after - before).max(axis=2), 99) <= 16


def test_a_palette_png_is_returned_unchanged():
    small = palette_png(_png(plot_contours(Rosenbrock())))
    assert palette_png(small) is small
