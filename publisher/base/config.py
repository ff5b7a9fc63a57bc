"""The source schemas, declared once: edition.yaml and an article's front matter.

Each option is declared with its type, its default and what it is for (the
``description``), as MkDocs declares its config. :func:`validate` turns a
pydantic error into a :class:`SourceError` that names the file, the YAML line
and the valid choices.
"""

from __future__ import annotations

import datetime
import difflib
import re
import reprlib
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from publisher.base import yamltext
from publisher.base.errors import PublisherError, SourceError
from publisher.base.languages import QuoteStyle, variant_named
from publisher.base.limits import (
    MAX_TITLE_CHARS,
    PublicationDate,
    check_yaml_expansion,
    remove_control_characters_in,
)

SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# The fonts an edition may choose per variant for its DOCX (styles/docx-fonts.yaml).
DOCX_FONT_KEYS = ("body", "heading", "latin", "latin_heading")


def _variant_tag(tag: str) -> str:
    try:
        return variant_named(tag).tag
    except PublisherError as error:
        raise ValueError(str(error)) from None  # pydantic reports it with the YAML line


# A variant tag or alias in edition.yaml, stored as the canonical tag (zh-TW -> zh-Hant-TW).
VariantTag = Annotated[str, AfterValidator(_variant_tag)]


class _Schema(BaseModel):
    # Unknown keys are errors: in hand-written YAML they are nearly always typos.
    # The validators are built when first used, in the process that reads the
    # sources: a build's workers only unpickle configs, and skip the 0.15 s.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# Page sizes by name, in millimetres, portrait: CSS's (css-page-3), and the book
# formats (开本) of GB/T 788: 16开 and 32开 cut from 787 × 1092 mm paper, 大16开
# and 大32开 from 850 × 1168 mm.
NAMED_PAGES = {
    "a5": (148, 210), "a4": (210, 297), "a3": (297, 420), "b5": (176, 250),
    "b4": (250, 353), "jis-b5": (182, 257), "jis-b4": (257, 364), "letter": (215.9, 279.4),
    "legal": (215.9, 355.6), "ledger": (279.4, 431.8),
    "16开": (185, 260), "大16开": (210, 285), "32开": (130, 184), "大32开": (140, 203),
}  # fmt: skip
UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "q": 0.25}


