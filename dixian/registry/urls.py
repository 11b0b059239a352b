from django.urls import path

from dixian.registry import duplicate_views, entry, facts_views, views

urlpatterns = [
    path("households/", views.household_search, name="households"),
    path("households/new/", entry.household_add, name="household_add"),
    path("households/<str:code>/members/new/", entry.member_add, name="member_add"),
    path("households/<str:code>/move/", entry.household_move, name="household_move"),
    path("households/<str:code>/split/", entry.household_split, name="household_split"),
    path("households/<str:code>/merge/", entry.household_merge, name="household_merge"),
    path("households/<str:code>/head/", entry.household_head, name="household_head"),
    path("members/<str:member_id>/edit/", entry.member_edit, name="member_edit"),
    path("members/<str:member_id>/death/", entry.member_death, name="member_death"),
    path("members/<str:member_id>/leave/", entry.member_leave, name="member_leave"),
    path("facts/conflicts/", facts_views.conflicts, name="fact_conflicts"),
    path("facts/conflicts/<int:conflict_id>/", facts_views.decide, name="fact_conflict_decide"),
    path("households/<str:code>/", views.household_page, name="household"),
    path("members/<str:member_id>/reveal-id/", views.reveal_id, name="reveal_id"),
    path("households/<str:code>/access/", views.household_access, name="household_access"),
    path("imports/", views.imports, name="imports"),
    path("duplicates/", duplicate_views.duplicate_report, name="duplicates"),
    path("duplicates/decide/", duplicate_views.duplicate_decide, name="duplicate_decide"),
    path("duplicates/<int:decision_id>/reverse/", duplicate_views.duplicate_reverse,
         name="duplicate_reverse"),
    path("imports/<int:batch_id>/", views.import_report, name="import_report"),
    path("imports/<int:batch_id>/rejected.csv", views.import_rejected_rows,
         name="import_rejected_rows"),
]
