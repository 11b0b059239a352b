from django.urls import path

from dixian.assistance import views

urlpatterns = [
    path("plans/<str:code>/", views.plan, name="plan"),
    path("plans/<str:code>/assign/", views.assign, name="plan_assign"),
    path("plans/<str:code>/measures/<int:measure_id>/", views.plan_measure_update,
         name="plan_measure_update"),
    path("measures/", views.board, name="measures"),
    path("measures/<int:measure_id>/", views.board_update, name="measure_update"),
    path("measures/upload/", views.board_upload, name="measures_upload"),
    path("assistance/issues/", views.issues, name="plan_issues"),
    path("assistance/coverage/", views.coverage_page, name="coverage"),
]
