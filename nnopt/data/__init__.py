"""Data for the course: the real data sets, synthetic sets, preprocessing and mini-batches.

- ``loaders``: ``load_digits``, ``load_seattle_weather``, ``load_stocks`` (files in the repo's
  ``data/`` folder, SHA-256 verified);
- ``synthetic``: ``make_moons``, ``make_spirals``, ``make_blobs``, ``make_linear_regression``;
- ``preprocessing``: ``train_val_test_split``, ``Standardizer``, ``one_hot``;
- ``batches``: ``minibatches``, ``n_batches``, ``as_generator``.
"""
from __future__ import annotations

from .batches import as_generator, minibatches, n_batches
from .loaders import (
    DATA_DIR_ENV,
    SHA256,
    STOCK_SYMBOLS,
    DataIntegrityError,
    SeattleWeather,
    StockPrices,
    data_directory,
    load_digits,
    load_seattle_weather,
    load_stocks,
)
from .preprocessing import Standardizer, one_hot, train_val_test_split
from .synthetic import make_blobs, make_linear_regression, make_moons, make_spirals

__all__ = [
    "load_digits",
    "load_seattle_weather",
    "load_stocks",
    "SeattleWeather",
    "StockPrices",
    "DataIntegrityError",
    "data_directory",
    "DATA_DIR_ENV",
    "SHA256",
    "STOCK_SYMBOLS",
    "make_moons",
    "make_spirals",
    "make_blobs",
    "make_linear_regression",
    "train_val_test_split",
    "Standardizer",
    "one_hot",
    "minibatches",
    "n_batches",
    "as_generator",
]
