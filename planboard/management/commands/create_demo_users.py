from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from planboard import roles
from plans.models import District

DEMO_PASSWORD = "planboard-demo"


class Command(BaseCommand):
    help = "创建演示账号（仅限 DEBUG=1 的开发环境；密码见 README）。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("演示账号只能在 DEBUG=1 时创建，生产环境请用 createsuperuser。")
        roles.ensure_groups()
        self._user("admin", "管理员", superuser=True)
        self._user("leader", "厅领导", group=roles.LEADER)
        self._user("analyst", "分析员", group=roles.ANALYST)
        self._user("reviewer", "审核员", group=roles.REVIEWER)
        # Four eyes: nobody approves a figure he entered or submitted, so the demo has a second reviewer.
        self._user("reviewer2", "审核员二", group=roles.REVIEWER)
        # Two-level review (the plan's 审核层级 2): Fuzhou's city reviewer checks Fuzhou's figures first.
        city_reviewer = self._user("reviewer_fuzhou", "福州市审核员", group=roles.CITY_REVIEWER)
        District.objects.get(slug="fuzhou").members.add(city_reviewer)
        for district in District.objects.all():
            username = "official" if district.is_province else f"official_{district.slug}"
            user = self._user(username, f"{district.short_name}填报员", group=roles.OFFICIAL)
            district.members.add(user)
        self.stdout.write(f"演示账号已就绪，密码均为 {DEMO_PASSWORD}（仅供演示）。")

    def _user(self, username, name, group=None, superuser=False):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": name,
                "is_staff": superuser,
                "is_superuser": superuser,
                # Notices are mailed to the console under `make run` (send_notices).
                "email": f"{username}@example.org",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user
