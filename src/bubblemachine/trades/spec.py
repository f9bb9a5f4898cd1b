"""Strategy files and the instrument catalogue: TOML validated once into frozen records.

A strategy file (``strategies/<id>.toml``, or any file a user passes) reads::

    [strategy]
    id = "burry_short_nvda_pltr"
    seed = "002"                     # the seed article it comes from
    published = "2025-11-13"         # when the article appeared (splits in/after sample)
    title_en = "..."                 # a short label
    title_ko = "..."
    statement_en = "..."             # what the article says
    statement_ko = "..."
    rule_en = "..."                  # how the position is traded here
    rule_ko = "..."
    refs = ["M4.4"]                  # mechanism / claim ids (MECHANISMS.md)
    benchmark = "sp500_tr"           # sp500_tr | 60_40 | any instrument id
    rebalance = "monthly"            # daily | weekly | monthly | quarterly | never
    cost_bps = 10                    # per unit of traded notional (each dollar bought or sold)
    borrow_bps = 50                  # a year, on the short notional

    [weights]                        # static weights, fractions of capital; cash is the rest
    NVDA = -0.4
    PLTR = -0.4

or, for a rule on a monitor indicator, instead of ``[weights]``::

    [[signal.when]]                  # every condition must hold
    indicator = "net_liquidity"      # see INDICATORS
    change_days = 28                 # optional: change over this many calendar days
    op = ">"
    value = 0

    [signal.on]                      # weights while the conditions hold
    MIDCAP_AI = 0.5
    ETH = 0.5

    [signal.off]                     # weights otherwise (empty or absent: all cash)

Every error names the file and the field (:class:`StrategyError`).
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from bubblemachine.errors import StrategyError  # noqa: F401 - re-exported (defined in errors.py)

HERE = Path(__file__).resolve().parent
STRATEGY_DIR = HERE / "strategies"
INSTRUMENTS_FILE = HERE / "instruments.toml"

REBALANCE: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "never")
OPS: tuple[str, ...] = (">", "<", ">=", "<=")
SEEDS: tuple[str, ...] = ("000", "001", "002", "003", "004")

INDICATORS: dict[str, str] = {
    "net_liquidity": "Net liquidity = Fed assets - TGA - ON RRP (USD billions, weekly)",
    "real10y": "10-year TIPS real yield (percent, DFII10)",
    "ust10y": "10-year Treasury yield (percent, DGS10)",
    "ust2y": "2-year Treasury yield (percent, DGS2)",
    "hy_oas": "High-yield option-adjusted spread (percent)",
    "ig_oas": "Investment-grade option-adjusted spread (percent)",
    "vix": "VIX (index points)",
}
"""Indicators a signal may use (the monitor's ids, ``bubblemachine monitor``)."""

MAX_ABS_WEIGHT = 10.0
"""Largest accepted weight of one instrument (1,000% of capital)."""
MAX_GROSS = 10.0
"""Largest accepted gross exposure (sum of absolute weights)."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_INSTRUMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-^]{0,39}$")
_REF = re.compile(r"^[MCF]\d+(\.\d+)?[a-z]?$")


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Condition:
    """One condition of a signal: ``transform(indicator) op value``.

    Attributes:
        indicator: an id of :data:`INDICATORS`.
        change_days: None compares the level; a number compares the change over that many
            calendar days (latest known value minus the last value on or before
            ``date - change_days``).
        op: one of ``>``, ``<``, ``>=``, ``<=``.
        value: the threshold, in the indicator's units.
    """

    indicator: str
    op: str
    value: float
    change_days: int | None = None

    def holds(self, x: float) -> bool:
        """Whether ``x`` (the transformed indicator) satisfies the condition (False if NaN)."""
        if not math.isfinite(x):
            return False
        return {">": x > self.value, "<": x < self.value, ">=": x >= self.value, "<=": x <= self.value}[self.op]

    def describe(self) -> str:
        what = self.indicator if self.change_days is None else f"{self.change_days}-day change of {self.indicator}"
        return f"{what} {self.op} {self.value:g}"


@dataclass(frozen=True)
class Signal:
    """A rule on monitor indicators: weights ``on`` while every condition holds, else ``off``."""

    when: tuple[Condition, ...]
    on: tuple[tuple[str, float], ...]
    off: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Strategy:
    """One validated strategy (see the module docstring for the file format).

    Attributes:
        weights: static weights (instrument, fraction of capital), cash excluded; empty for
            a signal strategy.
        signal: the rule, or None for static weights.
        file: the file it was read from.
        digest: SHA-256 (first 16 hex digits) of the file's bytes.
    """

    id: str
    seed: str
    title_en: str
    title_ko: str
    statement_en: str
    statement_ko: str
    rule_en: str
    rule_ko: str
    benchmark: str
    rebalance: str
    cost_bps: float
    borrow_bps: float
    weights: tuple[tuple[str, float], ...]
    signal: Signal | None
    refs: tuple[str, ...] = ()
    published: str | None = None
    file: str = "<none>"
    digest: str = ""

    @property
    def instruments(self) -> tuple[str, ...]:
        """Every instrument the strategy may hold (in file order, no duplicates, cash excluded)."""
        names = [n for n, _ in self.weights]
        if self.signal is not None:
            names += [n for n, _ in self.signal.on] + [n for n, _ in self.signal.off]
        return tuple(dict.fromkeys(names))

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.indicator for c in self.signal.when)) if self.signal else ()

    @property
    def has_shorts(self) -> bool:
        regimes = [self.weights] + ([self.signal.on, self.signal.off] if self.signal else [])
        return any(w < 0 for reg in regimes for _, w in reg)


@dataclass(frozen=True)
class Basket:
    """An equal-weight basket of store series (rebalanced daily)."""

    id: str
    members: tuple[str, ...]
    min_members: int
    label_en: str
    label_ko: str


@dataclass(frozen=True)
class Bond:
    """A constant-maturity par bond rebuilt daily from a yield series (percent)."""

    id: str
    yield_series: str
    maturity: float
    label_en: str
    label_ko: str


@dataclass(frozen=True)
class Benchmark:
    """A benchmark portfolio (no costs)."""

    id: str
    weights: tuple[tuple[str, float], ...]
    rebalance: str
    label_en: str
    label_ko: str


@dataclass(frozen=True)
class Instruments:
    """The instrument catalogue (``instruments.toml``)."""

    calendar: str
    max_stale_days: int
    cash_id: str
    cash_rate: str
    cash_label_en: str
    cash_label_ko: str
    baskets: dict[str, Basket]
    bonds: dict[str, Bond]
    benchmarks: dict[str, Benchmark]
    file: str
    digest: str

    def label(self, name: str, lang: str = "en") -> str:
        """A human label of an instrument id (the id itself for a plain store series)."""
        rec = self.baskets.get(name) or self.bonds.get(name) or self.benchmarks.get(name)
        if rec is not None:
            return rec.label_ko if lang == "ko" else rec.label_en
        if name == self.cash_id:
            return self.cash_label_ko if lang == "ko" else self.cash_label_en
        return name


# ----------------------------------------------------------------------------- helpers
def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def read_toml(path: Path, what: str) -> tuple[dict[str, Any], bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StrategyError(f"{path}: {what} file not found") from None
    except OSError as exc:
        raise StrategyError(f"{path}: cannot read the {what} file: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(data.decode("utf-8")), data
    except UnicodeDecodeError:
        raise StrategyError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise StrategyError(f"{path}: invalid TOML: {exc}") from None


class Fields:
    """Reads the fields of one TOML table, naming the file and field in every error."""

    def __init__(self, file: Path, table: str, raw: Any):
        self.file, self.table = file, table
        if not isinstance(raw, dict):
            raise StrategyError(f"{file}: [{table}] must be a table, got {type(raw).__name__}")
        self.raw = raw
        self.used: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.file}: [{self.table}] {key}"

    def get(self, key: str, default: Any = ..., *, kind: type | tuple[type, ...] = str) -> Any:
        self.used.add(key)
        if key not in self.raw:
            if default is ...:
                raise StrategyError(f"{self.where(key)}: missing (required)")
            return default
        v = self.raw[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(v, bool) and bool not in kinds:
            raise StrategyError(f"{self.where(key)}: expected {_kind_name(kinds)}, got {v!r}")
        if not isinstance(v, kinds):
            raise StrategyError(f"{self.where(key)}: expected {_kind_name(kinds)}, got {v!r}")
        return v

    def text(self, key: str, default: Any = ...) -> str:
        v = self.get(key, default)
        if isinstance(v, str):
            v = " ".join(v.split())
            if not v and default is ...:
                raise StrategyError(f"{self.where(key)}: must not be empty")
        return v

    def number(self, key: str, default: Any = ..., *, low: float, high: float) -> float:
        v = self.get(key, default, kind=(int, float))
        if v is None:
            return v
        v = float(v)
        if not math.isfinite(v) or not low <= v <= high:
            raise StrategyError(f"{self.where(key)}: {v!r} is outside {low:g}..{high:g}")
        return v

    def choice(self, key: str, choices: tuple[str, ...], default: Any = ...) -> str:
        v = self.get(key, default)
        if v not in choices:
            raise StrategyError(f"{self.where(key)}: {v!r} is not one of {', '.join(choices)}")
        return v

    def done(self) -> None:
        extra = sorted(set(self.raw) - self.used)
        if extra:
            raise StrategyError(f"{self.file}: [{self.table}] unknown field(s) {', '.join(map(repr, extra))}")


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {str: "text", int: "a number", float: "a number", list: "a list", dict: "a table", bool: "true/false"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def _weights(file: Path, table: str, raw: Any, *, cash_id: str) -> tuple[tuple[str, float], ...]:
    """Validate a weights table; an explicit cash entry must make the total 1."""
    if not isinstance(raw, dict):
        raise StrategyError(f"{file}: [{table}] must be a table of instrument = weight, got {raw!r}")
    out: list[tuple[str, float]] = []
    cash = None
    for name, w in raw.items():
        where = f"{file}: [{table}] {name}"
        if not _INSTRUMENT.match(name):
            raise StrategyError(f"{where}: {name!r} is not an instrument id (letters, digits, _ . - ^)")
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(float(w)):
            raise StrategyError(f"{where}: weight must be a finite number, got {w!r}")
        w = float(w)
        if abs(w) > MAX_ABS_WEIGHT:
            raise StrategyError(f"{where}: weight {w:g} is beyond +/-{MAX_ABS_WEIGHT:g} (1,000% of capital)")
        if name == cash_id:
            cash = w
            continue
        if w != 0.0:
            out.append((name, w))
    gross = sum(abs(w) for _, w in out)
    if gross > MAX_GROSS:
        raise StrategyError(f"{file}: [{table}] gross exposure {gross:g} is beyond {MAX_GROSS:g} (sum of |weights|)")
    if cash is not None:
        total = cash + sum(w for _, w in out)
        if abs(total - 1.0) > 1e-9:
            raise StrategyError(
                f"{file}: [{table}] {cash_id} = {cash:g} makes the weights add up to {total:g}, not 1 "
                f"(leave {cash_id} out and the rest of the capital is cash)"
            )
    return tuple(out)


def _date(f: Fields, key: str) -> str | None:
    v = f.get(key, None, kind=(str, date))
    if v is None:
        return None
    if isinstance(v, date):
        return v.isoformat()
    try:
        return date.fromisoformat(v.strip()).isoformat()
    except ValueError:
        raise StrategyError(f"{f.where(key)}: {v!r} is not a date (YYYY-MM-DD)") from None


def _condition(file: Path, k: int, raw: Any) -> Condition:
    f = Fields(file, f"signal.when #{k}", raw)
    ind = f.get("indicator")
    if ind not in INDICATORS:
        raise StrategyError(f"{f.where('indicator')}: unknown indicator {ind!r}; valid: {', '.join(INDICATORS)}")
    op = f.choice("op", OPS)
    value = f.number("value", low=-1e12, high=1e12)
    cd = f.get("change_days", None, kind=int)
    if cd is not None and not 1 <= cd <= 3650:
        raise StrategyError(f"{f.where('change_days')}: {cd} is outside 1..3650 calendar days")
    f.done()
    return Condition(indicator=ind, op=op, value=value, change_days=cd)


def _signal(file: Path, raw: Any, *, cash_id: str) -> Signal:
    if not isinstance(raw, dict):
        raise StrategyError(f"{file}: [signal] must be a table")
    extra = sorted(set(raw) - {"when", "on", "off"})
    if extra:
        raise StrategyError(f"{file}: [signal] unknown field(s) {', '.join(map(repr, extra))} (expected when, on, off)")
    when = raw.get("when")
    if isinstance(when, dict):
        when = [when]
    if not isinstance(when, list) or not when:
        raise StrategyError(f"{file}: [signal] needs at least one [[signal.when]] condition")
    conds = tuple(_condition(file, k, c) for k, c in enumerate(when, start=1))
    if "on" not in raw:
        raise StrategyError(f"{file}: [signal.on] missing: the weights while the conditions hold")
    on = _weights(file, "signal.on", raw["on"], cash_id=cash_id)
    off = _weights(file, "signal.off", raw.get("off", {}), cash_id=cash_id)
    if on == off:
        raise StrategyError(f"{file}: [signal.on] and [signal.off] are the same weights: the signal would do nothing")
    return Signal(when=conds, on=on, off=off)


# ----------------------------------------------------------------------------- loading
def load_strategy(path: str | Path, *, instruments: Instruments | None = None) -> Strategy:
    """Read and validate one strategy file.

    Args:
        path: a ``.toml`` strategy file.
        instruments: the instrument catalogue (default: the shipped one).

    Raises:
        StrategyError: naming the file and the field.
    """
    path = Path(path)
    inst = instruments or load_instruments()
    doc, data = read_toml(path, "strategy")
    extra = sorted(set(doc) - {"strategy", "weights", "signal"})
    if extra:
        raise StrategyError(f"{path}: unknown table(s) {', '.join(map(repr, extra))} (expected [strategy], [weights] or [signal])")
    if "strategy" not in doc:
        raise StrategyError(f"{path}: [strategy] table missing")
    f = Fields(path, "strategy", doc["strategy"])
    sid = f.get("id")
    if not _ID.match(sid):
        raise StrategyError(f"{f.where('id')}: {sid!r} is not an id (letters, digits, _ . -; at most 64)")
    seed = f.get("seed", "user")
    if isinstance(seed, str) and not seed.strip():
        raise StrategyError(f"{f.where('seed')}: must not be empty")
    benchmark = f.get("benchmark", "sp500_tr")
    if not _INSTRUMENT.match(benchmark):
        raise StrategyError(f"{f.where('benchmark')}: {benchmark!r} is neither a benchmark ({', '.join(inst.benchmarks)}) nor an instrument id")
    refs = f.get("refs", [], kind=list)
    for r in refs:
        if not isinstance(r, str) or not _REF.match(r):
            raise StrategyError(f"{f.where('refs')}: {r!r} is not a mechanism or claim id such as M4.4 or C3.2")
    rec = dict(
        id=sid,
        seed=seed.strip(),
        title_en=f.text("title_en", sid),
        title_ko=f.text("title_ko", sid),
        statement_en=f.text("statement_en"),
        statement_ko=f.text("statement_ko"),
        rule_en=f.text("rule_en", ""),
        rule_ko=f.text("rule_ko", ""),
        benchmark=benchmark,
        rebalance=f.choice("rebalance", REBALANCE, "monthly"),
        cost_bps=f.number("cost_bps", 10.0, low=0.0, high=1000.0),
        borrow_bps=f.number("borrow_bps", 50.0, low=0.0, high=10000.0),
        refs=tuple(refs),
        published=_date(f, "published"),
    )
    f.done()
    has_w, has_s = "weights" in doc, "signal" in doc
    if has_w == has_s:
        raise StrategyError(f"{path}: give either [weights] (static) or [signal] (a rule), not {'both' if has_w else 'neither'}")
    weights = _weights(path, "weights", doc["weights"], cash_id=inst.cash_id) if has_w else ()
    signal = _signal(path, doc["signal"], cash_id=inst.cash_id) if has_s else None
    if signal is not None and rec["rebalance"] == "never":
        raise StrategyError(f"{f.where('rebalance')}: 'never' cannot follow a signal; use daily, weekly, monthly or quarterly")
    for name in (n for n, _ in weights) if weights else ():
        if name in inst.benchmarks:
            raise StrategyError(f"{path}: [weights] {name}: a benchmark is not an instrument")
    return Strategy(weights=weights, signal=signal, file=str(path), digest=digest_bytes(data), **rec)


def shipped_files() -> list[Path]:
    """The strategy files shipped with the package (sorted)."""
    return sorted(STRATEGY_DIR.glob("*.toml"))


def load_strategies(files: list[str | Path] | None = None, *, shipped: bool = True) -> list[Strategy]:
    """The shipped strategies (if ``shipped``) plus ``files``; ids must be unique.

    Raises:
        StrategyError: a malformed file, or an id used twice (naming both files).
    """
    inst = load_instruments()
    paths = (shipped_files() if shipped else []) + [Path(p) for p in files or []]
    out: list[Strategy] = []
    seen: dict[str, str] = {}
    for p in paths:
        if Path(p).is_dir():
            raise StrategyError(f"{p}: is a folder; give strategy files (*.toml)")
        s = load_strategy(p, instruments=inst)
        if s.id in seen:
            raise StrategyError(f"{p}: strategy id {s.id!r} is already used by {seen[s.id]}")
        seen[s.id] = s.file
        out.append(s)
    return out


def select(strategies: list[Strategy], ids: list[str] | None) -> list[Strategy]:
    """The strategies named by ``ids`` (in that order); StrategyError listing valid ids."""
    if not ids:
        return list(strategies)
    by_id = {s.id: s for s in strategies}
    bad = [i for i in ids if i not in by_id]
    if bad:
        import difflib

        hints = [m for b in bad for m in difflib.get_close_matches(b, list(by_id), n=1)]
        hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
        raise StrategyError(f"--id: unknown strategy {', '.join(map(repr, bad))}{hint}; valid: {', '.join(by_id)}")
    return [by_id[i] for i in dict.fromkeys(ids)]


@cache
def _instruments_cached(path: str) -> Instruments:
    return _parse_instruments(Path(path))


def load_instruments(path: str | Path | None = None) -> Instruments:
    """The instrument catalogue (default: the shipped ``instruments.toml``), parsed once."""
    return _instruments_cached(str(Path(path) if path is not None else INSTRUMENTS_FILE))


def _parse_instruments(path: Path) -> Instruments:
    doc, data = read_toml(path, "instrument catalogue")
    extra = sorted(set(doc) - {"calendar", "basket", "bond", "cash", "benchmark"})
    if extra:
        raise StrategyError(f"{path}: unknown table(s) {', '.join(map(repr, extra))}")
    cal = Fields(path, "calendar", doc.get("calendar", {}))
    calendar = cal.get("series")
    stale = cal.get("max_stale_days", 7, kind=int)
    cal.done()
    cash = Fields(path, "cash", doc.get("cash", {}))
    cash_id, cash_rate = cash.get("id"), cash.get("rate")
    cash_en, cash_ko = cash.text("label_en"), cash.text("label_ko")
    cash.done()
    baskets: dict[str, Basket] = {}
    for bid, raw in doc.get("basket", {}).items():
        f = Fields(path, f"basket.{bid}", raw)
        members = f.get("members", kind=list)
        if not members or not all(isinstance(m, str) and _INSTRUMENT.match(m) for m in members):
            raise StrategyError(f"{f.where('members')}: expected a non-empty list of series ids, got {members!r}")
        mm = f.get("min_members", len(members), kind=int)
        if not 1 <= mm <= len(members):
            raise StrategyError(f"{f.where('min_members')}: {mm} is outside 1..{len(members)}")
        baskets[bid] = Basket(bid, tuple(members), mm, f.text("label_en"), f.text("label_ko"))
        f.done()
    bonds: dict[str, Bond] = {}
    for bid, raw in doc.get("bond", {}).items():
        f = Fields(path, f"bond.{bid}", raw)
        bonds[bid] = Bond(bid, f.get("yield"), f.number("maturity", low=0.25, high=50.0), f.text("label_en"), f.text("label_ko"))
        f.done()
    benchmarks: dict[str, Benchmark] = {}
    for bid, raw in doc.get("benchmark", {}).items():
        f = Fields(path, f"benchmark.{bid}", raw)
        w = _weights(path, f"benchmark.{bid}.weights", f.get("weights", kind=dict), cash_id=cash_id)
        if not w:
            raise StrategyError(f"{f.where('weights')}: a benchmark needs at least one instrument")
        benchmarks[bid] = Benchmark(bid, w, f.choice("rebalance", REBALANCE, "never"), f.text("label_en"), f.text("label_ko"))
        f.done()
    clash = (set(baskets) & set(bonds)) | ({cash_id} & (set(baskets) | set(bonds)))
    if clash:
        raise StrategyError(f"{path}: id(s) {', '.join(sorted(clash))} defined twice")
    return Instruments(calendar=calendar, max_stale_days=stale, cash_id=cash_id, cash_rate=cash_rate,
                       cash_label_en=cash_en, cash_label_ko=cash_ko, baskets=baskets, bonds=bonds,
                       benchmarks=benchmarks, file=str(path), digest=digest_bytes(data))  # fmt: skip
