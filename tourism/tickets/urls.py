from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("", views.booking, name="booking"),
    path("order/<str:token>/", views.order_detail, name="order"),
    path("order/<str:token>/cancel/", views.order_cancel, name="order_cancel"),
    path("order/<str:token>/visit.ics", views.order_ics, name="order_ics"),
]
