from django.core.management.base import BaseCommand

from figures import notices


class Command(BaseCommand):
    help = "生成截止日期提醒（提前7天、1天），并把尚未发送的通知发邮件给有邮箱的用户；可重复运行，每条通知只发一次。"

    def handle(self, *args, **options):
        made = notices.remind()
        sent = notices.send()
        self.stdout.write(f"新提醒 {made} 条，发送邮件 {sent} 封。")
