"""The evaluation report (规划实施评估报告): what an official opens in Word, WPS or LibreOffice.

The document is read back with python-docx and, through LibreOffice and pdftotext, as the printed text; the
statuses it shows are compared with `Plan.assess` through this file's own table of evaluation words.
"""

import io
import re
import subprocess
import warnings

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from matplotlib import font_manager
from PIL import Image

from dashboards import chart_images, charts, overviews
from dashboards import district_table as district_targets
from exports import docx_parts, evaluation, evaluation_data, evaluation_views, evaluation_words
from figures.assessments import assess
from plans import progress
from plans.models import District, Indicator
from tests.office import soffice
from tests.story import approve

YEAR = 2023
PNG = b"\x89PNG\r\n\x1a\n"
# The words of Chinese evaluation practice, written out here rather than read from the module under test.
WORDS = {
    "achieved": "已实现",
    "ahead": "快于预期",
    "on_track": "基本符合预期",
    "lagging": "滞后",
    "regressing": "倒退",
    "not_achieved": "未实现",
    "in_progress": "推进中",
    "no_data": "暂无数据",
    "no_target": "无目标",
    "stale": "数据未更新",
}
HEADINGS = [
    "一、主要指标完成情况",
    "二、分地区完成情况",
    "三、主要任务推进情况",
    "四、存在的主要问题",
    "五、下一步工作建议",
]


def assessed(values, milestones, *, as_of=YEAR):
    return progress.assess(
        values=values, milestones=milestones, direction="increase", cumulative=False, base_year=2020, as_of=as_of
    )


def expected_word(assessment, target_year=2025):
    word = WORDS[assessment.status]
    if assessment.status == "achieved" and assessment.latest[0] < target_year:
        word = "提前实现"
    return word


def read(document_bytes):
    return Document(io.BytesIO(document_bytes))


def table_with(document, first_cells):
    for table in document.tables:
        if [c.text for c in table.rows[0].cells[: len(first_cells)]] == first_cells:
            return table
    raise AssertionError(f"no table starting with {first_cells}")


def section_text(document, heading):
    """The paragraphs' text from a level-1 heading to the next one."""
    texts, inside = [], False
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            inside = paragraph.text == heading
            continue
        if inside:
            texts.append(paragraph.text)
    return "\n".join(texts)


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


@pytest.fixture
def province(db):
    return District.objects.get(kind="province")


# ---------------------------------------------------------------------------------------------------------------
# The words


def test_every_status_has_an_evaluation_word_including_stale():
    assert set(WORDS) <= set(evaluation_words.EVALUATION_WORDS)
    assert set(progress.STATUS_LABELS) <= set(evaluation_words.EVALUATION_WORDS)
    for status, word in WORDS.items():
        assert evaluation_words.EVALUATION_WORDS[status] == word


def test_a_target_met_before_its_year_is_achieved_early_and_in_its_year_achieved():
    path = [progress.Milestone(2025, 85)]
    early = assessed({2020: 80, 2023: 86}, path)
    on_time = assessed({2020: 80, 2023: 84, 2025: 86}, path, as_of=2025)

    assert early.status == on_time.status == "achieved"
    assert evaluation_words.status_word(early, target_year=2025) == "提前实现"
    assert evaluation_words.status_word(on_time, target_year=2025) == "已实现"


def test_on_track_reads_basically_as_expected_and_a_missing_trend_adds_a_warning():
    path = [progress.Milestone(2025, 85)]
    steady = assessed({2020: 80, 2021: 81, 2022: 82, 2023: 83}, path)
    # Just behind the path (83 expected in 2023), and the plan expects a spurt that the trend of the last years
    # does not give. (Exactly on the path it would not be warned about: the figure is where the plan wants it.)
    spurt = [progress.Milestone(2024, 84), progress.Milestone(2025, 90)]
    short = assessed({2020: 80, 2021: 81, 2022: 82, 2023: 82.9}, spurt)
    behind = assessed({2020: 80, 2023: 81}, path)

    assert steady.status == short.status == "on_track"
    assert evaluation_words.completion(steady, target_year=2025) == "基本符合预期"
    assert not short.projection.met
    assert evaluation_words.completion(short, target_year=2025) == "基本符合预期（预警）"
    # 滞后 is an alarm already; the mark is for statuses that look fine.
    assert behind.status == "lagging" and evaluation_words.completion(behind, target_year=2025) == "滞后"


