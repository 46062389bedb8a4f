"""Tests for nnopt.data.loaders: shapes, known values, checksum and missing-file errors, caching."""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from nnopt.data import (
    SHA256,
    STOCK_SYMBOLS,
    DataIntegrityError,
    data_directory,
    load_digits,
    load_seattle_weather,
    load_stocks,
)
from nnopt.data import loaders

REPO_DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _no_data_dir_env(monkeypatch):
    monkeypatch.delenv("NNOPT_DATA_DIR", raising=False)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    for name in SHA256:
        shutil.copy(REPO_DATA / name, tmp_path / name)
    return tmp_path


# ---------- where the files are ----------

def test_default_data_dir_is_repo_data_folder():
    assert data_directory() == REPO_DATA
    assert loaders.DEFAULT_DATA_DIR == REPO_DATA


def test_provenance_table_matches_constants_and_files():
    text = (REPO_DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", text, flags=re.MULTILINE))
    assert table == SHA256
    for name, digest in SHA256.items():
        assert hashlib.sha256((REPO_DATA / name).read_bytes()).hexdigest() == digest


def test_env_var_and_argument_choose_the_folder(monkeypatch, data_copy, tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty")
    monkeypatch.setenv("NNOPT_DATA_DIR", str(data_copy))
    assert data_directory() == data_copy
    assert load_digits()[0].shape == (1797, 64)
    # the argument wins over the environment variable
    with pytest.raises(FileNotFoundError, match="data_dir argument"):
        load_digits(data_dir=empty)
    monkeypatch.setenv("NNOPT_DATA_DIR", str(empty))
    with pytest.raises(FileNotFoundError, match="environment variable NNOPT_DATA_DIR"):
        load_seattle_weather()


def test_data_dir_must_be_a_path():
    with pytest.raises(TypeError, match="data_dir must be a path"):
        load_digits(data_dir=3)


# ---------- digits ----------

def test_digits_shapes_dtypes_and_known_values():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0
    assert np.array_equal(X, np.round(X))  # pixel counts are whole numbers
    # first line of digits.csv.gz: "0,0,5,13,9,1,0,0,0,0,13,15,...,0" -> a zero
    assert np.array_equal(X[0, :8], [0, 0, 5, 13, 9, 1, 0, 0])
    assert y[0] == 0
    assert np.array_equal(y[:10], np.arange(10))
    assert np.array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert X[:, 0].max() == 0.0  # the top-left pixel is always blank (a constant column)


def test_digits_cache_returns_copies():
    X, y = load_digits()
    X[0, 2] = -99.0
    y[0] = 7
    X2, y2 = load_digits()
    assert X2[0, 2] == 5.0 and y2[0] == 0
    assert not np.shares_memory(X2, load_digits()[0])


# ---------- Seattle weather ----------

def test_seattle_weather_columns_and_known_values():
    w = load_seattle_weather()
    assert len(w) == 1461
    assert w.date.dtype == np.dtype("datetime64[D]")
    assert w.date[0] == np.datetime64("2012-01-01")
    assert w.date[-1] == np.datetime64("2015-12-31")
    assert np.all(np.diff(w.date) == np.timedelta64(1, "D"))  # one row per day, no gap
    for column in (w.precipitation, w.temp_max, w.temp_min, w.wind):
        assert column.dtype == np.float64 and column.shape == (1461,)
    # first row: 2012/01/01,0.0,12.8,5.0,4.7,drizzle
    assert (w.precipitation[0], w.temp_max[0], w.temp_min[0], w.wind[0]) == (0.0, 12.8, 5.0, 4.7)
    assert w.weather[0] == "drizzle"
    # leap day row: 2012/02/29,0.8,5.0,1.1,7.0,snow
    leap = np.flatnonzero(w.date == np.datetime64("2012-02-29"))
    assert leap.tolist() == [59] and w.weather[59] == "snow" and w.wind[59] == 7.0
    assert (w.temp_min.min(), w.temp_max.max(), w.precipitation.max()) == (-7.1, 35.6, 55.9)
    assert np.all(w.temp_min <= w.temp_max)
    kinds, counts = np.unique(w.weather, return_counts=True)
    assert dict(zip(kinds.tolist(), counts.tolist())) == {
        "drizzle": 54, "fog": 411, "rain": 259, "snow": 23, "sun": 714}


def test_seattle_weather_cache_returns_copies():
    w = load_seattle_weather()
    w.temp_max[0] = 100.0
    w.weather[0] = "sun"
    again = load_seattle_weather()
    assert again.temp_max[0] == 12.8 and again.weather[0] == "drizzle"


# ---------- stocks ----------

def test_stocks_all_symbols():
    s = load_stocks()
    assert len(s) == 560 and s.price.dtype == np.float64
    assert s.date.dtype == np.dtype("datetime64[D]")
    symbols, counts = np.unique(s.symbol, return_counts=True)
    assert dict(zip(symbols.tolist(), counts.tolist())) == {
        "AAPL": 123, "AMZN": 123, "GOOG": 68, "IBM": 123, "MSFT": 123}
    assert 123 * 4 + 68 == 560
    # first row "MSFT,Jan 1 2000,39.81"
    assert (s.symbol[0], s.date[0], s.price[0]) == ("MSFT", np.datetime64("2000-01-01"), 39.81)


def test_stocks_one_symbol():
    goog = load_stocks("GOOG")
    assert len(goog) == 68
    assert set(goog.symbol.tolist()) == {"GOOG"}
    assert goog.date[0] == np.datetime64("2004-08-01") and goog.price[0] == 102.37
    assert goog.date[-1] == np.datetime64("2010-03-01") and goog.price[-1] == 560.19
    months = goog.date.astype("datetime64[M]")
    assert np.all(np.diff(months) == np.timedelta64(1, "M"))  # consecutive months
    msft = load_stocks("MSFT")
    assert msft.date[0] == np.datetime64("2000-01-01") and msft.price[:3].tolist() == [39.81, 36.35, 43.22]


def test_stocks_unknown_symbol_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown stock symbol 'TSLA'.*MSFT, AMZN, IBM, GOOG, AAPL"):
        load_stocks("TSLA")
    with pytest.raises(ValueError, match="did you mean 'GOOG'"):
        load_stocks("goog")
    with pytest.raises(TypeError, match="symbol must be a str"):
        load_stocks(3)
    assert STOCK_SYMBOLS == ("MSFT", "AMZN", "IBM", "GOOG", "AAPL")


def test_stocks_cache_returns_copies():
    load_stocks("IBM").price[0] = -1.0
    load_stocks().price[0] = -1.0
    assert load_stocks().price[0] == 39.81
    assert load_stocks("IBM").price[0] > 0


# ---------- missing and corrupted files ----------

@pytest.mark.parametrize(
    "loader, filename",
    [(load_digits, "digits.csv.gz"), (load_seattle_weather, "seattle-weather.csv"), (load_stocks, "stocks.csv")],
)
def test_missing_file_says_where_and_how_to_fix(tmp_path, loader, filename):
    with pytest.raises(FileNotFoundError) as info:
        loader(data_dir=tmp_path)
    message = str(info.value)
    assert repr(filename) in message
    assert str(tmp_path / filename) in message
    assert f"git checkout -- data/{filename}" in message and "NNOPT_DATA_DIR" in message


@pytest.mark.parametrize(
    "loader, filename",
    [(load_digits, "digits.csv.gz"), (load_seattle_weather, "seattle-weather.csv"), (load_stocks, "stocks.csv")],
)
def test_corrupted_file_raises_integrity_error(data_copy, loader, filename):
    loader()  # fill the cache first: a cached parse must not hide a bad file
    path = data_copy / filename
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01  # flip one bit
    path.write_bytes(bytes(content))
    actual = hashlib.sha256(bytes(content)).hexdigest()
    with pytest.raises(DataIntegrityError) as info:
        loader(data_dir=data_copy)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.expected == SHA256[filename] and error.actual == actual
    message = str(error)
    assert repr(filename) in message and SHA256[filename] in message and actual in message


def test_truncated_file_is_caught(data_copy):
    path = data_copy / "seattle-weather.csv"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataIntegrityError, match="seattle-weather.csv"):
        load_seattle_weather(data_dir=data_copy)


def test_intact_copy_elsewhere_loads_the_same(data_copy):
    X, y = load_digits(data_dir=data_copy)
    X0, y0 = load_digits()
    assert np.array_equal(X, X0) and np.array_equal(y, y0)
    assert len(load_stocks("AAPL", data_dir=data_copy)) == 123