def length_mm(text: str) -> float | None:
    """An absolute CSS length in millimetres (None if it is not one)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(mm|cm|in|pt|pc|q)", text.strip().lower())
    return float(match[1]) * UNITS_MM[match[2]] if match else None


def page_size_mm(page_size: str) -> tuple[float, float] | None:
    """The page's width and height in millimetres: a name (A4, 16开 …, optionally
    ``landscape``) or two lengths (bare numbers are millimetres); None if neither."""
    words = page_size.lower().replace("×", " ").split()
    landscape = "landscape" in words
    words = [w for w in words if w not in ("portrait", "landscape")]
    if len(words) == 1 and words[0] in NAMED_PAGES:
        size = NAMED_PAGES[words[0]]
    elif len(words) == 2 and all(re.fullmatch(r"\d+(\.\d+)?", w) for w in words):
        size = (float(words[0]), float(words[1]))
    elif len(words) in (1, 2) and all(length_mm(w) for w in words):
        lengths = [length_mm(w) or 0.0 for w in words]
        size = (lengths[0], lengths[-1])
    else:
        return None
    width, height = sorted(size, reverse=landscape) if landscape else size
    return (width, height) if min(width, height) >= 50 else None


class PressOptions(_Schema):
    """``pdf: {press: …}`` in edition.yaml: the press PDF, written beside the proof."""

    profile: str | None = Field(
        None,
        description="The print shop's CMYK ICC profile, a file in the source folder. Default: "
        "Japan Color 2001 Coated, the coated-paper condition Chinese print shops commonly ask "
        "for (Adobe's profile, as the pinned npm package press-ready ships it).",
    )
    condition: str | None = Field(
        None,
        pattern=r"^\S.*$",
        description="The registered name of `profile`'s printing condition (e.g. FOGRA39, "
        "CGATS TR 006), written as the PDF/X output condition; default the profile's name.",
    )
    bleed: str = Field(
        "3mm", description="How far pictures and backgrounds at the page's edge run past the trim."
    )
    min_ppi: int = Field(
        300,
        ge=72,
        le=2400,
        description="Pictures printed at fewer pixels per inch than this are warned about.",
    )

    @field_validator("bleed")
    @classmethod
    def _bleed_is_a_length(cls, value: str) -> str:
        millimetres = length_mm(value)
        if millimetres is None or millimetres > 20:
            raise ValueError(f"the bleed `{value}` is not a length up to 20 mm (e.g. `3mm`)")
        return value


class PdfOptions(_Schema):
    """``pdf:`` in edition.yaml: the print edition."""

    page_size: str = Field(
        "A4",
        description="The page: a name (A4, A5, B5, JIS-B5, letter; 16开 185 × 260 mm, 大16开 "
        "210 × 285, 32开 130 × 184, 大32开 140 × 203; `landscape` after it turns it) or "
        "`WIDTH HEIGHT` in millimetres (`185 260`) or CSS lengths (`185mm 260mm`).",
    )
    margins: str = Field(
        "22mm 27.2mm 24mm",
        description="CSS margin shorthand: top, sides, bottom (or four values). The default "
        "gives A4 a text block 42 characters of 10.5 pt wide.",
    )
    tagged: bool = Field(
        True, description="Tagged PDF for accessibility (PDF/UA-1); false for an untagged PDF."
    )
    archival: bool = Field(False, description="PDF/A for archiving.")
    vertical: list[VariantTag] = Field(
        default_factory=list,
        description="Variants whose PDFs (the edition's and each article's) are set vertically "
        "(直排, through Vivliostyle and chromium), e.g. `[zh-Hant-TW, zh-Hant-HK]`.",
    )
    horizontal: bool = Field(
        False,
        description="With `vertical`, also keep those variants' horizontal PDFs, as "
        "`<name>-horizontal.pdf` and `articles/<slug>-horizontal.pdf`.",
    )
    cover: str | None = Field(
        None, description="The PDF's own cover image, instead of `cover:` (PNG or JPEG)."
    )
    articles: Literal["new-page", "continuous"] = Field(
        "new-page",
        description="`continuous`: in the edition PDF, each article runs on after the one "
        "before, below a rule, as a newspaper sets them (each article's own PDF still starts "
        "a page); `new-page`: each article starts a page.",
    )
    press: PressOptions | None = Field(
        None,
        description="`true` (or the options below) also writes `<name>-press.pdf`: PDF/X-4 with "
        "a CMYK output intent, bleed and crop marks, text and rules in black ink alone, "
        "pictures in the profile's CMYK; pictures under `min_ppi` are warned about.",
    )

    @field_validator("press", mode="before")
    @classmethod
    def _press_switch(cls, value: object) -> object:
        if value is True:
            return {}
        return None if value is False else value

    @field_validator("page_size")
    @classmethod
    def _known_page_size(cls, value: str) -> str:
        return known_page_size(value)


def known_page_size(value: str) -> str:
    """A size every output understands: CSS's names as written, the others (16开,
    bare millimetres) as CSS lengths, which the PDF, EPUB and DOCX all read."""
    size = page_size_mm(value)
    if size is None:
        shown = {n: n.upper() if n[0] in "abj" else n for n in NAMED_PAGES}
        close = difflib.get_close_matches(value.strip().lower(), list(NAMED_PAGES), n=1)
        guess = f"; did you mean `{shown[close[0]]}`?" if close else ""
        names = list(shown.values())
        raise ValueError(
            f"unknown page size `{value}`{guess} (the names are: {', '.join(names)}; "
            "or give WIDTH HEIGHT in millimetres, e.g. `185 260`)"
        )
    name = value.lower().split()[0]
    if name in NAMED_PAGES and name.isascii():
        return value  # a CSS name (A4, B5 landscape): kept as written
    return f"{size[0]:g}mm {size[1]:g}mm"


HEX_COLOUR = r"^#(?:[0-9a-fA-F]{3}){1,2}$"


class CssFiles(_Schema):
    """``css:`` in edition.yaml: a list is for every format (`all`)."""

    all: list[str] = Field(default_factory=list, description="Added to every format.")
    pdf: list[str] = Field(default_factory=list, description="Added to the PDF.")
    epub: list[str] = Field(default_factory=list, description="Added to the EPUB.")
    html: list[str] = Field(default_factory=list, description="Added to the web edition.")

    @model_validator(mode="before")
    @classmethod
    def _a_list_is_for_all(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        return {"all": value} if isinstance(value, list) else value

    def names(self, format: str | None = None) -> list[str]:
        """The files for ``format`` (every file named, without one), `all`'s first."""
        if format is None:
            return [*self.all, *self.pdf, *self.epub, *self.html]
        return [*self.all, *getattr(self, format)]


