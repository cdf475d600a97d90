from django.urls import path

from learning.views import books, conversions, hours, lessons, videos

app_name = "learning"
urlpatterns = [
    # First: the heartbeat is the hottest URL of the app (every viewer, every 3 s), resolved in one step.
    path("videos/<int:pk>/beat/", videos.video_beat, name="video_beat"),
    path("", hours.home, name="home"),
    path("hours/", hours.hours, name="hours"),
    path("members/<int:pk>/", hours.member, name="member"),
    path("members/<int:pk>/offline/", hours.offline_add, name="offline_add"),
    path("members/<int:pk>/exemption/", hours.exemption, name="exemption"),
    path("entries/<int:pk>/remove/", hours.entry_remove, name="entry_remove"),
    path("lessons/", lessons.lessons, name="lessons"),
    path("lessons/new/", lessons.lesson_new, name="lesson_new"),
    path("lessons/<int:pk>/", lessons.lesson_detail, name="lesson_detail"),
    path("lessons/<int:pk>/slides", lessons.lesson_slides, name="lesson_slides"),
    path("lessons/<int:pk>/delete/", lessons.lesson_delete, name="lesson_delete"),
    path("trainings/", lessons.trainings, name="trainings"),
    path("trainings/new/", lessons.training_new, name="training_new"),
    path("trainings/<int:pk>/", lessons.training_detail, name="training_detail"),
    path("videos/", videos.library, name="videos"),
    path("videos/new/", videos.video_new, name="video_new"),
    path("videos/<int:pk>/", videos.video_detail, name="video_detail"),
    path("videos/<int:pk>/file", videos.video_file, name="video_file"),
    path("videos/<int:pk>/poster", videos.video_poster, name="video_poster"),
    path("videos/<int:pk>/status/", videos.video_status, name="video_status"),
    path("videos/<int:pk>/start/", videos.video_start, name="video_start"),
    path("videos/<int:pk>/assign/", videos.video_assign, name="video_assign"),
    path("assignments/<int:pk>/", videos.assignment_detail, name="assignment_detail"),
    path("books/", books.books, name="books"),
    path("books/new/", books.book_new, name="book_new"),
    path("books/<int:pk>/", books.book_detail, name="book_detail"),
    path("books/<int:pk>/export/", books.book_export, name="book_export"),
    path("records/<int:pk>/", books.record_detail, name="record_detail"),
    path("records/<int:pk>/check/", books.record_check, name="record_check"),
    path("checks/<int:pk>/withdraw/", books.check_withdraw, name="check_withdraw"),
    path("conversions/", conversions.conversion_list, name="conversion_list"),
    path("conversions/new/", conversions.conversion_new, name="conversion_new"),
]
