import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from figures.models import ApiToken


class Command(BaseCommand):
    help = "为用户生成接口令牌（旧令牌作废）；令牌只显示这一次。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}。")
        key = secrets.token_urlsafe(32)
        ApiToken.objects.update_or_create(user=user, defaults={"digest": hashlib.sha256(key.encode()).hexdigest()})
        self.stdout.write(key)