def test_the_count_summary_counts_early_achievements_within_achieved():
    words = ["提前实现", "提前实现", "已实现", "快于预期", "基本符合预期", "滞后", "倒退", "未实现", "暂无数据"]

    assert evaluation_words.count_summary(words) == (
        "9项主要指标中，已实现3项（其中提前实现2项），快于预期1项，基本符合预期1项，滞后1项，倒退1项，未实现1项，"
        "暂无数据1项。"
    )


def test_the_main_indicators_are_the_first_column_group(plan):
    main = evaluation_data.main_indicators(Indicator.objects.filter(plan=plan))

    assert len(main) == 15 and {i.section for i in main} == {"专栏1"}


# ---------------------------------------------------------------------------------------------------------------
# The document


def test_the_indicator_table_shows_the_statuses_plan_assess_gives(plan, demo, province):
    document = read(evaluation.build_evaluation(plan, YEAR))

    table = table_with(document, ["序号", "指标", "单位", "属性"])
    shown = {row.cells[1].text: row.cells for row in table.rows[1:]}
    main = evaluation_data.main_indicators(Indicator.objects.filter(plan=plan))
    assessments = assess(plan, as_of=YEAR, indicators=main, districts=[province])
    assert list(shown) == [i.name for i in main]
    for indicator in main:
        assessment = assessments[(indicator.pk, province.pk)]
        cells = shown[indicator.name]
        assert cells[8].text.removesuffix("（预警）") == expected_word(assessment)
        if assessment.latest is None:  # the demo leaves one indicator unreported: 暂无数据
            assert (cells[6].text, cells[7].text) == ("—", "—")
            continue
        assert cells[6].text == f"{assessment.latest[1]:.{indicator.decimals}f}"
        assert cells[7].text == f"{assessment.latest[0]}年"
    # Section 一 counts the same statuses.
    words = [expected_word(assessments[(i.pk, province.pk)]) for i in main]
    summary = section_text(document, "一、主要指标完成情况")
    assert f"截至{YEAR}年，全省15项主要指标中，" in summary
    for word in ("快于预期", "基本符合预期", "滞后", "倒退"):
        assert f"{word}{words.count(word)}项" in summary
    achieved = words.count("已实现") + words.count("提前实现")
    assert f"已实现{achieved}项（其中提前实现{words.count('提前实现')}项）" in summary


