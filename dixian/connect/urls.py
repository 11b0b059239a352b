from django.urls import path

from dixian.connect import views

urlpatterns = [
    path("departments/", views.departments_page, name="departments"),
    path("departments/accounts/<int:account_id>/", views.service_account,
         name="service_account"),
    path("departments/tokens/<int:token_id>/<slug:what>/", views.token_action,
         name="token_action"),
    path("departments/schedules/<int:schedule_id>/active/", views.schedule_active,
         name="schedule_active"),
]
