from django.urls import path

from dixian.registry import views

urlpatterns = [
    path("households/", views.household_search, name="households"),
    path("households/<str:code>/", views.household_page, name="household"),
    path("members/<str:member_id>/reveal-id/", views.reveal_id, name="reveal_id"),
    path("households/<str:code>/access/", views.household_access, name="household_access"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:batch_id>/", views.import_report, name="import_report"),
    path("imports/<int:batch_id>/rejected.csv", views.import_rejected_rows,
         name="import_rejected_rows"),
]
