from django.urls import path

from dixian.statistics import evaluation_views, views

urlpatterns = [
    path("statistics/", views.home, name="statistics"),
    path("statistics/<str:region>/", views.region, name="statistics_region"),
    path("statistics/<str:region>/households/", views.households, name="statistics_households"),
    path("statistics/<str:region>/tables/<slug:name>.<str:fmt>", views.table_download,
         name="statistics_table"),
    path("statistics/<str:region>/report.<str:fmt>", views.report, name="statistics_report"),
    path("statistics/<str:region>/recompute/", views.recompute, name="statistics_recompute"),
    path("statistics/<str:region>/evaluation/", evaluation_views.evaluation,
         name="evaluation"),
    path("statistics/<str:region>/evaluation/draw/", evaluation_views.draw,
         name="evaluation_draw"),
    path("statistics/<str:region>/evaluation/findings/", evaluation_views.findings,
         name="evaluation_findings"),
    path("statistics/<str:region>/evaluation/upload/", evaluation_views.upload,
         name="evaluation_upload"),
    path("statistics/<str:region>/evaluation/sample.<str:fmt>", evaluation_views.sample_file,
         name="evaluation_sample"),
    path("statistics/<str:region>/evaluation/results/", evaluation_views.results,
         name="evaluation_results"),
]
