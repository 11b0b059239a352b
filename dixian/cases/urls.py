from django.urls import path

from dixian.cases import monitoring_views as watch
from dixian.cases import offline_views as offline
from dixian.cases import views

urlpatterns = [
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("favicon.ico", offline.favicon, name="favicon"),
    path("offline/", offline.offline_page, name="offline"),
    path("offline/bundle/", offline.bundle, name="offline_bundle"),
    path("offline/sync/", offline.sync, name="offline_sync"),
    path("inbox/", watch.inbox, name="inbox"),
    path("inbox/notifications/", watch.notifications, name="notifications"),
    path("cases/", views.queue, name="cases"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/act/", views.act, name="case_act"),
    path("cases/<int:case_id>/letter/", views.letter, name="case_letter"),
    path("notices/<str:village_code>/", views.notice, name="notice"),
    path("declare/", views.declare_start, name="declare_start"),
    path("declare/<str:county_code>/", views.declare, name="declare"),
    path("declarations/", views.declarations, name="declarations"),
    path("monitoring/<str:code>/", watch.household_monitoring, name="household_monitoring"),
    path("monitoring/<str:code>/clue/", watch.raise_clue, name="raise_clue"),
    path("monitoring/<str:code>/eliminate/", watch.propose_elimination,
         name="propose_elimination"),
    path("monitoring/<str:code>/visits/<str:month>/", watch.visit_form, name="visit_form"),
    path("eliminations/", watch.eliminations, name="eliminations"),
    path("visits/", watch.visits, name="visits"),
    path("campaigns/", watch.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", watch.campaign, name="campaign"),
    path("campaign-tasks/<int:task_id>/", watch.campaign_task, name="campaign_task"),
]
