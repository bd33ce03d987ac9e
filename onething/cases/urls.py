from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.index, name="index"),
    path("apply/<str:code>", views.apply, name="apply"),
    path("apply/<str:code>/draft", views.autosave, name="autosave"),
    path("apply/<str:code>/discard", views.discard, name="discard"),
    path("tasks/<int:task_id>/decide", views.decide, name="decide"),
    path("commitments/<int:commitment_id>/fulfil", views.fulfil, name="fulfil"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/accept", views.accept, name="accept"),
    path("<str:number>/materials/<str:material>", views.material, name="material"),
    path("<str:number>/supplement", views.supplement, name="supplement"),
]