class StyleOptions(_Schema):
    """``style:`` in edition.yaml: the look, the same in the PDF, the EPUB, the web
    edition and the DOCX's styles (one red byline setting makes a red byline in Word)."""

    body_size: str | None = Field(
        None,
        description="Body text size, e.g. `12pt` (PDF, DOCX, web edition; an EPUB reader sets "
        "its own); default 10.5pt (五号).",
    )
    line_height: float | None = Field(
        None, ge=1.0, le=3.0, description="Body line height, times the size; default 1.75."
    )
    page_size: str | None = Field(
        None, description="The page, as `pdf: page_size` takes it (16开, A5, `185 260` …)."
    )
    margins: str | None = Field(None, description="The page margins, as `pdf: margins`.")
    kicker_color: str | None = Field(None, description="Kicker (引题) colour, `#b00`.")
    headline_color: str | None = Field(None, description="Headline colour, `#rrggbb`.")
    byline_color: str | None = Field(None, description="Byline colour, `#rrggbb`.")

    @field_validator("kicker_color", "headline_color", "byline_color")
    @classmethod
    def _hex_colour(cls, value: str | None) -> str | None:
        """A colour the PDF, the EPUB, the site and Word all read: hex, #b00 or #bb0000."""
        if value is not None and not re.fullmatch(HEX_COLOUR, value):
            raise ValueError(
                f"the colour `{value}` is not written as #rgb or #rrggbb (red is `#b00`, "
                "the sample's grey `#555`)"
            )
        return value

    body_face: dict[VariantTag, str] = Field(
        default_factory=dict,
        description="Per variant, the body's face, e.g. `{zh-Hans: Noto Serif CJK SC}`.",
    )
    headline_face: dict[VariantTag, str] = Field(
        default_factory=dict, description="Per variant, the headlines' face."
    )

    @field_validator("body_face", "headline_face")
    @classmethod
    def _face_names(cls, faces: dict[str, str]) -> dict[str, str]:
        """A face is named, as fontconfig lists it, in letters, digits, spaces and
        `-_.`: the name goes into CSS, where a quote or a brace would be code."""
        for face in faces.values():
            if not re.fullmatch(r"[\w .\-]{1,80}", face):
                raise ValueError(
                    f"`{face[:40]}` is not a font's name (letters, digits, spaces, `-_.`; "
                    "`fc-list : family` lists the installed ones)"
                )
        return faces

    @field_validator("body_size")
    @classmethod
    def _body_size(cls, value: str | None) -> str | None:
        millimetres = None if value is None else length_mm(value)
        if value is not None and (millimetres is None or not 2 <= millimetres <= 12):
            raise ValueError(f"the body size `{value}` is not a length from 6pt to 34pt (`12pt`)")
        return value

    @field_validator("page_size")
    @classmethod
    def _known_page_size(cls, value: str | None) -> str | None:
        return None if value is None else known_page_size(value)

    @property
    def body_points(self) -> float | None:
        millimetres = length_mm(self.body_size) if self.body_size else None
        return None if millimetres is None else round(millimetres * 72 / 25.4, 2)


def check_text_block(page_size: str, margins: str) -> None:
    """Margins that leave a text block narrower or shorter than 40 mm are a mistake
    (`200mm` on A4 laid out 152 pages of one character a line): refused. Margins not
    in absolute lengths are the stylesheet's business."""
    size = page_size_mm(page_size)
    values = [length_mm(part) for part in margins.split()]
    if size is None or not 1 <= len(values) <= 4 or None in values:
        return
    # CSS's shorthand: all; top-bottom and sides; top, sides, bottom; or all four.
    sides = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}[len(values)]
    top, right, bottom, left = (values[i] or 0.0 for i in sides)
    width, height = size[0] - left - right, size[1] - top - bottom
    if min(width, height) < 40:
        raise ValueError(
            f"the margins `{margins}` leave a text block of {max(width, 0):g} × "
            f"{max(height, 0):g} mm on a {size[0]:g} × {size[1]:g} mm page; give smaller "
            "margins (the default is `22mm 27.2mm 24mm`)"
        )


class EpubOptions(_Schema):
    """``epub:`` in edition.yaml: the distributable edition."""

    cover: str | None = Field(
        None, description="The EPUB's own cover image, instead of `cover:` (PNG or JPEG)."
    )

    embed_fonts: bool = Field(
        False, description="Embed a subset of the region's font holding only the characters used."
    )
    vertical: list[VariantTag] = Field(
        default_factory=list,
        description="Variants whose EPUB is set vertically (直排: columns top to bottom, read "
        "right to left), e.g. `[zh-Hant-TW, zh-Hant-HK]`; the others stay horizontal.",
    )


