from django.urls import path

from proforma import views

app_name = "proforma"
urlpatterns = [
    path("cases/<str:reference>/pdf/", views.pdf_list, name="list"),
    path("cases/<str:reference>/pdf/jobs/<int:job_id>/", views.job_progress, name="job"),
    path("cases/<str:reference>/pdf/<int:pdf_id>/download/", views.pdf_download, name="download"),
    path("pdf/check/", views.pdf_check, name="check"),
]
