from django.urls import path

from orgs.views import members, onboarding, positions, roster, tree

app_name = "orgs"
urlpatterns = [
    path("orgs/", tree.org_list, name="org_list"),
    path("orgs/tree/", tree.org_tree, name="org_tree"),
    path("orgs/new/", tree.org_create, name="org_create"),
    path("orgs/problems/", tree.problems, name="problems"),
    path("orgs/<int:pk>/", tree.org_detail, name="org_detail"),
    path("orgs/<int:pk>/edit/", tree.org_edit, name="org_edit"),
    path("members/", members.member_list, name="member_list"),
    path("members/new/", members.member_create, name="member_create"),
    path("members/<int:pk>/", members.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", members.member_edit, name="member_edit"),
    path("members/<int:pk>/unmask/", members.member_unmask, name="member_unmask"),
    path("members/<int:pk>/positions/new/", members.position_create, name="position_create"),
    path("positions/<int:pk>/end/", members.position_end, name="position_end"),
    path("members/import/", roster.import_roster, name="member_import"),
    path("members/import/template.xlsx", roster.import_template, name="member_import_template"),
    path("members/export.xlsx", roster.export_roster, name="member_export"),
    path("onboarding/", onboarding.onboarding_home, name="onboarding"),
    path("onboarding/export/", onboarding.county_export, name="county_export"),
    path("onboarding/template/<str:sheet>.xlsx", onboarding.onboarding_template, name="onboarding_template"),
    path("onboarding/<int:pk>/", onboarding.onboarding_detail, name="onboarding_detail"),
    path(
        "onboarding/<int:pk>/mapping/<str:sheet>/", onboarding.onboarding_mapping, name="onboarding_mapping"
    ),
    path("onboarding/<int:pk>/progress/", onboarding.onboarding_progress, name="onboarding_progress"),
    path("onboarding/<int:pk>/<str:step>/", onboarding.onboarding_start, name="onboarding_start"),
    path("positions/", positions.position_list, name="position_list"),
    path("positions/import/", positions.position_import, name="position_import"),
    path("positions/import/template.xlsx", positions.position_template, name="position_import_template"),
]
