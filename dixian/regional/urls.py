from django.urls import path

from dixian.regional import views

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
    path("regional/relocation/<str:code>/", views.region, name="relocation_region"),
    path("regional/relocation/<str:code>/export.xlsx", views.export, name="relocation_export"),
]

# key counties (§8.5): their own module, so the other programmes' routes stay apart
from dixian.regional.views_key_counties import urlpatterns as key_county_urls  # noqa: E402

urlpatterns += key_county_urls
