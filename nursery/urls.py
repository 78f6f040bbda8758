from django.urls import path, register_converter

from . import views
from .validators import CodeConverter

register_converter(CodeConverter, "code")

urlpatterns = [
    path("trees/", views.tree_list, name="nursery_tree_list"),
    path("trees/<code:tag>/", views.tree_detail, name="nursery_tree_detail"),
    path("trees/<code:tag>/label/", views.tree_label, name="nursery_tree_label"),
    path("field/", views.field_form, name="nursery_field"),
]
