from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from figures.plan_loading import Refused, load_plan, plan_folders


class Command(BaseCommand):
    help = "载入 fixtures/ 中的规划（可重复运行；与数据库不一致之处只列出，加 --force 才覆盖）。"

    def add_arguments(self, parser):
        parser.add_argument("folders", nargs="*", type=Path, help="规划目录，默认 fixtures/ 下的全部规划")
        parser.add_argument("--force", action="store_true", help="用基础数据覆盖数据库中不一致的值")
        parser.add_argument(
            "--change-locked-year",
            type=int,
            action="append",
            default=[],
            metavar="YEAR",
            dest="change_locked_years",
            help="允许 --force 覆盖该锁定年度的基期值（可重复）",
        )

    def handle(self, *args, folders, force, change_locked_years, **options):
        folders = folders or plan_folders()
        if not folders:
            raise CommandError("fixtures/ 中没有规划目录。")
        for folder in folders:
            if not (folder / "plan.json").exists():
                raise CommandError(f"{folder} 中没有 plan.json。")
            try:
                report = load_plan(folder, force=force, change_locked_years=change_locked_years)
            except Refused as refused:
                raise CommandError(_refusal(folder, refused.report)) from None
            except ValueError as bad:  # a file that cannot be read as the plan's rows (plans.fixture_files)
                raise CommandError(f"{folder.name}: {bad}") from None
            self.stdout.write(f"{folder.name}: 新增 {len(report.created)} 行。")
            for line in report.differences:
                self.stdout.write(self.style.WARNING(f"  不一致：{line}"))
            if report.overwritten:
                self.stdout.write(self.style.WARNING(f"  已覆盖 {len(report.overwritten)} 行。"))
            elif report.differences:
                self.stdout.write(self.style.WARNING("  未覆盖；确认以基础数据为准请加 --force。"))


def _refusal(folder, report):
    lines = [f"{folder.name}: 未写入任何数据。", *(f"  {line}" for line in report.refused)]
    for year in sorted(report.locked_years):
        lines.append(f"  {year}年度已锁定；确认要覆盖该年的基期值，请加 --change-locked-year {year}。")
    return "\n".join(lines)
