from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dashboards.chart_images import NoCJKFont
from exports import evaluation
from exports.evaluation_data import evaluation_kind
from plans.models import Plan


class Command(BaseCommand):
    help = "导出规划实施评估报告（Word .docx）：截至年份早于目标年份为中期评估，等于目标年份为总结评估。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True, help="截至年份，如 2023（中期评估）或 2025（总结评估）")
        parser.add_argument("--plan", help="规划代码（默认：当前规划）")

    def handle(self, *args, file, year, plan, **options):
        chosen = Plan.objects.filter(code=plan).first() if plan else Plan.objects.current()
        if chosen is None:
            raise CommandError(f"没有规划 {plan}。" if plan else "没有规划，请先运行 load_plan。")
        if not chosen.base_year < year <= chosen.target_year:
            raise CommandError(f"年份须在 {chosen.base_year + 1} 至 {chosen.target_year} 之间。")
        try:
            document = evaluation.build_evaluation(chosen, year)
        except NoCJKFont as error:
            raise CommandError(str(error)) from None
        file.write_bytes(document)
        kind = evaluation_kind(chosen, year)
        self.stdout.write(f"已导出 {file}（{kind}，截至 {year} 年）。")