class SiteOptions(_Schema):
    """``site:`` in edition.yaml: the web edition (``publisher build html``)."""

    url: str | None = Field(
        None,
        pattern=r"^https?://[^\s]+$",
        description="Where the build folder is served (https://example.com/news/): canonical "
        "URLs, the sitemap and the feed use it; without it every link is relative.",
    )


class DocxOptions(_Schema):
    """``docx:`` in edition.yaml: the editors' edition."""

    fonts: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Per variant, fonts that replace those of styles/docx-fonts.yaml "
        "(keys: body, heading, latin, latin_heading).",
    )

    @field_validator("fonts")
    @classmethod
    def _known_font_keys(cls, fonts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for faces in fonts.values():
            unknown = sorted(set(faces) - set(DOCX_FONT_KEYS))
            if unknown:
                raise ValueError(
                    f"unknown font key `{unknown[0]}`; the keys are: {', '.join(DOCX_FONT_KEYS)}"
                )
        return {_variant_tag(tag): faces for tag, faces in fonts.items()}


class EditionConfig(_Schema):
    """``source/edition.yaml``."""

    title: str = Field(
        pattern=r"\S",
        max_length=MAX_TITLE_CHARS,
        description="The edition's title, as readers see it.",
    )
    name: str = Field(
        pattern=SLUG_PATTERN, description="ASCII slug for file names, e.g. `shanxi-rural`."
    )
    language: Literal["zh-Hans"] = Field(
        "zh-Hans", description="The language the sources are written in (BCP 47)."
    )
    articles: list[str] | None = Field(
        None,
        description="Article files in reading order, relative to the source folder; "
        "default: every `articles/*.md` in file-name order.",
    )
    publisher: str | None = Field(None, description="The issuer: newspaper, office or press.")
    issue: str | None = Field(
        None,
        pattern=r"\S",
        max_length=40,
        description="The issue as the covers print it after the date, e.g. `第1234期`.",
    )
    isbn: dict[VariantTag, str] = Field(
        default_factory=dict,
        description="ISBN, the EPUB's identifier: one for the edition in its source language, "
        "or one per variant (`{zh-Hans: …, zh-Hant-TW: …}`); a variant without one gets a "
        "stable UUID and names the source edition's ISBN as its source.",
    )
    series: str | None = Field(
        None,
        pattern=r"\S",
        max_length=MAX_TITLE_CHARS,
        description="The series the edition belongs to (EPUB belongs-to-collection, the PDF's "
        "and the DOCX's properties).",
    )
    series_position: int | None = Field(
        None, ge=1, description="The edition's number in its series (EPUB group-position)."
    )
    output: str | None = Field(
        None,
        pattern=r"^[^\x00]+$",
        description="Where builds write, relative to the edition's folder; default `build` "
        "(so each edition has its own). `--out` on the command line wins.",
    )
    cover: str | None = Field(
        None,
        description="Cover image (PNG or JPEG), relative to the source folder; "
        "default: a cover generated from the title and publisher.",
    )
    identifier: str | None = Field(
        None,
        description="A unique identifier (URN, URL or ISBN); default: a UUID derived from `name`, "
        "the same on every build.",
    )
    date: PublicationDate | None = Field(
        None, description="Publication date; default: SOURCE_DATE_EPOCH, if set."
    )
    description: str | None = Field(None, description="A sentence or two about the edition.")
    subject: list[str] = Field(default_factory=list, description="Subjects or keywords.")
    rights: str | None = Field(None, description="Copyright statement.")
    variants: list[str] | None = Field(
        None,
        description="Language variants the edition is published in (zh-Hans, zh-Hant, "
        "zh-Hant-TW, zh-Hant-HK); default: `language`.",
    )
    math: bool = Field(
        False,
        description="Read $…$ and $$…$$ as TeX math, rendered in every format; off by default, "
        "since news is full of dollar signs (prices, $HOME).",
    )
    strict: bool = Field(
        False,
        description="Make unsafe raw HTML in an article (scripts, frames, event handlers, "
        "javascript: links, stylesheets) an error instead of dropping it with a warning.",
    )
    style: StyleOptions = Field(default_factory=StyleOptions, description=StyleOptions.__doc__)
    css: CssFiles = Field(
        default_factory=lambda: CssFiles(),
        description="Stylesheets in the source folder added on top of the styles folder's: a "
        "list for every format, or per format (`{pdf: [print-extra.css], all: [house.css]}`).",
    )
    styles: str | None = Field(
        None,
        description="A whole styles folder of the edition's own, relative to its folder (begin "
        "with `publisher styles export DIR`); a file it lacks comes from the default styles.",
    )
    pdf: PdfOptions = Field(
        default_factory=PdfOptions, description=PdfOptions.__doc__, validate_default=True
    )
    epub: EpubOptions = Field(default_factory=EpubOptions, description=EpubOptions.__doc__)
    docx: DocxOptions = Field(default_factory=DocxOptions, description=DocxOptions.__doc__)
    site: SiteOptions = Field(default_factory=SiteOptions, description=SiteOptions.__doc__)
    quotes: dict[str, QuoteStyle] = Field(
        default_factory=dict,
        description="Quotation marks per variant: `corner` (「」『』) or `curly` (“”‘’); "
        "default: corner for zh-Hant-TW and zh-Hant-HK, curly elsewhere.",
    )

    @field_validator("isbn", mode="before")
    @classmethod
    def _isbn_per_variant(cls, isbn: object, info: ValidationInfo) -> object:
        """One ISBN is the source language's edition's; a bare number in YAML is still
        an ISBN."""
        if isinstance(isbn, bool) or isbn is None:
            return {} if isbn is None else isbn
        if isinstance(isbn, int | str):
            isbn = {info.data.get("language", "zh-Hans"): isbn}
        if isinstance(isbn, dict):
            return {k: str(v) if isinstance(v, int) else v for k, v in isbn.items()}
        return isbn

    @field_validator("isbn")
    @classmethod
    def _valid_isbn(cls, isbn: dict[str, str]) -> dict[str, str]:
        checked = {tag: normalized_isbn(value) for tag, value in isbn.items()}
        shared = [n for n in set(checked.values()) if list(checked.values()).count(n) > 1]
        if shared:
            raise ValueError(
                f"the ISBN {shared[0]} is given to several variants; an ISBN names one "
                "edition, so give each variant its own, or one to the source language's only"
            )
        return checked

    @field_validator("series_position")
    @classmethod
    def _position_in_a_series(cls, position: int | None, info: ValidationInfo) -> int | None:
        if position is not None and not info.data.get("series"):
            raise ValueError("`series_position` needs `series:`, the series' name")
        return position

    def isbn_of(self, tag: str) -> str | None:
        """The ISBN of the variant ``tag``, if it has one of its own."""
        return self.isbn.get(tag)

    @field_validator("variants")
    @classmethod
    def _known_variants(cls, tags: list[str] | None) -> list[str] | None:
        return None if tags is None else [_variant_tag(tag) for tag in tags]

    @field_validator("epub", "pdf")
    @classmethod
    def _vertical_variants_published(
        cls, options: EpubOptions | PdfOptions, info: ValidationInfo
    ) -> EpubOptions | PdfOptions:
        published = info.data.get("variants") or [info.data.get("language", "zh-Hans")]
        for tag in options.vertical:
            if tag not in published:
                raise ValueError(
                    f"`{info.field_name}.vertical` names {tag}, which the edition does not "
                    f"publish (its variants: {', '.join(published)}); add it to `variants` or "
                    "remove it"
                )
        if isinstance(options, PdfOptions) and options.vertical and options.archival:
            raise ValueError(
                "`pdf.archival` (PDF/A) cannot go with `pdf.vertical`: the vertical PDF's "
                "engine (chromium) writes no PDF/A; set one of them only"
            )
        return options

    @field_validator("pdf")
    @classmethod
    def _page_from_style(cls, options: PdfOptions, info: ValidationInfo) -> PdfOptions:
        """`style: page_size/margins` set the page of every format, as `pdf:` does: one
        place only, so the two can never disagree."""
        style = info.data.get("style")
        if style is None:
            return options
        update = {}
        for key in ("page_size", "margins"):
            wanted = getattr(style, key)
            if wanted is None:
                continue
            if key in options.model_fields_set and getattr(options, key) != wanted:
                raise ValueError(
                    f"`pdf.{key}` and `style.{key}` differ; set the page in one place only"
                )
            update[key] = wanted
        options = options.model_copy(update=update) if update else options
        check_text_block(options.page_size, options.margins)
        return options

    @field_validator("quotes")
    @classmethod
    def _known_quote_variants(cls, quotes: dict[str, QuoteStyle]) -> dict[str, QuoteStyle]:
        return {_variant_tag(tag): style for tag, style in quotes.items()}

    def stable_identifier(self) -> str:
        """The configured identifier, or one derived from the name (never random)."""
        if self.identifier:
            return self.identifier
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'publisher:edition:' + self.name)}"

    def variant_identifier(self, tag: str) -> str:
        """The identifier of the edition in one variant: each variant is a book of its own.

        The source language keeps :meth:`stable_identifier`; another variant gets a
        UUID derived from it and the tag, the same on every build.
        """
        if tag == self.language:
            return self.stable_identifier()
        seed = f"publisher:variant:{self.stable_identifier()}:{tag}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"


