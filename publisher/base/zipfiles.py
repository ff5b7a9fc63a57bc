"""Zip containers (EPUB, DOCX) with reproducible bytes."""

from __future__ import annotations

import datetime
import io
import zipfile


def reproducible_zip(data: bytes, timestamp: datetime.datetime) -> bytes:
    """Rewrite a zip so its bytes depend only on its entries.

    Entry order is kept (EPUB needs ``mimetype`` first and stored); every
    entry gets ``timestamp``, fixed permissions and deflate at a fixed level,
    except entries that were stored, which stay stored.
    """
    when = max(timestamp, datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC))
    date_time = when.astimezone(datetime.UTC).timetuple()[:6]
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=date_time)
            info.compress_type = entry.compress_type
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever machine built it
            target.writestr(info, source.read(entry), compresslevel=9)
    return output.getvalue()
