from django.urls import path

from bulletins.views import articles, issues, quotas

app_name = "bulletins"
urlpatterns = [
    path("", articles.article_list, name="article_list"),
    path("inbox/", articles.inbox, name="inbox"),
    path("articles/new/", articles.article_create, name="article_create"),
    path("articles/<int:pk>/", articles.article_detail, name="article_detail"),
    path("articles/<int:pk>/edit/", articles.article_edit, name="article_edit"),
    path("articles/<int:pk>/submit/", articles.article_submit, name="article_submit"),
    path("articles/<int:pk>/return/", articles.article_return, name="article_return"),
    path("articles/<int:pk>/adopt/", articles.article_adopt, name="article_adopt"),
    path("articles/<int:pk>/images/", articles.article_image_add, name="article_image_add"),
    path("articles/<int:pk>/images/<int:image>/", articles.article_image_file, name="article_image_file"),
    path(
        "articles/<int:pk>/images/<int:image>/delete/",
        articles.article_image_delete,
        name="article_image_delete",
    ),
    path("issues/", issues.issue_list, name="issue_list"),
    path("issues/new/", issues.issue_create, name="issue_create"),
    path("issues/<int:pk>/", issues.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/place/", issues.issue_place, name="issue_place"),
    path("issues/<int:pk>/remove/", issues.issue_remove, name="issue_remove"),
    path("issues/<int:pk>/move/", issues.issue_move, name="issue_move"),
    path("issues/<int:pk>/publish/", issues.issue_publish, name="issue_publish"),
    path("issues/<int:pk>/correct/", issues.issue_correct, name="issue_correct"),
    path("issues/<int:pk>/issue.pdf", issues.issue_pdf, name="issue_pdf"),
    path("issues/<int:pk>/issue.docx", issues.issue_docx, name="issue_docx"),
    path("progress/", quotas.progress, name="progress"),
    path("progress/quota/", quotas.quota_set, name="quota_set"),
    path("ranking/", quotas.ranking, name="ranking"),
    path("ranking/export.xlsx", quotas.ranking_export, name="ranking_export"),
]