def test_the_document_has_headings_chinese_fonts_repeated_table_headers_and_png_charts(plan, demo):
    document = read(evaluation.build_evaluation(plan, YEAR))

    level_one = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level_one == HEADINGS + ["附表 各地区指标完成情况"]
    assert "实施中期评估报告" in document.paragraphs[0].text and document.paragraphs[0].style.name == "Title"
    body = "\n".join(p.text for p in document.paragraphs)
    assert "评估类型：中期评估" in body and "截至年份：2023年" in body and "闽政办〔2021〕50号" in body
    for name in ("Normal", "Heading 1", "Heading 2"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in ("宋体", "黑体")
    for table in document.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    images = [shape for shape in document.inline_shapes]
    # The overview, one chart per main indicator of the province, one per 附件2 metric.
    assert len(images) == 1 + 15 + 3
    blobs = [part.blob for part in document.part.related_parts.values() if part.content_type == "image/png"]
    assert len(blobs) == len(images) and all(blob.startswith(PNG) for blob in blobs)
    # Section 五 is headings to write under, each with a marked placeholder.
    next_steps = section_text(document, "五、下一步工作建议")
    assert next_steps.count(docx_parts.PLACEHOLDER) >= 4


def test_the_district_and_task_sections_show_the_district_table_and_unreported_tasks(plan, demo):
    document = read(evaluation.build_evaluation(plan, YEAR))

    table = table_with(document, ["地区", "基期值\n（2020年）"])
    districts = [row.cells[0].text for row in table.rows[1:]]
    assert "福州" in districts and len(districts) >= 10
    tasks = table_with(document, ["序号", "任务", "责任单位", "进展状态", "进展情况"])
    assert len(tasks.rows) == 1 + plan.tasks.count()
    # No task reports are loaded: every task is 未报送.
    assert {row.cells[3].text for row in tasks.rows[1:]} == {"未报送"}


def test_the_problems_section_lists_a_lagging_figure_with_its_reason_and_measures(plan, reviewer, province):
    indicator = Indicator.objects.get(plan=plan, code="higher_ed_gross_enrolment")
    approve(
        plan,
        reviewer,
        province,
        indicator.code,
        YEAR,
        "59",
        reason="本科高校扩招计划未落实",
        measures="增设高职院校并扩大招生",
    )
    assert assess(plan, as_of=YEAR, indicators=[indicator], districts=[province])[
        (indicator.pk, province.pk)
    ].status == ("lagging")

    document = read(evaluation.build_evaluation(plan, YEAR))

    problems = section_text(document, "四、存在的主要问题")
    assert f"高等教育毛入学率（{province.name}）：滞后" in problems
    assert "原因分析：本科高校扩招计划未落实" in problems
    assert "整改措施：增设高职院校并扩大招生" in problems


def test_a_whole_number_prints_without_decimals_as_the_pages_print_it(plan, reviewer, province):
    # A count or a rank (`whole_number`) shows as 12, not 12.00, in the pages' tables (Indicator.shown_decimals,
    # tests/test_daily_fixes.py); the report prints it the same way.
    indicator = Indicator.objects.get(plan=plan, code="higher_ed_gross_enrolment")
    Indicator.objects.filter(pk=indicator.pk).update(whole_number=True)
    approve(plan, reviewer, province, indicator.code, YEAR, "62")

    document = read(evaluation.build_evaluation(plan, YEAR))

    row = next(
        r.cells
        for r in table_with(document, ["序号", "指标", "单位", "属性"]).rows
        if r.cells[1].text == indicator.name
    )
    assert row[6].text == "62"


def test_gathering_costs_a_bounded_number_of_queries_and_writing_none(
    plan, demo, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(20):
        data = evaluation_data.gather(plan, YEAR)
    with django_assert_num_queries(0):
        evaluation.write_document(data)


def test_libreoffice_writer_prints_the_report_with_its_chinese_headings(plan, demo, tmp_path):
    source = tmp_path / "evaluation.docx"
    source.write_bytes(evaluation.build_evaluation(plan, YEAR))

    soffice(tmp_path, source, "pdf")

    pdf = tmp_path / "evaluation.pdf"
    assert pdf.exists(), "LibreOffice did not convert the report"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    squeezed = re.sub(r"\s+", "", text)
    for heading in HEADINGS:
        assert heading in squeezed
    assert "实施中期评估报告" in squeezed and "15项主要指标中" in squeezed


# ---------------------------------------------------------------------------------------------------------------
# The chart images


def test_chart_images_are_drawn_in_a_cjk_font_without_missing_glyphs():
    font = chart_images.cjk_font()
    assert "CJK" in font.family or "Han" in font.family
    found = font_manager.findfont(font_manager.FontProperties(family=font.family), fallback_to_default=False)
    assert found == font.path

    figure = charts.status_by_district([("全省", {"achieved": 3, "lagging": 2}), ("福州", {"on_track": 1})])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart_images.render_png(figure)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert png.startswith(PNG)


def test_chart_images_keep_the_status_colours_of_the_web_charts():
    figure = charts.status_by_district([("全省", {"achieved": 3, "lagging": 2}), ("福州", {"regressing": 1})])
    image = Image.open(io.BytesIO(chart_images.render_png(figure))).convert("RGB")
    colours = {colour for count, colour in image.getcolors(maxcolors=1 << 20)}

    for status in ("achieved", "lagging", "regressing"):
        hex_colour = progress.STATUS_COLOURS[status].lstrip("#")
        assert tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)) in colours