def normalized_isbn(value: str) -> str:
    """An ISBN-10 or ISBN-13 without hyphens or spaces; ValueError if it is not one."""
    digits = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"97[89]\d{10}", digits):
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
        expected = str((10 - total % 10) % 10)
    elif re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
        expected = "0123456789X"[(11 - total % 11) % 11]
    else:
        raise ValueError(
            f"the isbn `{value}` is not an ISBN-13 (978/979 and ten digits) or an ISBN-10"
        )
    if digits[-1] != expected:
        raise ValueError(
            f"the isbn `{value}` has a wrong check digit "
            f"(expected {expected}); copy it again from the ISBN agency's record"
        )
    return digits


class ArticleMeta(_Schema):
    """An article's YAML front matter; the newspaper headline structure as data."""

    title: str = Field(pattern=r"\S", max_length=MAX_TITLE_CHARS, description="主题: the headline.")
    kicker: str | None = Field(
        None, max_length=MAX_TITLE_CHARS, description="引题: the line above the headline (a place)."
    )
    subtitle: str | None = Field(
        None, max_length=MAX_TITLE_CHARS, description="副题: the line below the headline."
    )
    byline: str | None = Field(
        None, description="The credit printed after the article: people or an institution."
    )
    authors: list[str] = Field(default_factory=list, description="Named people, for metadata.")
    slug: str | None = Field(
        None,
        pattern=SLUG_PATTERN,
        description="ASCII name for per-article files; default: the file name without `.md`.",
    )
    description: str | None = Field(None, description="A one-sentence summary.")
    keywords: list[str] = Field(default_factory=list, description="Keywords for metadata.")
    date: PublicationDate | None = Field(
        None, description="The article's date (kept as metadata; the edition has its own)."
    )
    lang: str | None = Field(None, description="The language tag the file declares (metadata).")
    other: dict[str, Any] = Field(
        default_factory=dict,
        description="Keys of other tools (Hugo, Jekyll, pandoc …) with no meaning here, kept.",
    )


