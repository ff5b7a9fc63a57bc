"""The vertical EPUB (直排): `epub: {vertical: [...]}` sets the listed variants' EPUBs in
vertical-rl columns, pages turning right to left, while the others stay as they were."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import EDITION_NAME, SAMPLE, TRADITIONAL, build_ok, run_publisher
from lxml import etree
from outputs import NS
from test_epub import epubcheck_problems, package_items

from publisher.writers.vertical_text import UPRIGHT_CLASS, upright_digits

VERTICAL_OPTION = "epub:\n  vertical:\n    - zh-Hant-TW\n    - zh-HK\n"
# Vertical presentation forms (U+FE10–FE19, U+FE30–FE4F): the font's `vert` feature
# gives the vertical glyphs; the text keeps the ordinary characters.
PRESENTATION_FORMS = re.compile("[\ufe10-\ufe19\ufe30-\ufe4f]")
SHORT_NUMBER_ALONE = re.compile(r"(?<![0-9A-Za-z.,:/%_-])[0-9]{1,2}(?![0-9A-Za-z.,:/%_-])")


def with_option(tmp_path: Path, option: str) -> Path:
    source = Path(shutil.copytree(SAMPLE, tmp_path / "source"))
    edition = source / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8") + option, encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path]:
    """The sample's EPUBs built with the Traditional variants vertical, and the
    zh-Hans EPUB built without the option, from another folder."""
    vertical = with_option(tmp_path_factory.mktemp("vertical"), VERTICAL_OPTION)
    horizontal = Path(shutil.copytree(SAMPLE, tmp_path_factory.mktemp("horizontal") / "source"))
    return (
        build_ok(vertical, vertical.parent / "out", "epub"),
        build_ok(horizontal, horizontal.parent / "out", "epub", "--variant", "zh-Hans"),
    )


def epub_of(out: Path, tag: str) -> Path:
    return out / tag / f"{EDITION_NAME}.epub"


def documents(epub: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(epub) as archive:
        return {
            name: etree.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".xhtml")
        }


def test_simplified_edition_unchanged_by_a_byte(builds):
    vertical, horizontal = builds
    assert epub_of(vertical, "zh-Hans").read_bytes() == epub_of(horizontal, "zh-Hans").read_bytes()


@pytest.mark.parametrize("tag", TRADITIONAL)
def test_spine_turns_right_to_left(builds, tag):
    _, package, _ = package_items(epub_of(builds[0], tag))
    assert package.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    _, package, _ = package_items(epub_of(builds[0], "zh-Hans"))
    assert package.find("opf:spine", NS).get("page-progression-direction") is None


@pytest.mark.parametrize("tag", TRADITIONAL)
def test_every_document_is_vertical(builds, tag):
    epub = epub_of(builds[0], tag)
    with zipfile.ZipFile(epub) as archive:
        sheet = archive.read("EPUB/styles/vertical.css").decode()
    root_rule = re.search(r"html\s*\{([^}]*)\}", sheet).group(1)
    for prefix in ("", "-epub-", "-webkit-"):
        assert f"{prefix}writing-mode: vertical-rl" in root_rule
    assert re.search(r"\.tcy\s*\{[^}]*text-combine-upright: all", sheet)
    assert re.search(r"\.tcy\s*\{[^}]*-epub-text-combine: horizontal", sheet)
    assert "text-combine-upright: digits 2" in sheet
    # Cover, title page, contents and articles alike.
    for name, root in documents(epub).items():
        links = [link.get("href") for link in root.iterfind(".//xhtml:link", NS)]
        assert links[-1].endswith("styles/vertical.css"), (name, links)


@pytest.mark.parametrize("tag", TRADITIONAL)
def test_short_numbers_upright_longer_ones_not(builds, tag):
    article = documents(epub_of(builds[0], tag))["EPUB/articles/04-liucun.xhtml"]
    upright = [
        span.text for span in article.iterfind(f".//xhtml:span[@class='{UPRIGHT_CLASS}']", NS)
    ]
    assert {"65", "30", "6", "7"} <= set(upright)
    assert all(len(number) <= 2 for number in upright)
    text = "".join(article.itertext())
    assert "3000斤至4000斤" in text  # rotated with the line, not split
    # Every short number standing alone in the prose is marked.
    for element in article.iter():
        if element.get("class") == UPRIGHT_CLASS or element.tag == f"{{{NS['xhtml']}}}code":
            continue
        for piece in (element.text, element.tail):
            if piece and element.tag != f"{{{NS['xhtml']}}}title":
                assert not SHORT_NUMBER_ALONE.search(piece), piece


@pytest.mark.parametrize("tag", TRADITIONAL)
def test_punctuation_stays_ordinary_characters(builds, tag):
    for name, root in documents(epub_of(builds[0], tag)).items():
        text = "".join(root.itertext())
        assert not PRESENTATION_FORMS.search(text), name
    article = documents(epub_of(builds[0], tag))["EPUB/articles/01-xiaoyi.xhtml"]
    assert "「" in "".join(article.itertext())


@pytest.mark.parametrize("tag", TRADITIONAL)
def test_vertical_epubcheck_clean(builds, tag):
    assert epubcheck_problems(epub_of(builds[0], tag)) == []


def test_upright_digits_only_marks_short_numbers_in_prose():
    xhtml = NS["xhtml"]
    body = etree.fromstring(
        f'<body xmlns="{xhtml}"><p>第3名，2024年7月15日，<em>12</em>人，3.5倍，H5N1，'
        "<code>x = 10</code>，共99%</p></body>"
    )
    upright_digits(body)
    spans = [s.text for s in body.iter(f"{{{xhtml}}}span")]
    assert spans == ["3", "7", "15", "12"]
    assert "".join(body.itertext()) == "第3名，2024年7月15日，12人，3.5倍，H5N1，x = 10，共99%"


@pytest.mark.parametrize(
    ("option", "line", "words"),
    [
        ("epub:\n  vertical:\n    - zh-Hant-TW\n    - zh-Hant-XX\n", 21, ["unknown variant"]),
        ("epub: {vertical: [zh-Hant]}\n", 18, ["zh-Hant", "does not publish"]),
    ],
)
def test_vertical_option_validated_with_its_line(tmp_path, option, line, words):
    source = with_option(tmp_path, option)
    result = run_publisher("check", "--source", source)
    assert result.returncode == 1, result.stderr
    assert f"edition.yaml:{line}:" in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize("tag", ["zh-Hant-TW", "zh-Hant-HK"])
def test_the_vertical_epub_has_no_ace_violation(builds, tag):
    from publisher.commands.verify import ace_violations

    assert ace_violations(epub_of(builds[0], tag)) == []


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no chromium (make)")
@pytest.mark.parametrize("tag", TRADITIONAL)
def test_the_kai_bylines_brackets_come_from_a_face_that_turns_them(builds, tag, tmp_path):
    """AR PL UKai has no vertical forms: in the vertical EPUB, as chromium (a reading
    system's engine) draws it, the byline's brackets come from the region's Ming face,
    the rest from Kai. Asked of chromium itself (DevTools: the fonts of a node's text)."""
    playwright = pytest.importorskip("playwright.sync_api")
    with zipfile.ZipFile(epub_of(builds[0], tag)) as archive:
        archive.extractall(tmp_path)
    page_file = tmp_path / "EPUB" / "articles" / "01-xiaoyi.xhtml"
    region = "HK" if tag.endswith("HK") else "TC"
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            session = page.context.new_cdp_session(page)
            root = session.send("DOM.getDocument")["root"]["nodeId"]
            byline = session.send("DOM.querySelector", {"nodeId": root, "selector": ".byline"})
            session.send("CSS.enable")
            fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": byline["nodeId"]})
        finally:
            browser.close()
    used = {font["familyName"]: font["glyphCount"] for font in fonts["fonts"]}
    assert used == {f"AR PL UKai {tag[-2:]}": 7, f"Noto Serif CJK {region}": 2}, used
