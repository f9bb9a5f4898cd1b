"""Translation catalogs: flat keys from TOML files, merged across packages.

A catalog directory holds ``en.toml`` and ``ko.toml``; tables nest keys with dots
(``[chart.net_liquidity] title = "..."`` is key ``chart.net_liquidity.title``). Several
directories merge into one :class:`Catalog`; the same key defined twice is an error.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from bubblemachine.errors import ReportError

LANGS: tuple[str, ...] = ("ko", "en")


def _flatten(d: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = str(v)
    return out


class Catalog:
    """Messages by language and key.

    Args:
        messages: lang -> key -> text.
        sources: lang -> key -> file it came from (for error messages).
    """

    def __init__(
        self, messages: dict[str, dict[str, str]], sources: dict[str, dict[str, str]] | None = None
    ):
        self.messages = messages
        self.sources = sources or {}

    @classmethod
    def load(cls, dirs: Iterable[str | Path]) -> Catalog:
        """Merge ``<dir>/<lang>.toml`` of every directory; a key defined twice is an error."""
        messages: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        sources: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        for d in dirs:
            for lang in LANGS:
                path = Path(d) / f"{lang}.toml"
                if not path.exists():
                    raise ReportError(
                        f"translation catalog {path} is missing (every catalog dir needs {', '.join(f'{x}.toml' for x in LANGS)})"
                    )
                try:
                    data = tomllib.loads(path.read_text(encoding="utf-8"))
                except tomllib.TOMLDecodeError as exc:
                    raise ReportError(f"{path}: {exc}") from None
                for key, text in _flatten(data).items():
                    if key in messages[lang]:
                        raise ReportError(
                            f"{path}: key {key!r} is already defined in {sources[lang][key]}"
                        )
                    messages[lang][key] = text
                    sources[lang][key] = str(path)
        return cls(messages, sources)

    def add(self, messages: dict[str, dict[str, str]], *, source: str) -> None:
        """Add entries that come from data rather than a catalog file (e.g. the labels a model
        declares for its attribution groups): ``{lang: {key: text}}``.

        A key already defined with another text is an error naming both sources; the same text
        again is accepted (a provider may run twice).
        """
        for lang, entries in messages.items():
            if lang not in self.messages:
                raise ReportError(f"{source}: language {lang!r} is not one of {', '.join(LANGS)}")
            for key, text in entries.items():
                old = self.messages[lang].get(key)
                if old is not None and old != text:
                    raise ReportError(
                        f"{source}: key {key!r} is already defined in {self.sources.get(lang, {}).get(key, '?')}"
                    )
                self.messages[lang][key] = text
                self.sources.setdefault(lang, {})[key] = source

    def t(self, key: str, lang: str) -> str:
        """The text of ``key`` in ``lang``; ReportError naming the key if it is missing."""
        try:
            return self.messages[lang][key]
        except KeyError:
            raise ReportError(
                f"translation key {key!r} is missing from the {lang!r} catalogs"
            ) from None

    def missing(self, keys: Iterable[str]) -> dict[str, list[str]]:
        """lang -> keys (sorted) absent from that language."""
        return {
            lang: sorted(k for k in set(keys) if k not in self.messages.get(lang, {}))
            for lang in LANGS
        }
