"""An editor's work in Word, done to a DOCX publisher wrote: tracked changes and a
comment, written as Word writes them (w:ins, w:del, w:comment), for import tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

W = 'w:author="李编辑" w:date="2024-07-16T09:00:00Z"'


def edit_in_word(source: Path, target: Path, *, changes: bool, comment: bool) -> None:
    """``source`` (the zh-Hans 03-zezhou.docx of the sample) with, in its first body
    paragraph, 农业 deleted and 农村 inserted in its place (``changes``), and a
    comment by 王主任 on 土地银行 (``comment``)."""
    with zipfile.ZipFile(source) as docx:
        parts = {entry: docx.read(entry) for entry in docx.namelist()}
    document = parts["word/document.xml"].decode()
    run = '<w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t xml:space="preserve">'
    start = document.index(run + "随着农业现代化的推进")
    end = document.index("</w:t></w:r>", start) + len("</w:t></w:r>")
    text = document[start + len(run) : end - len("</w:t></w:r>")]

    def plain(words: str) -> str:
        return f"{run}{words}</w:t></w:r>"

    before, after = text.split("农业", 1)
    edited = plain(before)
    if changes:
        edited += (
            f'<w:del w:id="901" {W}><w:r><w:delText>农业</w:delText></w:r></w:del>'
            f'<w:ins w:id="902" {W}><w:r><w:t>农村</w:t></w:r></w:ins>'
        )
    else:
        edited += plain("农业")
    if comment:
        head, tail = after.split("土地银行", 1)
        edited += (
            plain(head)
            + '<w:commentRangeStart w:id="0"/>'
            + plain("土地银行")
            + '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
            + plain(tail)
        )
        parts["word/comments.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" '
            'w:author="王主任" w:date="2024-07-16T10:00:00Z" w:initials="W"><w:p><w:r>'
            "<w:t>请核实这个说法的出处。</w:t></w:r></w:p></w:comment></w:comments>"
        ).encode()
    else:
        edited += plain(after)
    parts["word/document.xml"] = (document[:start] + edited + document[end:]).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as docx:
        for name, data in parts.items():
            docx.writestr(name, data)
