"""Interactive explorers for the notebooks (ipywidgets), one module per topic.

Every explorer comes twice: a plain ``plot_*`` function that returns a matplotlib Figure (the
static picture beside each widget, and what the tests call) and a thin ``*_explorer()``
wrapper that puts sliders in front of it. ``explorers`` holds the shared machinery
(``_show_live``, ``_log_slider``) and the first explorers (learning rate, EWA, momentum, race).
"""
from .explorers import *  # noqa: F401,F403
from .explorers import _parabola_path, _show_live, _log_slider  # noqa: F401  (used by topic modules and tests)
