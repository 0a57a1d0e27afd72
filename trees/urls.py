from __future__ import annotations

from django.urls import path

from trees import views

app_name = "trees"

urlpatterns = [
    path("", views.tree_list, name="list"),
    path("<slug:slug>/", views.tree_detail, name="tree"),
    path("<slug:slug>/map/", views.tree_map, name="map"),
]
