from django.urls import path

from . import views

urlpatterns = [
    path("trees/", views.tree_list, name="nursery_tree_list"),
    path("trees/<slug:tag>/", views.tree_detail, name="nursery_tree_detail"),
    path("trees/<slug:tag>/label/", views.tree_label, name="nursery_tree_label"),
    path("field/", views.field_form, name="nursery_field"),
]
