"""Fixtures shared by the test files.

``figures``: matplotlib on the Agg backend (no display needed), every warning an error (glyph,
layout and deprecation warnings included) and no figure left open before or after the test. A
widget or plot test module uses it with ``pytestmark = pytest.mark.usefixtures("figures")``, or
asks for it as an argument to get ``matplotlib.pyplot``.
"""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def figures():
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield plt
    plt.close("all")
