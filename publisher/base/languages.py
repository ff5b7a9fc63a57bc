"""The language variants an edition can be published in: their tags, their OpenCC
configurations and their quotation marks. Shared by the configuration, the
sources' validation and the variant step; it imports none of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from publisher.base.errors import PublisherError

QuoteStyle = Literal["curly", "corner"]


@dataclass(frozen=True)
class Variant:
    """A published variant; ``tag`` is its BCP 47 tag and its output folder's name."""

    tag: str
    opencc_config: str | None  # None: the text stays as written
    quotes: QuoteStyle  # the default; an edition may choose otherwise
    description: str
    name: str = ""  # as its readers call it, in its own script (the web edition's switch)


VARIANTS = {
    variant.tag: variant
    for variant in (
        Variant(
            "zh-Hans", None, "curly", "Simplified Chinese, as the sources are written", "简体中文"
        ),
        Variant(
            "zh-Hant", "s2t", "curly", "Traditional Chinese, OpenCC's standard forms", "繁體中文"
        ),
        Variant(
            "zh-Hant-TW", "s2twp", "corner", "Taiwan: characters, vocabulary and 「」", "臺灣正體"
        ),
        Variant("zh-Hant-HK", "s2hk", "corner", "Hong Kong: characters and 「」", "香港繁體"),
    )
}
ALIASES = {"zh-TW": "zh-Hant-TW", "zh-HK": "zh-Hant-HK", "zh-CN": "zh-Hans"}
DICTIONARY_ALL = "all"  # dictionary key for an entry that holds in every Traditional variant


def canonical_tag(tag: str) -> str | None:
    """The variant tag for ``tag`` or one of its aliases, else None."""
    tag = ALIASES.get(tag, tag)
    return tag if tag in VARIANTS else None


def variant_named(tag: str) -> Variant:
    """The variant for a tag or alias, or an error listing the tags there are."""
    canonical = canonical_tag(tag)
    if canonical is None:
        names = ", ".join([*VARIANTS, *ALIASES])
        raise PublisherError(f"unknown variant `{tag}`; the variants are: {names}")
    return VARIANTS[canonical]
