from django.urls import include, path
from django.views.i18n import set_language

from dixian.api import api
from dixian.web import account, health, jobs, people, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("regions/", views.regions, name="regions"),
    path("regions/search/", views.region_search, name="region_search"),
    path("regions/<str:code>/", views.region, name="region"),
    path("users/", views.users, name="users"),
    path("users/new/", people.user_create, name="user_create"),
    path("users/<int:user_id>/", people.user_edit, name="user_edit"),
    path("users/<int:user_id>/<slug:what>/", people.user_account_action,
         name="user_account_action"),
    path("account/password/", account.change_password, name="change_password"),
    path("account/two-factor/", account.two_factor, name="two_factor"),
    path("account/two-factor/setup/", account.two_factor_setup, name="two_factor_setup"),
    path("audit/", views.audit, name="audit"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/<int:job_id>/", jobs.job_page, name="job"),
    path("jobs/<int:job_id>/status.json", jobs.job_status, name="job_status"),
    path("jobs/<int:job_id>/rerun/", jobs.job_rerun, name="job_rerun"),
    path("", include("dixian.registry.urls")),
    path("", include("dixian.quality.urls")),
    path("", include("dixian.cases.urls")),
    path("", include("dixian.exchange.urls")),
    path("", include("dixian.statistics.urls")),
    path("", include("dixian.assistance.urls")),
    path("", include("dixian.policy.urls")),
    path("", include("dixian.funds.urls")),
    path("", include("dixian.regional.urls")),
    path("", include("dixian.connect.urls")),
    path("", include("dixian.alarms.urls")),
    path("api/", api.urls),
]

handler404 = "dixian.web.views.not_found"
handler403 = "dixian.web.views.permission_denied"
handler500 = "dixian.core.middleware.server_error"
