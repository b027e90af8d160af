from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from figures.plan_loading import load_plan, plan_folders


class Command(BaseCommand):
    help = "载入 fixtures/ 中的规划（可重复运行；与数据库不一致之处只列出，加 --force 才覆盖）。"

    def add_arguments(self, parser):
        parser.add_argument("folders", nargs="*", type=Path, help="规划目录，默认 fixtures/ 下的全部规划")
        parser.add_argument("--force", action="store_true", help="用基础数据覆盖数据库中不一致的值")

    def handle(self, *args, folders, force, **options):
        folders = folders or plan_folders()
        if not folders:
            raise CommandError("fixtures/ 中没有规划目录。")
        for folder in folders:
            if not (folder / "plan.json").exists():
                raise CommandError(f"{folder} 中没有 plan.json。")
            report = load_plan(folder, force=force)
            self.stdout.write(f"{folder.name}: 新增 {len(report.created)} 行。")
            for line in report.differences:
                self.stdout.write(self.style.WARNING(f"  不一致：{line}"))
            if report.overwritten:
                self.stdout.write(self.style.WARNING(f"  已覆盖 {len(report.overwritten)} 行。"))
            elif report.differences:
                self.stdout.write(self.style.WARNING("  未覆盖；确认以基础数据为准请加 --force。"))
