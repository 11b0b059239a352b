from django.urls import path

from dixian.quality import views

urlpatterns = [
    path("quality/", views.issue_list, name="quality_issues"),
    path("quality/villages/", views.village_counts, name="quality_villages"),
    path("quality/run/", views.run_rules, name="quality_run"),
    path("quality/<int:issue_id>/accept/", views.accept_issue, name="quality_accept"),
]
