"""The course's real data sets, read from the repository's ``data/`` folder and checksum-verified.

- ``load_digits()``: 1797 handwritten digits, 8x8 pixel counts 0..16, labels 0..9;
- ``load_seattle_weather()``: daily Seattle weather 2012-2015 (the temperature series of the
  exponentially-weighted-average lesson);
- ``load_stocks(symbol=None)``: monthly closing prices of five stocks, 2000-2010.

Where the files are looked for, first match wins: the ``data_dir=`` argument, the environment
variable ``NNOPT_DATA_DIR``, then ``data/`` at the root of the repository this package sits in.

Every call reads the file and checks its SHA-256 against the value recorded in
``data/PROVENANCE.md`` (kept here in ``SHA256``); a missing file raises ``FileNotFoundError``
and a changed one ``DataIntegrityError``. Parsing happens once per process: the parsed arrays
are cached, and each call returns fresh copies, so changing a returned array never changes
what the next call returns.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

__all__ = [
    "DataIntegrityError",
    "SeattleWeather",
    "StockPrices",
    "SHA256",
    "STOCK_SYMBOLS",
    "DATA_DIR_ENV",
    "data_directory",
    "load_digits",
    "load_seattle_weather",
    "load_stocks",
]

DATA_DIR_ENV = "NNOPT_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"

# SHA-256 of each file as published (see data/PROVENANCE.md for source and licence).
SHA256 = {
    "digits.csv.gz": "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
    "seattle-weather.csv": "62f0609f787158128aa2bd102967173a4953122dd4f872bf1d502cae1037df0b",
    "stocks.csv": "f9953ac6693e587476b4ebf2f0b00d9bb95371ca8c39da4cc6155077b3e417cd",
}

STOCK_SYMBOLS = ("MSFT", "AMZN", "IBM", "GOOG", "AAPL")  # in file order

# English month abbreviations, matched directly (strptime's %b would depend on the locale)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_cache: dict[str, object] = {}


class DataIntegrityError(ValueError):
    """A data file exists but its SHA-256 is not the recorded one (changed, truncated, re-saved)."""

    def __init__(self, path: Path, expected: str, actual: str):
        self.path, self.expected, self.actual = path, expected, actual
        super().__init__(
            f"data file {path.name!r} at {path} does not match its recorded checksum: "
            f"expected sha256 {expected}, got {actual}. The file was changed or damaged; restore "
            f"it with `git checkout -- data/{path.name}` in the nnopt repository (or copy it again "
            f"from the source listed in data/PROVENANCE.md)."
        )

    def __reduce__(self):  # pickle and copy rebuild the same message
        return type(self), (self.path, self.expected, self.actual), self.__dict__


@dataclass(frozen=True)
class SeattleWeather:
    """Daily weather in Seattle, 2012-01-01 .. 2015-12-31 (1461 days), one entry per day.

    ``date`` datetime64[D]; ``precipitation`` (mm), ``temp_max`` and ``temp_min`` (°C),
    ``wind`` (m/s) float64; ``weather`` str (drizzle, fog, rain, snow, sun).
    """

    date: np.ndarray
    precipitation: np.ndarray
    temp_max: np.ndarray
    temp_min: np.ndarray
    wind: np.ndarray
    weather: np.ndarray

    def __len__(self) -> int:
        return len(self.date)

    def copy(self) -> SeattleWeather:
        return SeattleWeather(**{f.name: getattr(self, f.name).copy() for f in fields(self)})


@dataclass(frozen=True)
class StockPrices:
    """Monthly closing prices (USD), one entry per (symbol, month), in file order.

    ``symbol`` str, ``date`` datetime64[D] (the first day of each month), ``price`` float64.
    For a single symbol, ``date`` is increasing and ``symbol`` is constant.
    """

    symbol: np.ndarray
    date: np.ndarray
    price: np.ndarray

    def __len__(self) -> int:
        return len(self.date)

    def copy(self) -> StockPrices:
        return StockPrices(self.symbol.copy(), self.date.copy(), self.price.copy())


def data_directory(data_dir: str | os.PathLike | None = None) -> Path:
    """The folder the loaders read: ``data_dir`` if given, else ``$NNOPT_DATA_DIR``, else the repo's ``data/``."""
    if data_dir is not None:
        if not isinstance(data_dir, (str, os.PathLike)):
            raise TypeError(f"data_dir must be a path (str or pathlib.Path), got {data_dir!r}.")
        return Path(data_dir).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return DEFAULT_DATA_DIR


def _where_from(data_dir) -> str:
    if data_dir is not None:
        return "the data_dir argument"
    if os.environ.get(DATA_DIR_ENV):
        return f"the environment variable {DATA_DIR_ENV}"
    return "the default location, data/ in the nnopt repository"


def _read_verified(filename: str, data_dir) -> bytes:
    """Read ``filename`` from the data directory and check its SHA-256; return its bytes."""
    folder = data_directory(data_dir)
    path = folder / filename
    try:
        content = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise FileNotFoundError(
            f"data file {filename!r} not found: looked for {path} (folder from {_where_from(data_dir)}). "
            f"To fix: restore it with `git checkout -- data/{filename}` in the nnopt repository, or set "
            f"the environment variable {DATA_DIR_ENV} (or pass data_dir=) to a folder holding "
            f"{', '.join(SHA256)}."
        ) from None
    actual = hashlib.sha256(content).hexdigest()
    if actual != SHA256[filename]:
        raise DataIntegrityError(path.resolve(), SHA256[filename], actual)
    return content


