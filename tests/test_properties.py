"""Property-based: generated Markdown and front matter through reading, validation and the
variant step. Never an unhandled exception (a SourceError is a handled refusal), never a
change inside code, URLs or attributes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from publisher.base.config import EditionConfig
from publisher.base.errors import SourceError
from publisher.base.languages import VARIANTS
from publisher.base.model import Article, Edition
from publisher.base.pandoc import markdown_format
from publisher.document.pandoc_ast import iter_ast
from publisher.document.parse import AstCache, parse_markdown
from publisher.document.rawhtml import apply_policy
from publisher.language.variants import apply_variant
from publisher.read.sources import read_article

# Characters OpenCC changes, and that phrases form across markup (头发, 后台, 软件 …).
HAN = st.sampled_from(list("发展头发后台里面干部软件乡村振兴的了是在网络视频"))
MARKUP = st.sampled_from(
    [
        "*",
        "**",
        "_",
        "`",
        "```\n",
        "[",
        "]",
        "(",
        ")",
        "![",
        "#",
        "## ",
        "> ",
        "- ",
        "1. ",
        "|",
        "\n",
        "\n\n",
        " ",
        "“",
        "”",
        "‘",
        "’",
        "<",
        ">",
        "&",
        "\\",
        "{",
        "}",
        ":",
        "[^1]",
        "\n[^1]: ",
        "<https://例子.cn/发展/后台>",
        "](https://x.cn/头发)",
        "{.类 #标识 k=发展}",
        "<b>",
        "</b>",
        "<script>",
        "</script>",
        "$x$",
        "---\n",
        "\t",
        "\r\n",
        "\ufeff",
    ]
)
BODY = st.lists(st.one_of(HAN, MARKUP, st.text(max_size=3)), max_size=40).map("".join)
VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=6), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
TEXT = st.text(st.one_of(HAN, st.characters()), min_size=1, max_size=12)
VALID = st.fixed_dictionaries(
    {"title": TEXT},
    optional={
        "kicker": TEXT,
        "subtitle": TEXT,
        "byline": TEXT,
        "authors": st.lists(TEXT, max_size=3),
        "description": TEXT,
        "keywords": st.lists(TEXT, max_size=3),
    },
)
FRONT_MATTER = st.one_of(
    *[VALID] * 8,  # mostly valid, so most examples reach the variant step
    st.dictionaries(
        st.sampled_from(
            [
                "title",
                "kicker",
                "subtitle",
                "byline",
                "authors",
                "slug",
                "description",
                "keywords",
                "titel",
            ]
        ),
        VALUES,
        max_size=6,
    ),
    st.text(max_size=30),  # not YAML of a mapping at all
)
TARGETS = ("Code", "CodeBlock", "RawInline", "RawBlock", "Math")


def front(meta) -> str:
    if isinstance(meta, dict):
        return yaml.safe_dump(meta, allow_unicode=True)
    return meta


def invariant_parts(blocks) -> list:
    """Code, raw and math nodes, link and image targets, and every attribute."""
    parts = []
    for node in iter_ast(blocks):
        if node["t"] in TARGETS:
            parts.append(node)
        elif node["t"] in ("Link", "Image"):
            parts.append((node["t"], node["c"][2][0], node["c"][0][:2]))
        elif node["t"] in ("Span", "Div", "Header", "CodeBlock"):
            attr = node["c"][1] if node["t"] == "Header" else node["c"][0]
            # Alt text and titles are text a reader sees: converted, so left out here.
            pairs = [pair for pair in attr[2] if pair[0] not in ("alt", "title")]
            if attr[0] or attr[1] or pairs:  # the variant step adds bare spans for quotes
                parts.append((node["t"], attr[0], attr[1], pairs))
    return parts


# A reviewed dictionary, whose phrases win over OpenCC's through placeholders.
DICTIONARY = st.dictionaries(
    st.text(HAN, min_size=2, max_size=3),
    st.text(st.one_of(HAN, st.characters()), min_size=1, max_size=3).map(lambda t: {"all": t}),
    max_size=4,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meta=FRONT_MATTER, body=BODY, dictionary=DICTIONARY)
def test_reading_validation_and_variants_never_crash_or_touch_code(meta, body, dictionary):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.md"
        path.write_text(f"---\n{front(meta)}\n---\n{body}", encoding="utf-8")
        try:
            article = read_article(path)
        except SourceError as error:
            assert str(error).startswith(str(error.path))
            return
        event("valid article")
        document = parse_markdown(article, AstCache(None), markdown_format(math=False))
        blocks = apply_policy(article, document["blocks"], strict=False)
        edition = Edition(
            root=Path(folder),
            config=EditionConfig(title="题", name="t"),
            lang="zh-Hans",
            articles=(Article(article.slug, path, article.meta, blocks),),
            pandoc_api_version=tuple(document["pandoc-api-version"]),
            dictionary=dictionary,
        )
        for tag in ("zh-Hant", "zh-Hant-TW", "zh-Hant-HK"):
            converted = apply_variant(edition, VARIANTS[tag])
            assert invariant_parts(converted.articles[0].blocks) == invariant_parts(blocks)
            assert converted.articles[0].meta.slug == article.meta.slug
