from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from figures import pipeline
from figures.excel_files import BadFile, read_long_table
from figures.plan_loading import acting_user
from plans.shortcuts import command_plan


class Command(BaseCommand):
    help = "从长表 CSV 或 XLSX 导入审核通过的数据；有一行出错则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="记为此用户导入（默认：系统用户）")
        parser.add_argument("--plan", help="规划代码（默认：当前规划）")

    def handle(self, *args, file, user, plan, **options):
        by = acting_user(user)
        plan = command_plan(plan)
        try:
            with open(file, "rb") as f:
                # Published figures, stored as approved in the name of the command's user (the system user).
                rows = list(read_long_table(f, file.name))
                checked = pipeline.import_rows(plan=plan, rows=rows, by=by, action=pipeline.Action.APPROVE)
        except FileNotFoundError:
            raise CommandError(f"找不到文件 {file}。") from None
        except BadFile as error:
            raise CommandError(str(error)) from None
        except pipeline.Conflict as conflict:
            raise CommandError(f"未导入任何数据：{conflict}") from None
        except pipeline.ImportRejected as rejected:
            lines = "\n".join(f"  第{row}行 {column}：{message}" for row, column, message in rejected.errors)
            raise CommandError(f"文件有错误，未导入任何数据：\n{lines}") from None
        changed = sum(row.change != "unchanged" for row in checked)
        self.stdout.write(f"导入 {len(checked)} 行，其中 {changed} 行有变化。")
        for row in checked:
            for breach in row.warnings:  # 仅提示 rules: imported all the same
                self.stdout.write(f"  提示：第{row.key}行 {breach.message}")
