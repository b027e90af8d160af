"""Word building blocks: a status cell is coloured as the web and the Excel report colour it."""

from docx import Document

from exports import docx_parts
from plans import progress


def test_status_cells_take_the_pages_fill_and_text_colours():
    # 推进中 used to get black text in Word (a luma guess) while the pages and the Excel report print it white.
    statuses = list(progress.STATUS_COLOURS)
    document = Document()
    table = docx_parts.table(
        document,
        ["状态"],
        [[str(progress.STATUS_LABELS[s])] for s in statuses],
        left=(),
        status_column=0,
        statuses=statuses,
    )
    for row, status in zip(table.rows[1:], statuses, strict=True):
        cell = row.cells[0]
        fill = cell._tc.tcPr.xpath("./w:shd/@w:fill")
        assert fill == [progress.STATUS_COLOURS[status].lstrip("#").upper()], status
        ink = cell.paragraphs[0].runs[0].font.color.rgb
        assert str(ink) == progress.STATUS_TEXT_COLOURS[status].lstrip("#").upper(), status
