from django.urls import path

from dixian.funds import views

urlpatterns = [
    path("funds/", views.home, name="funds"),
    path("funds/projects/", views.projects, name="projects"),
    path("funds/projects/apply/", views.apply, name="project_apply"),
    path("funds/projects/<int:pk>/", views.project, name="project"),
    path("funds/projects/<int:pk>/act/", views.project_act, name="project_act"),
    path("funds/projects/<int:pk>/work-relief/", views.work_relief_page, name="work_relief"),
    path("funds/projects/<int:pk>/work-relief/act/", views.work_relief_act,
         name="work_relief_act"),
    path("funds/allocations/", views.allocations, name="allocations"),
    path("funds/allocations/add/", views.allocation_add, name="allocation_add"),
    path("funds/assets/", views.assets, name="assets"),
    path("funds/assets/<int:pk>/", views.asset, name="asset"),
    path("funds/assets/<int:pk>/act/", views.asset_act, name="asset_act"),
    path("funds/notices/<int:pk>/", views.notice, name="funds_notice"),
    path("funds/documents/<int:pk>/", views.document, name="funds_document"),
    path("funds/households/<str:code>/", views.household, name="household_funds"),
    path("funds/<str:code>/", views.region, name="funds_region"),
    path("funds/<str:code>/export.xlsx", views.export, name="funds_export"),
]
