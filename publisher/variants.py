"""Language variants of an edition.

A variant turns the parsed edition (Simplified Chinese, as written) into the
edition a region's readers get. It works on the document only and knows
nothing about output formats: every writer receives an already-converted
:class:`~publisher.document.Edition`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .document import Edition
from .errors import PublisherError


@dataclass(frozen=True)
class Variant:
    """A published variant; ``tag`` is its BCP 47 tag and its output folder's name."""

    tag: str
    description: str


VARIANTS = {
    "zh-Hans": Variant("zh-Hans", "Simplified Chinese, as the sources are written"),
}


def variant_named(tag: str) -> Variant:
    """The variant for a tag, or an error listing the tags there are."""
    try:
        return VARIANTS[tag]
    except KeyError:
        raise PublisherError(
            f"unknown variant `{tag}`; the variants are: {', '.join(VARIANTS)}"
        ) from None


def apply_variant(edition: Edition, variant: Variant) -> Edition:
    """The edition as ``variant``'s readers get it."""
    if variant.tag == edition.lang:
        return edition
    raise PublisherError(f"no conversion from {edition.lang} to {variant.tag}")
