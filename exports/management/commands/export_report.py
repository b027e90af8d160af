from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dashboards import overviews
from exports import excel_report
from figures import access
from figures.plan_loading import acting_user
from plans.models import Plan


class Command(BaseCommand):
    help = "导出 Excel 报表（总览、分地区、任务清单、数据明细、趋势图），与 /export/report.xlsx 相同。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, help="截至年份（默认：有审核通过数据的最近一年）")
        parser.add_argument("--district", help="只导出一个地区（行政区划代码）")
        parser.add_argument("--user", help="按此用户的权限导出（默认：系统用户，可见全部数据）")

    def handle(self, *args, file, year, district, user, **options):
        plan = Plan.objects.current()
        if plan is None:
            raise CommandError("没有规划，请先运行 load_plan。")
        by = acting_user(user)
        year = year or overviews.default_year(plan)
        if not plan.base_year < year <= plan.target_year:
            raise CommandError(f"年份须在 {plan.base_year + 1} 至 {plan.target_year} 之间。")
        chosen = None
        if district:
            chosen = access.visible_districts(by).filter(code=district).first()
            if chosen is None:
                raise CommandError(f"没有地区 {district}，或该用户无权查看。")
        with open(file, "wb") as out:
            excel_report.write_report(out, plan=plan, user=by, year=year, district=chosen)
        self.stdout.write(f"已导出 {file}（截至 {year} 年）。")
