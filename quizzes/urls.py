from django.urls import path

from quizzes.views import bank, campaigns, take

app_name = "quizzes"
urlpatterns = [
    path("", take.my_quizzes, name="my"),
    path("practice/", take.practice, name="practice"),
    path("attempts/<int:pk>/", take.attempt_page, name="attempt"),
    path("attempts/<int:pk>/save/", take.attempt_save, name="attempt_save"),
    path("attempts/<int:pk>/submit/", take.attempt_submit, name="attempt_submit"),
    path("bank/", bank.bank, name="bank"),
    path("bank/new/", bank.question_create, name="question_create"),
    path("bank/categories/", bank.categories, name="categories"),
    path("bank/import/", bank.import_questions, name="import"),
    path("bank/import/template/", bank.import_template, name="import_template"),
    path("bank/export/", bank.export, name="export"),
    path("bank/<int:pk>/", bank.question_detail, name="question_detail"),
    path("bank/<int:pk>/edit/", bank.question_edit, name="question_edit"),
    path("bank/<int:pk>/retire/", bank.question_retire, name="question_retire"),
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/start/", take.campaign_start, name="campaign_start"),
    path("campaigns/<int:pk>/void/", campaigns.campaign_void, name="campaign_void"),
]
