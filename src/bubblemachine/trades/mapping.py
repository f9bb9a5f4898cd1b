"""The instrument-to-model mapping (``mapping/<model>.toml``), validated into frozen records.

The file format is documented in ``mapping/ai_liquidity.toml`` itself. A model without a
mapping file cannot run strategies; an instrument or indicator without an entry cannot be
represented in that model (:meth:`Mapping.representable` names them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bubblemachine.trades.spec import INDICATORS, Fields, StrategyError, digest_bytes, read_toml

MAPPING_DIR = Path(__file__).resolve().parent / "mapping"
KINDS: tuple[str, ...] = ("price", "bond")
FIDELITY: tuple[str, ...] = ("exact", "proxy")


@dataclass(frozen=True)
class InstrumentMap:
    """One instrument in the model: ``variable``, how to read it, and how faithfully."""

    id: str
    variable: str
    kind: str
    fidelity: str
    income: float = 0.0
    maturity: float = 10.0
    note: str = ""


@dataclass(frozen=True)
class IndicatorMap:
    """One signal indicator in the model: the simulated ``variable`` and the real ``history`` before it."""

    id: str
    variable: str
    history: str
    fidelity: str
    note: str = ""


@dataclass(frozen=True)
class Mapping:
    """The mapping of one model.

    Attributes:
        model: the model's name.
        cash: the cash rate (``kind = "rate"``).
        instruments, indicators: by id.
        file, digest: where it was read from and the SHA-256 prefix of its bytes.
    """

    model: str
    cash: InstrumentMap
    instruments: dict[str, InstrumentMap]
    indicators: dict[str, IndicatorMap]
    file: str
    digest: str

    def variables(self, instruments: list[str], indicators: list[str]) -> list[str]:
        """The model variables needed for these instruments and indicators (plus cash)."""
        out = [self.cash.variable]
        out += [self.instruments[i].variable for i in instruments if i in self.instruments]
        out += [self.indicators[i].variable for i in indicators if i in self.indicators]
        return list(dict.fromkeys(out))

    def missing(self, instruments: list[str], indicators: list[str]) -> tuple[str, ...]:
        """The instruments and indicators this model cannot represent."""
        return tuple([i for i in instruments if i not in self.instruments]
                     + [i for i in indicators if i not in self.indicators])  # fmt: skip

    def proxies(self, instruments: list[str], indicators: list[str]) -> tuple[str, ...]:
        """``"NVDA->chips"``-style notes for the ones represented only by a proxy."""
        out = [f"{i}->{self.instruments[i].variable}" for i in instruments
               if i in self.instruments and self.instruments[i].fidelity == "proxy"]
        out += [f"{i}->{self.indicators[i].variable}" for i in indicators
                if i in self.indicators and self.indicators[i].fidelity == "proxy"]  # fmt: skip
        return tuple(out)


def mapping_path(model: str) -> Path:
    return MAPPING_DIR / f"{model}.toml"


@cache
def _load_cached(path: str) -> Mapping:
    return _parse(Path(path))


def load_mapping(model: str, path: str | Path | None = None) -> Mapping:
    """The mapping of ``model`` (default file ``mapping/<model>.toml``), parsed once.

    Raises:
        StrategyError: no mapping for the model (listing the models that have one), or a
            malformed file (naming the field).
    """
    p = Path(path) if path is not None else mapping_path(model)
    if path is None and not p.is_file():
        have = ", ".join(sorted(f.stem for f in MAPPING_DIR.glob("*.toml"))) or "none"
        raise StrategyError(f"model {model!r} has no instrument mapping ({p}); models with one: {have}")
    m = _load_cached(str(p))
    if m.model != model:
        raise StrategyError(f"{p}: [model] name is {m.model!r}, not {model!r}")
    return m


def _parse(path: Path) -> Mapping:
    doc, data = read_toml(path, "instrument mapping")
    extra = sorted(set(doc) - {"model", "cash", "instrument", "indicator"})
    if extra:
        raise StrategyError(f"{path}: unknown table(s) {', '.join(map(repr, extra))}")
    mf = Fields(path, "model", doc.get("model", {}))
    name = mf.get("name")
    mf.done()
    cf = Fields(path, "cash", doc.get("cash", {}))
    cash = InstrumentMap("CASH", cf.get("variable"), cf.choice("kind", ("rate",)), cf.choice("fidelity", FIDELITY),
                         note=cf.text("note", ""))  # fmt: skip
    cf.done()
    instruments: dict[str, InstrumentMap] = {}
    for iid, raw in doc.get("instrument", {}).items():
        f = Fields(path, f"instrument.{iid}", raw)
        kind = f.choice("kind", KINDS)
        instruments[iid] = InstrumentMap(
            iid, f.get("variable"), kind, f.choice("fidelity", FIDELITY),
            income=f.number("income", 0.0, low=-0.2, high=0.2),
            maturity=f.number("maturity", 10.0, low=0.25, high=50.0) if kind == "bond" else 10.0,
            note=f.text("note", ""),
        )  # fmt: skip
        f.done()
    indicators: dict[str, IndicatorMap] = {}
    for iid, raw in doc.get("indicator", {}).items():
        f = Fields(path, f"indicator.{iid}", raw)
        if iid not in INDICATORS:
            raise StrategyError(f"{path}: [indicator.{iid}] is not a signal indicator; valid: {', '.join(INDICATORS)}")
        hist = f.get("history")
        if hist not in INDICATORS:
            raise StrategyError(f"{f.where('history')}: {hist!r} is not an indicator; valid: {', '.join(INDICATORS)}")
        indicators[iid] = IndicatorMap(iid, f.get("variable"), hist, f.choice("fidelity", FIDELITY), f.text("note", ""))
        f.done()
    return Mapping(model=name, cash=cash, instruments=instruments, indicators=indicators, file=str(path),
                   digest=digest_bytes(data))  # fmt: skip
