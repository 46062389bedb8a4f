"""Shared set-up of the unit tests: figures are drawn off-screen, and figure tests can ask for
``no_warnings_and_no_open_figures`` (every warning is an error; no figure is left open)."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def no_warnings_and_no_open_figures():
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")
