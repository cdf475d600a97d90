from typing import Any

from django.core.management.base import BaseCommand

from notifications.services import deliver_due_messages


class Command(BaseCommand):
    help = "发送到期的短信（与后台任务 deliver_due_messages 调用同一服务）"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(deliver_due_messages()))
