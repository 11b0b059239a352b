from django.urls import path

from dixian.registry import duplicate_views, views

urlpatterns = [
    path("households/", views.household_search, name="households"),
    path("households/<str:code>/", views.household_page, name="household"),
    path("members/<str:member_id>/reveal-id/", views.reveal_id, name="reveal_id"),
    path("imports/", views.imports, name="imports"),
    path("duplicates/", duplicate_views.duplicate_report, name="duplicates"),
    path("duplicates/decide/", duplicate_views.duplicate_decide, name="duplicate_decide"),
    path("duplicates/<int:decision_id>/reverse/", duplicate_views.duplicate_reverse,
         name="duplicate_reverse"),
    path("imports/<int:batch_id>/", views.import_report, name="import_report"),
    path("imports/<int:batch_id>/rejected.csv", views.import_rejected_rows,
         name="import_rejected_rows"),
]
