from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_page, name="report"),
    path("export/", views.export, name="export"),
    path("exports/<uuid:job_id>/", views.export_job, name="export_job"),
    path("exports/<uuid:job_id>/download/", views.export_download, name="export_download"),
]
