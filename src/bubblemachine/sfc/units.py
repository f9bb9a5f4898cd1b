"""The vocabulary of parameter units, with their Korean labels.

A parameter record's ``unit`` is free text, but the shipped models use the words below, so
every table that shows units (``bubblemachine models params --lang ko``, the web app's
sliders, ``docs/parameters.md``) can say them in Korean. A unit outside the vocabulary is
shown as written. A test checks that every unit of every shipped model is listed here.
"""

from __future__ import annotations

#: English unit -> Korean label.
UNITS: dict[str, str] = {
    # money: the AI model (USD billions) and the textbook models (money units of the book)
    "USD bn": "십억 달러",
    "USD bn/yr": "십억 달러/년",
    "USD bn/quarter": "십억 달러/분기",
    "USD bn/day": "십억 달러/일",
    "USD bn per index point": "십억 달러/지수 포인트",
    "USD bn per USD": "십억 달러/달러",
    "$": "$",
    "$/period": "$/기",
    "$ per unit of labour": "$/노동 단위",
    "units of output per unit of labour": "노동 단위당 산출",
    "units of output per period": "산출 단위/기",
    # rates, shares, elasticities
    "share": "비율",
    "dimensionless": "무차원",
    "standard deviations": "표준편차",
    "0/1": "스위치",
    "percent": "%",
    "pp": "%p",
    "pp/day": "%p/일",
    "pp per USD bn": "%p/십억 달러",
    "pp per USD bn/day": "%p/(십억 달러/일)",
    "1/day": "1/일",
    "1/period": "1/기",
    "log/yr": "로그/년",
    "log/day": "로그/일",
    "log points": "로그 포인트",
    "annual vol": "연율 변동성",
    "1/VIX point": "1/VIX 포인트",
    "VIX points/day": "VIX 포인트/일",
    "index (2025 = 1)": "지수 (2025 = 1)",
    # time and quantities
    "years": "년",
    "1/yr": "1/년",
    "ratio": "배율",
    "share/pp": "비율/%p",
    "index points": "지수 포인트",
    "GW/yr": "GW/년",
    "USD bn/GW": "십억 달러/GW",
    "USD/MWh": "달러/MWh",
    "business days": "영업일",
    "business day of quarter": "분기 내 영업일",
    "million BTC": "백만 BTC",
    "million ETH": "백만 ETH",
    # the data store's units (forecast and backtest tables)
    "USD": "달러",
    "USD billions": "십억 달러",
    "USD millions": "백만 달러",
    "percentage points": "%p",
}


def unit_label(unit: str, lang: str = "en") -> str:
    """``unit`` in ``lang`` (``ko``: its Korean label when the vocabulary has one)."""
    if lang == "ko":
        return UNITS.get(unit, unit)
    return unit
