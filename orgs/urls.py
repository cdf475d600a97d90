from django.urls import path

from orgs import roster_views, views

app_name = "orgs"
urlpatterns = [
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/tree/", views.org_tree, name="org_tree"),
    path("orgs/new/", views.org_create, name="org_create"),
    path("orgs/problems/", views.problems, name="problems"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/unmask/", views.member_unmask, name="member_unmask"),
    path("members/<int:pk>/positions/new/", views.position_create, name="position_create"),
    path("positions/<int:pk>/end/", views.position_end, name="position_end"),
    path("members/import/", roster_views.import_roster, name="member_import"),
    path("members/import/template.xlsx", roster_views.import_template, name="member_import_template"),
    path("members/export.xlsx", roster_views.export_roster, name="member_export"),
]
