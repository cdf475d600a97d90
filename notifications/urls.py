from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns: list = [
    path("", views.notice_list, name="notice_list"),
    path("read/", views.notice_mark_read, name="notice_mark_read"),
    path("badge/", views.notice_badge, name="notice_badge"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
]
