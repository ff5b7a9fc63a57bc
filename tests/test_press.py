"""The press PDF (pdf: {press: true}): PDF/X-4 beside the proof, read back from the file:
its boxes, its crop marks, its output intent, every colour operator and every picture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_publisher
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NameObject

A4 = (595.276, 841.89)
BLEED = 3 * 72 / 25.4
REGISTRATION = (1.0, 1.0, 1.0, 1.0)


@pytest.fixture(scope="module")
def press_build(tmp_path_factory):
    """The sample, Simplified, with a press PDF; its output folder and the build's stderr."""
    import shutil

    from conftest import SAMPLE

    folder = tmp_path_factory.mktemp("press")
    source = shutil.copytree(SAMPLE, folder / "source")
    edition = source / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8") + "pdf:\n  press: true\n", "utf-8")
    built = run_publisher(
        "build", "pdf", "--variant", "zh-Hans", "--source", source, "--out", folder / "out"
    )
    assert built.returncode == 0, built.stderr
    return folder / "out" / "zh-Hans", built.stderr


def _box(page, name: str) -> tuple[float, ...]:
    return tuple(round(float(v), 2) for v in page[name])


def _streams(reader: PdfReader, first: int = 0):
    """Every content stream of the file from page ``first`` on: the pages' and those
    of their form XObjects."""
    seen = set()

    def forms(resources):
        resources = resources.get_object() if resources is not None else {}
        for xobject in (resources.get("/XObject") or {}).values():
            target = xobject.get_object()
            key = xobject.idnum if hasattr(xobject, "idnum") else id(target)
            if key in seen or target.get("/Subtype") != "/Form":
                continue
            seen.add(key)
            yield ContentStream(target, reader), target
            yield from forms(target.get("/Resources"))

    for page in reader.pages[first:]:
        yield ContentStream(page.get_contents(), reader), page
        yield from forms(page.get("/Resources"))


def test_the_press_pdf_is_pdf_x4_with_bleed_and_crop_marks(press_build):
    folder, _ = press_build
    reader = PdfReader(folder / "shanxi-rural-press.pdf")
    assert len(reader.pages) == len(PdfReader(folder / "shanxi-rural.pdf").pages)
    for page in reader.pages:
        trim = _box(page, "/TrimBox")
        assert trim == (0, 0, round(A4[0], 2), round(A4[1], 2))
        bleed = _box(page, "/BleedBox")
        assert bleed == tuple(round(v, 2) for v in (-BLEED, -BLEED, A4[0] + BLEED, A4[1] + BLEED))
        media = _box(page, "/MediaBox")
        assert media[0] < bleed[0] and media[1] < bleed[1]
        assert media[2] > bleed[2] and media[3] > bleed[3]
        # Crop marks: hairlines in registration colour, 8 per page, each on a trim line
        # extended, and wholly outside the bleed (never on the printed page).
        marks, colour, path = [], None, []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"K":
                colour = tuple(float(v) for v in operands)
            elif operator == b"m":
                path = [tuple(float(v) for v in operands)]
            elif operator == b"l":
                path.append(tuple(float(v) for v in operands))
                if colour == REGISTRATION:
                    marks.append((path[-2], path[-1]))
        assert len(marks) == 8, marks
        for (x1, y1), (x2, y2) in marks:
            assert x1 == x2 or y1 == y2  # straight, along a trim line
            assert (x1, x2) in ((0, 0), (A4[0], A4[0])) or round(y1, 1) in (0, round(A4[1], 1))
            for x, y in ((x1, y1), (x2, y2)):
                outside = x < -BLEED or x > A4[0] + BLEED or y < -BLEED or y > A4[1] + BLEED
                assert outside, (x, y)
    # The output intent, in the catalogue; PDF/X-4 named in the XMP.
    root = reader.trailer["/Root"]
    (intent,) = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "JC200103"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4
    data = profile.get_data()
    assert data[12:20] == b"prtrCMYK" and data[36:40] == b"acsp"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert reader.metadata["/Trapped"] == "/False"
    assert reader.metadata["/CreationDate"].startswith("D:20240715")  # the edition's date
    # PDF/X: no annotation on the pages.
    assert all("/Annots" not in page for page in reader.pages)