def test_without_a_cjk_font_the_renderer_says_what_to_install(monkeypatch):
    monkeypatch.setattr(chart_images, "_cjk_font", lambda: None)
    monkeypatch.setattr(chart_images, "DEBIAN_CJK_FILES", [])
    chart_images.cjk_font.cache_clear()
    try:
        with pytest.raises(chart_images.NoCJKFont, match="fonts-noto-cjk"):
            chart_images.cjk_font()
    finally:
        chart_images.cjk_font.cache_clear()


# ---------------------------------------------------------------------------------------------------------------
# The command


def test_the_command_writes_the_final_evaluation(plan, demo, tmp_path):
    path = tmp_path / "总结评估.docx"

    call_command("export_evaluation", str(path), "--year", "2025", "--plan", plan.code, stdout=io.StringIO())

    document = read(path.read_bytes())
    assert "实施总结评估报告" in document.paragraphs[0].text
    assert document.core_properties.title == f"{plan.name}实施总结评估报告"


def test_the_command_refuses_a_year_outside_the_plan(plan, tmp_path):
    with pytest.raises(CommandError, match="2021 至 2025"):
        call_command("export_evaluation", str(tmp_path / "x.docx"), "--year", "2020")
    assert not (tmp_path / "x.docx").exists()


# ---------------------------------------------------------------------------------------------------------------
# The download on the export page


def test_a_leader_downloads_the_report_from_the_export_page_and_an_official_may_not(
    client, plan, demo, leader, official_fuzhou
):
    client.force_login(leader)
    page = client.get(reverse("exports:export")).content.decode()
    assert reverse("exports:export-evaluation") in page and "2025（总结评估）" in page

    response = client.get(reverse("exports:export-evaluation"), {"year": "2025"})

    assert response["Content-Type"] == evaluation_views.DOCX
    assert "attachment" in response["Content-Disposition"]
    document = read(b"".join(response.streaming_content))
    assert "实施总结评估报告" in document.paragraphs[0].text
    assert client.get(reverse("exports:export-evaluation"), {"year": "2019"}).status_code == 404
    client.force_login(official_fuzhou)
    assert client.get(reverse("exports:export-evaluation"), {"year": "2025"}).status_code == 403


def test_the_status_chart_counts_what_the_dashboards_chart_counts(plan, demo):
    data = evaluation_data.gather(plan, YEAR)
    dashboard = overviews.StatusOverview(plan, as_of=YEAR, districts=District.objects.all()).counts_by_district()

    assert [(name, dict(counts)) for name, counts in data.status_counts()] == [
        (name, dict(counts)) for name, counts in dashboard
    ]
    assert charts.status_by_district(data.status_counts()) == charts.status_by_district(dashboard)


def test_the_trend_and_district_charts_are_the_web_pages_figures(plan, demo, province):
    data = evaluation_data.gather(plan, YEAR)

    for line in data.main:
        page = overviews.IndicatorProgress(plan, line.indicator, as_of=YEAR, districts=[province])
        assert data.indicator_chart(line) == page.chart(province)
    indicators, years, rows = district_targets.district_table(plan=plan, as_of=YEAR, visible=District.objects.all())
    page_charts = district_targets.comparison_charts(indicators, rows)
    assert data.district_charts() == {indicator.pk: chart for _id, indicator, chart in page_charts}
