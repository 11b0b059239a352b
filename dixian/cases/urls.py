from django.urls import path

from dixian.cases import views

urlpatterns = [
    path("cases/", views.queue, name="cases"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/act/", views.act, name="case_act"),
    path("cases/<int:case_id>/letter/", views.letter, name="case_letter"),
    path("notices/<str:village_code>/", views.notice, name="notice"),
    path("declare/<str:county_code>/", views.declare, name="declare"),
    path("declarations/", views.declarations, name="declarations"),
]