def test_every_colour_of_the_press_pdf_is_in_ink(press_build):
    """No RGB colour anywhere: text and rules in black ink alone after the cover (the
    sample's colours are all greys), pictures in CMYK or on the black plate; the cover
    (the EPUB's design: red, cream, gold) in the profile's four inks."""
    folder, _ = press_build
    reader = PdfReader(folder / "shanxi-rural-press.pdf")
    cover = {
        tuple(float(v) for v in operands)
        for operands, operator in ContentStream(reader.pages[0].get_contents(), reader).operations
        if operator == b"k"
    }
    assert any(c > 0.2 and m > 0.8 for c, m, _, _ in cover), cover  # the red background
    inks, text_inks = set(), set()
    for content, _ in _streams(reader, first=1):
        fill, saved = None, []  # the fill colour as the graphics state holds it
        for operands, operator in content.operations:
            assert operator not in (b"rg", b"RG", b"g", b"G"), (operator, operands)
            if operator in (b"cs", b"CS"):
                assert operands[0] not in ("/DeviceRGB", "/DeviceGray"), operands
            if operator == b"q":
                saved.append(fill)
            elif operator == b"Q":
                fill = saved.pop() if saved else None
            elif operator in (b"k", b"K"):
                ink = tuple(float(v) for v in operands)
                inks.add(ink)
                fill = ink if operator == b"k" else fill
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                text_inks.add(fill)  # the colour the text is shown in
    assert inks and text_inks
    assert (0.0, 0.0, 0.0, 1.0) in text_inks  # body text: black ink alone
    assert None not in text_inks  # no text in the default (DeviceGray black) colour
    for ink in inks - {REGISTRATION}:
        assert ink[:3] == (0.0, 0.0, 0.0), ink  # greys too: black ink alone
    pictures = set()
    for page in reader.pages:  # the pages share one resource dictionary
        for xobject in page["/Resources"].get_object().get("/XObject", {}).values():
            image = xobject.get_object()
            if image.get("/Subtype") == "/Image":
                pictures.add(xobject.idnum)
                assert image["/ColorSpace"] in ("/DeviceCMYK", "/DeviceGray")
    assert pictures  # the two placeholders are one picture, stored once
    # Nor in the groups' blending spaces or any other dictionary.
    for number in range(1, len(reader.xref_objStm) + reader.trailer["/Size"]):
        try:
            target = reader.get_object(number)
        except Exception:  # a free entry
            continue
        if isinstance(target, DictionaryObject):
            for value in target.values():
                assert value != NameObject("/DeviceRGB")
                if isinstance(value, DictionaryObject):
                    assert value.get("/CS") != "/DeviceRGB"
                if isinstance(value, ArrayObject):
                    assert "/DeviceRGB" not in [str(v) for v in value]


def test_pictures_under_300_ppi_are_warned_about_with_their_line(press_build):
    _, stderr = press_build
    warned = r"articles/(\S+\.md):(\d+): press PDF: the picture \S+ prints at (\d+)"
    found = re.findall(warned, stderr)
    assert sorted(found) == [("01-xiaoyi.md", "7", "226"), ("04-liucun.md", "14", "226")]


def test_the_proof_pdf_stays_as_it_was(press_build):
    folder, _ = press_build
    reader = PdfReader(folder / "shanxi-rural.pdf")
    assert "/OutputIntents" not in reader.trailer["/Root"]
    for page in reader.pages:
        assert _box(page, "/MediaBox") == _box(page, "/TrimBox")
    assert not (folder / "articles" / "01-xiaoyi-press.pdf").exists()


def test_the_press_pdf_is_reproducible(press_build, tmp_path):
    folder, _ = press_build
    source = folder.parent.parent / "source"
    again = run_publisher(
        "build", "pdf", "--variant", "zh-Hans", "--source", source, "--out", tmp_path / "out"
    )
    assert again.returncode == 0, again.stderr
    first = (folder / "shanxi-rural-press.pdf").read_bytes()
    assert (tmp_path / "out" / "zh-Hans" / "shanxi-rural-press.pdf").read_bytes() == first


@pytest.mark.parametrize(
    ("press", "message"),
    [
        ("{bleed: 30mm}", "the bleed `30mm` is not a length up to 20 mm"),
        ("{profile: images/none.icc}", "the press profile `images/none.icc` does not exist"),
        ("{profile: images/placeholder-photo-1.png}", "is not an ICC profile"),
        ("{profile: images/rgb.icc}", "a RGB profile of class `mntr`, not a CMYK printer"),
        ("{min_ppi: 10}", "min_ppi"),
    ],
)
def test_bad_press_settings_are_refused_before_any_output(sample_copy, tmp_path, press, message):
    from PIL import ImageCms

    rgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    (sample_copy / "images" / "rgb.icc").write_bytes(rgb)
    edition = sample_copy / "edition.yaml"
    text = edition.read_text(encoding="utf-8") + f"pdf:\n  press: {press}\n"
    edition.write_text(text, encoding="utf-8")
    line = len(text.splitlines())
    built = run_publisher("build", "pdf", "--source", sample_copy, "--out", tmp_path / "out")
    assert built.returncode != 0
    assert message in built.stderr, built.stderr
    assert f"edition.yaml:{line}" in built.stderr, built.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.pdf"))


