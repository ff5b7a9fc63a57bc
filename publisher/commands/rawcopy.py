"""The text of a newspaper page, split into its articles.

A page as the desk receives it (``tests/fixtures/raw-page.txt``): each article
is a headline line (place line, then the headline's parts, separated by spaces
or a colon), perhaps a subtitle, body paragraphs with 资料图片 where a photo
sits, and the credit in brackets at the end. A page break cuts a paragraph in
two; the first half then ends without closing punctuation.

Pure text in, plain data out: the importer writes the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A paragraph that ends with one of these is whole; any other was cut by a page break.
WHOLE_ENDINGS = tuple("。！？…”’」』）)!?.：:；;—")
PHOTO = re.compile(r"[（(]?资料图片[)）]?")
CREDIT = re.compile(r"[（(]([^()（）]{1,40})[)）]")
HEADLINE_LENGTH = 60  # characters: a headline line is never longer
SUBTITLE_LENGTH = 40
# Administrative divisions, as place lines (引题) name them.
DIVISION = (
    r"(?:特别行政区|特別行政區|自治区|自治區|自治州|自治县|自治縣|地区|地區|街道|社区|社區"
    r"|省|市|州|盟|县|縣|旗|区|區|镇|鎮|乡|鄉|村)"
)
PLACE_PART = re.compile(rf"[\u4e00-\u9fff]+?{DIVISION}")
PROVINCES = (
    *("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江"),
    *("安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州"),
    *("云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港"),
    "澳门",
)
# Words of a credit that say what someone is, not who.
ROLES = frozenset(
    ("记者", "本报记者", "通讯员", "实习生", "见习记者", "特约记者", "摄影", "摄", "文", "图")
)
INSTITUTION_ENDINGS = (*"省市县区镇乡村局委办社部院站所厅处报台团组队", "中心")
SEPARATOR = re.compile(r"[ \t\u3000]+")


@dataclass
class PageArticle:
    """One article as the page has it."""

    headline: str
    kicker: str | None
    title: str
    subtitle: str | None = None
    # Paragraph texts, and None where a photo (资料图片) sits.
    body: list[str | None] = field(default_factory=list)
    credit: str | None = None
    mended: list[str] = field(default_factory=list)  # where a page break was mended

    @property
    def byline(self) -> str | None:
        return "\u3000".join(SEPARATOR.split(self.credit)) if self.credit else None

    @property
    def authors(self) -> list[str]:
        """The people of the credit; none when it names an institution."""
        names = [n for n in SEPARATOR.split(self.credit or "") if n and n not in ROLES]
        if names and all(_is_person(n) for n in names):
            return names
        return []

    @property
    def place(self) -> str:
        """The most local part of the place line (交口乡 → 交口), to name the file by."""
        parts = PLACE_PART.findall(self.kicker or "")
        if not parts:
            return self.title.split("\u3000")[0][:4]
        stem = re.sub(f"{DIVISION}$", "", parts[-1])
        return stem if len(stem) > 1 else parts[-1]


def _is_person(name: str) -> bool:
    return bool(re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", name)) and not name.endswith(
        INSTITUTION_ENDINGS
    )


def is_place(text: str) -> bool:
    """A place line: administrative divisions from the province down (山西省河津市刘村)."""
    parts = PLACE_PART.findall(text)
    if "".join(parts) != text:
        return False
    return text.startswith(PROVINCES) or len(parts) > 1


def split_headline(line: str) -> tuple[str | None, str]:
    """The kicker (place line) and the title of a headline line; a two-part headline's
    parts are joined with an ideographic space (U+3000), as the canonical sources have it."""
    kicker = None
    colon = re.match(r"(.{1,20}?)[：:][ \t\u3000]*(.+)", line)
    if colon and (is_place(colon[1]) or len(SEPARATOR.split(colon[2])) > 1):
        kicker, line = colon[1], colon[2]
    parts = [p for p in SEPARATOR.split(line) if p]
    if kicker is None and len(parts) > 1 and is_place(parts[0]):
        kicker, parts = parts[0], parts[1:]
    return kicker, "\u3000".join(parts)


def _is_whole(paragraph: str) -> bool:
    return paragraph.endswith(WHOLE_ENDINGS)


def _looks_like_headline(paragraph: str) -> bool:
    if len(paragraph) > HEADLINE_LENGTH or _is_whole(paragraph) or "。" in paragraph:
        return False
    kicker, _title = split_headline(paragraph)
    return kicker is not None


def split_page(text: str) -> list[PageArticle]:
    """The page's articles in page order (an empty list if it has none)."""
    paragraphs = [line.strip(" \t\u3000\ufeff") for line in text.split("\n")]
    articles: list[PageArticle] = []
    pending_photos = 0  # photos before the first headline
    after_credit = True  # the page starts with a headline, as a credit ends an article
    for paragraph in filter(None, paragraphs):
        article = articles[-1] if articles else None
        last = article.body[-1] if article and article.body else None
        if PHOTO.fullmatch(paragraph):
            if article is None:
                pending_photos += 1
            else:
                article.body.append(None)
        elif article is not None and CREDIT.fullmatch(paragraph) and not after_credit:
            article.credit = CREDIT.fullmatch(paragraph)[1].strip()
            after_credit = True
        elif article is not None and isinstance(last, str) and not _is_whole(last):
            article.body[-1] = last + paragraph  # a page break cut it
            article.mended.append(last[-8:])
        elif (after_credit or _looks_like_headline(paragraph)) and (
            len(paragraph) <= HEADLINE_LENGTH and not _is_whole(paragraph)
        ):
            kicker, title = split_headline(paragraph)
            articles.append(PageArticle(paragraph, kicker, title, body=[None] * pending_photos))
            pending_photos, after_credit = 0, False
        elif article is None:
            continue  # text before the first headline: nothing to attach it to
        elif (
            article.subtitle is None
            and not any(isinstance(p, str) for p in article.body)
            and _is_subtitle(paragraph)
        ):
            article.subtitle = paragraph.lstrip("—－- ")
        else:
            article.body.append(paragraph)
    return articles


def _is_subtitle(paragraph: str) -> bool:
    return paragraph.startswith("——") or (
        len(paragraph) <= SUBTITLE_LENGTH
        and not _is_whole(paragraph)
        and not set(paragraph) & set("，,、；;")
    )