# Front matter from Hugo, Jekyll, Hexo and pandoc projects: their key -> ours.
FRONT_MATTER_ALIASES = {
    "author": "authors",
    "tags": "keywords",
    "categories": "keywords",
    "summary": "description",
    "abstract": "description",
    "excerpt": "description",
    "subject": "keywords",
}
# Their keys that mean nothing for an edition (layout, URLs, ordering, LaTeX
# settings …): kept under ArticleMeta.other, without a warning.
FOREIGN_KEYS = frozenset(
    {
        "draft", "published", "layout", "permalink", "url", "aliases", "weight", "type",
        "lastmod", "updated", "publishdate", "expirydate", "toc", "comments", "series",
        "image", "cover", "thumbnail", "featured_image", "math", "mathjax", "katex", "id",
        "uuid", "header-includes", "bibliography", "csl", "documentclass", "geometry",
        "mainfont", "cjkmainfont", "fontsize", "numbersections", "toc-title", "output",
        "sidebar", "hidden", "sticky", "top", "copyright",
    }
)  # fmt: skip
_LIST_KEYS = ("authors", "keywords")


def article_front_matter(
    data: dict, lines: dict
) -> tuple[dict, dict, list[tuple[str, int | None]]]:
    """Front matter as :class:`ArticleMeta` takes it, from whatever tool wrote it.

    Other tools' keys are mapped to ours (``author`` -> ``authors``, ``tags`` and
    ``categories`` -> ``keywords`` …) or kept under ``other``; a list may be
    written as one comma-separated string; pandoc's ``author: [{name: …}]`` gives
    the names. Returns the data, its lines, and the warnings to give: a key no
    tool is known for (with a did-you-mean), a draft.
    """
    ours, other, warnings = {}, {}, []
    own = [name for name in ArticleMeta.model_fields if name != "other"]
    for key, value in data.items():
        name = str(key)
        line = lines.get(name)
        if name in own:
            target = name
        elif name in FRONT_MATTER_ALIASES:
            target = FRONT_MATTER_ALIASES[name]
            lines.setdefault(target, line)
        elif name.lower() in FOREIGN_KEYS:
            other[name] = value
            if (name == "draft" and value is True) or (name == "published" and value is False):
                warnings.append(
                    (
                        f"`{name}: {str(value).lower()}`: the article is a draft, "
                        "but it is built; remove the key when it is ready, or take "
                        "the article out of the edition",
                        line,
                    )
                )
            continue
        else:
            close = difflib.get_close_matches(name, [*own, *FRONT_MATTER_ALIASES], n=1)
            guess = f"; did you mean `{close[0]}`?" if close else ""
            warnings.append(
                (
                    f"unknown front matter key `{name}` ignored{guess} (the keys "
                    f"are: {', '.join(own)})",
                    line,
                )
            )
            continue
        if target in _LIST_KEYS:
            merged = [*ours.get(target, []), *_as_list(value)]
            try:
                ours[target] = list(dict.fromkeys(merged))
            except TypeError:  # a mapping among the items: the schema says what is wrong
                ours[target] = merged
        elif target == "date":
            ours[target] = _as_date(value)
        elif target in ours:  # e.g. both `description` and `summary`: ours wins
            other[name] = value
        else:
            ours[target] = value
    if other:
        ours["other"] = other
    return ours, lines, warnings