def test_a_colour_picture_prints_in_the_profiles_inks(tmp_path):
    """A red picture comes out in CMYK through the profile: magenta and yellow, little
    cyan, no black."""
    from PIL import Image
    from tiny import tiny_edition

    source = tiny_edition(tmp_path, ("zh-Hans",))
    Image.new("RGB", (2400, 1600), (220, 20, 30)).save(source / "images" / "red.png")
    article = source / "articles" / "03-zezhou.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text + '\n![红色](../images/red.png){alt="一块红色"}\n', "utf-8")
    (source / "edition.yaml").write_text(
        (source / "edition.yaml").read_text(encoding="utf-8") + "pdf:\n  press: true\n", "utf-8"
    )
    built = run_publisher("build", "pdf", "--source", source, "--out", tmp_path / "out")
    assert built.returncode == 0, built.stderr
    assert "red.png prints at" not in built.stderr  # 2400 px over 155 mm: about 390 ppi
    reader = PdfReader(tmp_path / "out" / "zh-Hans" / "tiny-press.pdf")
    images = {
        x.idnum: x.get_object()
        for page in reader.pages
        for x in page["/Resources"].get_object()["/XObject"].values()
        if x.get_object().get("/Subtype") == "/Image"
    }
    spaces = sorted(str(image["/ColorSpace"]) for image in images.values())
    assert spaces == ["/DeviceCMYK", "/DeviceGray"]
    (cmyk,) = [i for i in images.values() if i["/ColorSpace"] == "/DeviceCMYK"]
    assert cmyk["/Filter"] == "/DCTDecode"
    import io

    picture = Image.open(io.BytesIO(cmyk.get_data()))
    assert picture.mode == "CMYK"
    # Pillow undoes the inversion of Adobe's CMYK JPEG (the PDF's /Decode array does).
    c, m, y, k = (v / 255 for v in picture.getpixel((1200, 800)))
    assert m > 0.8 and y > 0.7 and c < 0.25 and k < 0.1, (c, m, y, k)


def test_a_coloured_kicker_prints_in_inks_not_rgb(tmp_path):
    """A colour from the stylesheet (a red kicker) is converted through the profile."""
    import shutil

    from conftest import ROOT
    from tiny import tiny_edition

    source = tiny_edition(tmp_path, ("zh-Hans",))
    (source / "edition.yaml").write_text(
        (source / "edition.yaml").read_text(encoding="utf-8") + "pdf:\n  press: true\n", "utf-8"
    )
    styles = Path(shutil.copytree(ROOT / "styles", tmp_path / "styles"))
    with (styles / "print.css").open("a", encoding="utf-8") as css:
        css.write("\n.kicker { color: #c00; }\n")
    built = run_publisher(
        "build", "pdf", "--source", source, "--styles", styles, "--out", tmp_path / "out"
    )
    assert built.returncode == 0, built.stderr
    reader = PdfReader(tmp_path / "out" / "zh-Hans" / "tiny-press.pdf")
    inks = {
        tuple(float(v) for v in operands)
        for content, _ in _streams(reader)
        for operands, operator in content.operations
        if operator == b"k"
    }
    assert any(m > 0.8 and y > 0.7 and c < 0.3 for c, m, y, _ in inks), inks


def test_verify_checks_the_press_pdf_as_pdf_x(press_build):
    folder, _ = press_build
    verified = run_publisher("verify", "--out", folder.parent)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    (line,) = [x for x in verified.stdout.splitlines() if "shanxi-rural-press.pdf" in x]
    assert "PDF/X output intent, trim and bleed boxes, no annotations, no RGB colour" in line


def test_articles_run_on_warn_each_picture_once_in_its_article(sample_copy, tmp_path):
    """The run of articles (pdf.articles: continuous) is one layout: each picture is
    still warned once, in the article that shows it, though both files hold the same
    bytes."""
    edition = sample_copy / "edition.yaml"
    text = edition.read_text(encoding="utf-8")
    edition.write_text(text + "pdf:\n  press: true\n  articles: continuous\n", "utf-8")
    built = run_publisher(
        "build", "pdf", "--variant", "zh-Hans", "--source", sample_copy, "--out", tmp_path / "o"
    )
    assert built.returncode == 0, built.stderr
    warned = r"articles/(\S+\.md):(\d+): press PDF: the picture (\S+) prints at (\d+)"
    assert sorted(re.findall(warned, built.stderr)) == [
        ("01-xiaoyi.md", "7", "placeholder-photo-1.png", "226"),
        ("04-liucun.md", "14", "placeholder-photo-2.png", "226"),
    ]
