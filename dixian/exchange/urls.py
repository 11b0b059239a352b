from django.urls import path

from dixian.exchange import views

urlpatterns = [
    path("feeds/", views.feeds, name="feeds"),
    path("feeds/<int:batch_id>/", views.feed_batch, name="feed_batch"),
    path("feeds/alerts/", views.feed_alerts, name="feed_alerts"),
    path("feeds/template.xlsx", views.feed_template, name="feed_template"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("screening/run/", views.run_screening, name="screening_run"),
]