def _cached(filename: str, data_dir, parse):
    content = _read_verified(filename, data_dir)
    # the checksum matched, so the content is the one recorded: the parse is the same whatever the folder
    if filename not in _cache:
        _cache[filename] = parse(content)
    return _cache[filename]


def _parse_digits(content: bytes) -> tuple[np.ndarray, np.ndarray]:
    table = np.loadtxt(io.StringIO(gzip.decompress(content).decode("ascii")), delimiter=",", dtype=np.int64)
    return table[:, :64].astype(np.float64), table[:, 64].copy()


def load_digits(data_dir: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits (UCI, as shipped with scikit-learn).

    Returns ``X`` float64 of shape (1797, 64): the pixel counts 0..16 of each image, row by row
    (``X[i].reshape(8, 8)`` is the picture), and ``y`` int64 of shape (1797,): the digit 0..9.
    Scale ``X`` yourself (divide by 16, or use ``Standardizer`` fitted on the training part).
    """
    X, y = _cached("digits.csv.gz", data_dir, _parse_digits)
    return X.copy(), y.copy()


def _csv_columns(content: bytes, expected_header: list[str]) -> dict[str, np.ndarray]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    if rows[0] != expected_header:
        raise ValueError(f"unexpected header {rows[0]}, expected {expected_header}.")
    columns = np.array(rows[1:], dtype=str).T
    return dict(zip(expected_header, columns))


def _parse_seattle(content: bytes) -> SeattleWeather:
    header = ["date", "precipitation", "temp_max", "temp_min", "wind", "weather"]
    columns = _csv_columns(content, header)
    return SeattleWeather(
        date=np.char.replace(columns["date"], "/", "-").astype("datetime64[D]"),
        **{name: columns[name].astype(np.float64) for name in header[1:5]},
        weather=np.array(columns["weather"].tolist()),  # narrowest str dtype (<U7)
    )


def load_seattle_weather(data_dir: str | os.PathLike | None = None) -> SeattleWeather:
    """Daily Seattle weather 2012-01-01 .. 2015-12-31 (NOAA, via vega_datasets): a ``SeattleWeather``.

    Fields (1461 entries each): ``date`` (datetime64[D]), ``precipitation`` (mm),
    ``temp_max``, ``temp_min`` (°C), ``wind`` (m/s), ``weather`` (str).

    >>> w = load_seattle_weather()
    >>> w.date[0], w.temp_max[0]
    (np.datetime64('2012-01-01'), np.float64(12.8))
    """
    return _cached("seattle-weather.csv", data_dir, _parse_seattle).copy()


def _parse_stocks(content: bytes) -> StockPrices:
    columns = _csv_columns(content, ["symbol", "date", "price"])
    month_name, day, year = np.array(np.char.split(columns["date"]).tolist()).T  # "Jan 1 2000"
    matches = month_name[:, None] == np.array(_MONTH_NAMES)
    if not matches.any(axis=1).all():
        raise ValueError(f"unexpected month names in stocks.csv: {sorted(set(month_name[~matches.any(axis=1)]))}")
    month = matches.argmax(axis=1) + 1
    first_of_month = (year.astype(np.int64) - 1970) * 12 + (month - 1)
    date = first_of_month.astype("datetime64[M]").astype("datetime64[D]") + (day.astype(np.int64) - 1)
    return StockPrices(symbol=np.array(columns["symbol"].tolist()), date=date, price=columns["price"].astype(np.float64))


def load_stocks(symbol: str | None = None, data_dir: str | os.PathLike | None = None) -> StockPrices:
    """Monthly closing prices 2000-01 .. 2010-03 (vega_datasets): a ``StockPrices``.

    ``symbol=None`` gives all 560 rows (MSFT, AMZN, IBM, AAPL with 123 months each, GOOG with 68
    months from 2004-08); a symbol from ``STOCK_SYMBOLS`` gives only its rows::

        goog = load_stocks("GOOG")
        goog.date, goog.price     # 68 months, datetime64[D] and float64
    """
    if symbol is not None:
        if not isinstance(symbol, str):
            raise TypeError(f"symbol must be a str such as 'GOOG' or None, got {symbol!r}.")
        if symbol not in STOCK_SYMBOLS:
            hint = f" (did you mean {symbol.upper()!r}?)" if symbol.upper() in STOCK_SYMBOLS else ""
            raise ValueError(
                f"unknown stock symbol {symbol!r}{hint}; the valid symbols are {', '.join(STOCK_SYMBOLS)}, "
                f"or None for all of them."
            )
    prices = _cached("stocks.csv", data_dir, _parse_stocks)
    if symbol is None:
        return prices.copy()
    rows = prices.symbol == symbol  # boolean indexing copies
    return StockPrices(prices.symbol[rows], prices.date[rows], prices.price[rows])