def _as_list(value: Any) -> list:
    """``a, b`` or ``[a, b]`` or pandoc's ``[{name: a}, …]`` as a list of names."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,，、;；]", value) if part.strip()]
    if isinstance(value, list):
        return [item.get("name", item) if isinstance(item, dict) else item for item in value]
    return [value]  # a number or a mapping: the schema says what is wrong with it


def _as_date(value: Any) -> Any:
    """Hugo writes dates with a time (``2024-07-15T08:00:00+08:00``): the day is kept."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return value  # the schema reports it, with its line
    return value


Schema = TypeVar("Schema", bound=_Schema)


def parse_yaml_mapping(text: str, path: Path, *, first_line: int = 1) -> tuple[dict, dict]:
    """Parse YAML that must be a mapping; return it with the line of each top-level
    key (``"key"``) and of each item of a top-level list (``"key[0]"``).

    ``first_line`` is the file line the YAML text starts on (front matter starts
    on line 2), so that every line reported is a line of the file.
    """
    try:
        node = yamltext.compose(text)
        check_yaml_expansion(node, path, first_line)
        data = yamltext.load(text)
    except RecursionError:
        raise SourceError(
            path,
            "the YAML is nested too deeply",
            line=first_line,
            hint="write flat `key: value` lines (lists of text at most)",
        ) from None
    except yaml.YAMLError as error:
        line, message = yaml_error_position(text, error, first_line)
        raise SourceError(
            path,
            f"invalid YAML: {message}",
            line=line,
            hint="fix the YAML syntax; a value holding ': ' or starting with a quote "
            "or bracket needs quoting, and every quote or bracket its closing one",
        ) from None
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        raise SourceError(
            path,
            "expected `key: value` lines, found a single value or a list",
            line=first_line,
            hint="write the metadata as one `key: value` per line",
        )
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            if key_node.value in lines:  # YAML would silently keep the last one
                raise SourceError(
                    path,
                    f"the key `{key_node.value}` appears twice (first on line "
                    f"{lines[key_node.value]})",
                    line=line,
                    hint="keep one of them",
                )
            lines[key_node.value] = line
            if isinstance(value_node, yaml.SequenceNode):
                for index, item in enumerate(value_node.value):
                    lines[f"{key_node.value}[{index}]"] = first_line + item.start_mark.line
            _nested_lines(value_node, key_node.value, first_line, lines)
    data = {
        key: remove_control_characters_in(value, str(path), lines.get(str(key), first_line))
        for key, value in data.items()
    }
    return data, lines


# PyYAML's context for a construct left open: reported where it opened.
OPENED = {
    "while scanning a quoted scalar": "the quote opened",
    "while parsing a flow sequence": "the `[` opened",
    "while parsing a flow mapping": "the `{` opened",
    "while scanning a block scalar": "the block scalar (`|` or `>`) started",
}


def yaml_error_position(
    text: str, error: yaml.YAMLError, first_line: int
) -> tuple[int | None, str]:
    """The file line to report a YAML error at, and what to say.

    The parser stops where it can go no further, often lines after the mistake:
    an unclosed quote is found at the end of the front matter. So the line
    reported is where the broken construct starts (the opening quote or
    bracket), and the message also names where the parser stopped.
    """
    problem = getattr(error, "problem", None) or str(error)
    stop = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    stopped = first_line + stop.line if stop else None
    context, opened = getattr(error, "context", None), getattr(error, "context_mark", None)
    start = what = None
    if context in OPENED and opened is not None:
        start, what = first_line + opened.line, OPENED[context]
    else:
        # A quote closed by the next line's opening quote leaves no open construct,
        # only nonsense after it: the culprit is the last quoted value spanning lines.
        last = None
        try:
            for token in yaml.scan(text, Loader=yaml.SafeLoader):
                if stop is not None and token.start_mark.index >= stop.index:
                    break
                if isinstance(token, yaml.ScalarToken):
                    last = token
        except yaml.YAMLError:
            pass
        if (
            isinstance(last, yaml.ScalarToken)
            and last.style in ("'", '"')
            and last.end_mark.line > last.start_mark.line
        ):
            start, what = first_line + last.start_mark.line, "the quote opened"
    if start is None or start == stopped:
        return stopped, problem
    return (
        start,
        f"{what} on line {start} is not closed where it should be "
        f"(the parser stopped at line {stopped}: {problem})",
    )


