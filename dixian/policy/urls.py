from django.urls import path

from dixian.policy import views

urlpatterns = [
    path("policy/", views.policy_page, name="policy"),
    path("policy/changes/", views.changes_page, name="policy_changes"),
    path("policy/changes/new/", views.propose_page, name="policy_propose"),
    path("policy/changes/<int:change_id>/", views.change_page, name="policy_change"),
    path("policy/changes/<int:change_id>/preview/", views.change_preview,
         name="policy_change_preview"),
    path("policy/changes/<int:change_id>/decide/", views.change_decide,
         name="policy_change_decide"),
    path("policy/parameters/<str:name>/", views.parameter_page, name="policy_parameter"),
]
