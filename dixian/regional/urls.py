from django.urls import path

from dixian.regional import pairing_views, views

urlpatterns = [
    path("regional/relocation/", views.home, name="relocation"),
    path("regional/relocation/sites/add/", views.site_add, name="relocation_site_add"),
    path("regional/relocation/sites/<int:pk>/", views.site, name="relocation_site"),
    path("regional/relocation/sites/<int:pk>/act/", views.site_act,
         name="relocation_site_act"),
    path("regional/relocation/households/<int:pk>/", views.relocated, name="relocated"),
    path("regional/relocation/households/<int:pk>/act/", views.relocated_act,
         name="relocated_act"),
    path("regional/consumption/", views.consumption_home, name="consumption"),
    path("regional/consumption/act/", views.consumption_act, name="consumption_act"),
    path("regional/consumption/template.csv", views.consumption_template,
         name="consumption_template"),
    path("regional/consumption/files/<int:pk>/", views.consumption_batch,
         name="consumption_batch"),
    path("regional/land-quotas/", views.land_quotas, name="land_quotas"),
    path("regional/land-quotas/act/", views.land_quota_act, name="land_quota_act"),
    path("regional/pairings/", pairing_views.pairings, name="pairings"),
    path("regional/pairings/act/", pairing_views.pairings_act, name="pairings_act"),
    path("regional/pairings/<int:pk>/", pairing_views.pairing_page, name="pairing"),
    path("regional/pairings/<int:pk>/act/", pairing_views.pairing_act, name="pairing_act"),
    path("regional/pairings/<int:pk>/<int:year>/", pairing_views.pairing_year,
         name="pairing_year"),
    path("regional/pairings/<int:pk>/<int:year>/export.<str:fmt>",
         pairing_views.pairing_year_export, name="pairing_year_export"),
    path("regional/work-teams/", pairing_views.work_teams, name="work_teams"),
    path("regional/work-teams/act/", pairing_views.work_teams_act, name="work_teams_act"),
    path("regional/relocation/<str:code>/", views.region, name="relocation_region"),
    path("regional/relocation/<str:code>/export.xlsx", views.export, name="relocation_export"),
]

# key counties (§8.5): their own module, so the other programmes' routes stay apart
from dixian.regional.views_key_counties import urlpatterns as key_county_urls  # noqa: E402

urlpatterns += key_county_urls