def _nested_lines(node: yaml.Node, path: str, first_line: int, lines: dict) -> None:
    """The line of every value below a top-level key, as ``"epub.vertical.0"``, so that an
    error in a section names the line of the very item."""
    children: list[tuple[str, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        children = [(str(key.value), value) for key, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = [(str(index), item) for index, item in enumerate(node.value)]
    for name, child in children:
        lines.setdefault(f"{path}.{name}", first_line + child.start_mark.line)
        _nested_lines(child, f"{path}.{name}", first_line, lines)


def validate(
    schema: type[Schema], data: dict, lines: dict, path: Path, first_line: int = 1
) -> Schema:
    """Validate parsed YAML against a schema; the first problem becomes a SourceError."""
    try:
        return schema.model_validate(data)
    except ValidationError as errors:
        error = errors.errors()[0]
        key = str(error["loc"][0]) if error["loc"] else None
        item = f"{key}[{error['loc'][1]}]" if len(error["loc"]) > 1 else key
        line = lines.get(item, lines.get(key, first_line))
        for depth in range(len(error["loc"]), 1, -1):  # the deepest value that has a line
            dotted = ".".join(str(part) for part in error["loc"][:depth])
            if dotted in lines:
                line = lines[dotted]
                break
        known = list(schema.model_fields)
        if error["type"] == "extra_forbidden":
            # In a section (`epub: {vertcal: …}`) the unknown key is the last part, and
            # the keys that exist are the section's.
            section = _schema_at(schema, error["loc"][:-1])
            known = list(section.model_fields) if section else known
            unknown = ".".join(str(part) for part in error["loc"])
            close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
            guess = f" Did you mean `{close[0]}`?" if close else ""
            raise SourceError(
                path,
                f"unknown key `{unknown}`.{guess}",
                line=line,
                hint=f"use one of the keys that exist: {', '.join(known)}",
            ) from None
        if error["type"] == "missing":
            field = schema.model_fields[key]
            raise SourceError(
                path,
                f"the required key `{key}` is missing",
                line=first_line,
                hint=f"add `{key}: …` ({field.description})",
            ) from None
        where = ".".join(str(part) for part in error["loc"])
        problem = {
            r"\S": "is empty",
            SLUG_PATTERN: "must be ASCII letters, digits, '.', '_' or '-' (it names files)",
        }.get((error.get("ctx") or {}).get("pattern"), error["msg"])
        if error["type"] == "string_too_long":
            problem = (
                f"is {len(error['input']):,} characters long; a title, kicker or subtitle "
                f"holds at most {MAX_TITLE_CHARS} (longer text belongs in the body)"
            )
        elif error["type"] == "value_error":
            problem = str((error.get("ctx") or {}).get("error", problem))
        raise SourceError(
            path,
            f"`{where}`: {problem} (got {_show(error.get('input'))})",
            line=line,
            hint=_description(schema, error["loc"]),
        ) from None


def section_schema(annotation: object) -> type[BaseModel] | None:
    """The options model a field holds (`pdf:`, and `pdf.press:`, which may be absent:
    ``PressOptions | None``), if it holds one."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _schema_at(schema: type[BaseModel] | None, loc: tuple) -> type[BaseModel] | None:
    """The schema of the section at ``loc`` (``("epub",)``: EpubOptions), or None."""
    for part in loc:
        field = schema.model_fields.get(str(part)) if schema else None
        schema = section_schema(field.annotation) if field else None
    return schema


def _description(schema: type[BaseModel], loc: tuple) -> str | None:
    """The description of the deepest field named in ``loc`` (``epub.vertical``'s, not
    ``epub``'s)."""
    description = None
    for part in loc:
        field = schema.model_fields.get(str(part)) if schema else None
        if field is None:
            continue  # a list index or a dict key: the field above still holds
        description = field.description
        annotation = field.annotation
        schema = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return description


# Bounded in depth and length: a value shared through YAML aliases may expand to
# more than memory holds, and only its start is shown anyway.
_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel, _SHORT_REPR.maxlist, _SHORT_REPR.maxdict = 3, 4, 4
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = 60


def _show(value: Any) -> str:
    text = _SHORT_REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
