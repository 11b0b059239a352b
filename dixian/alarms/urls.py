from django.urls import path

from dixian.alarms import views

urlpatterns = [
    path("alarms/", views.alarm_list, name="alarms"),
    path("alarms/<int:alarm_id>/", views.alarm_detail, name="alarm"),
]
