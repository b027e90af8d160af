"""What reading an upload costs in memory, for the files the issue (#18) used to grow the server by gigabytes and
for the largest and worst files the limits let in. Every upload (figures and the plan workbook) opens and reads
its workbook through `plans.xlsx_uploads`, which this measures; each file is read in a fresh process and its peak
resident memory above the process's own before reading is reported.

    .venv/bin/python bench/upload_memory.py
"""

import io
import multiprocessing
import os
import re
import resource
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _with_sheet(data, change):
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part)
            target.writestr(part, change(content) if part.filename == "xl/worksheets/sheet1.xml" else content)
    return out.getvalue()


def _saved(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def files():
    from openpyxl import Workbook

    from plans.xlsx_uploads import MAX_CELLS

    book = Workbook()
    book.active.append(["indicator", "district", "year", "value"])
    book.active.append(["putonghua_rate", "350100", 2024, 91])
    book.active["XFD1"] = "x"
    book.active["A1000000"] = "y"
    far = _saved(book)

    def sheet(count, per_row, dimension):
        rows = b"".join(
            f'<row r="{n + 1}">'.encode() + b"<c><v>1</v></c>" * min(per_row, count - start) + b"</row>"
            for n, start in enumerate(range(0, count, per_row))
        )
        data_re = re.compile(rb"<sheetData>.*</sheetData>|<sheetData\s*/>", re.S)
        dim_re = re.compile(rb'<dimension ref="[^"]*"\s*/>')

        def change(xml):
            xml = dim_re.sub(f'<dimension ref="{dimension}"/>'.encode(), xml)
            return data_re.sub(lambda _m: b"<sheetData>" + rows + b"</sheetData>", xml)

        return _with_sheet(_saved(Workbook()), change)

    return {
        "one cell at XFD1, one at A1000000 (the issue's file)": far,
        "the same, its dimension lying (A1:D2)": _with_sheet(
            far, lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:D2"/>', xml)
        ),
        f"{MAX_CELLS:,} cells in rows of 20 (the largest accepted)": sheet(MAX_CELLS, 20, f"A1:T{MAX_CELLS // 20}"),
        f"{MAX_CELLS:,} cells on one row, dimension A1:A1 (the worst)": sheet(MAX_CELLS, MAX_CELLS, "A1:A1"),
        f"{MAX_CELLS + 1:,} cells (one over the limit)": sheet(MAX_CELLS + 1, 20, "A1:T5001"),
    }


def _read(data, answer):
    from plans import xlsx_uploads

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        book = xlsx_uploads.open_xlsx(data)
        rows = sum(len(xlsx_uploads.sheet_values(sheet)) for sheet in book.worksheets)
        outcome = f"read, {rows} rows"
    except xlsx_uploads.BadFile as bad:
        outcome = f"refused: {bad}"
    seconds = time.perf_counter() - start
    answer.send((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, seconds, outcome))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planboard.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django

    django.setup()
    context = multiprocessing.get_context("fork")
    for name, data in files().items():
        mine, theirs = context.Pipe()
        process = context.Process(target=_read, args=(data, theirs))
        process.start()
        grown, seconds, outcome = mine.recv()
        process.join()
        print(f"{name}: {len(data) / 1024:,.0f} KB, +{grown / 1024:,.0f} MB, {seconds:.2f} s, {outcome}")


if __name__ == "__main__":
    main()
