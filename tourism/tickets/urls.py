from django.urls import path, re_path

from . import alipay_views, group_views, lookup_views, views, wechat_views

app_name = "tickets"

urlpatterns = [
    path("", views.booking, name="booking"),
    path("order/<str:token>/", views.order_detail, name="order"),
    path("order/<str:token>/cancel/", views.order_cancel, name="order_cancel"),
    path("order/<str:token>/visit.ics", views.order_ics, name="order_ics"),
    path("order/<str:token>/pay/wechat/", wechat_views.wechat_pay, name="wechat_pay"),
    path(
        "order/<str:token>/pay/wechat/oauth/",
        wechat_views.wechat_pay_oauth,
        name="wechat_pay_oauth",
    ),
    path(
        "order/<str:token>/pay/wechat/status/",
        wechat_views.wechat_pay_status,
        name="wechat_pay_status",
    ),
    path("order/<str:token>/pay/alipay/", alipay_views.alipay_pay, name="alipay_pay"),
    path("find/", lookup_views.find, name="find"),
    path("find/code/", lookup_views.find_code, name="find_code"),
    path("find/orders/", lookup_views.find_orders, name="find_orders"),
    path("find/orders/<str:reference>/cancel/", lookup_views.find_cancel, name="find_cancel"),
    path("find/sign-out/", lookup_views.find_sign_out, name="find_sign_out"),
    path("group/", group_views.group_booking, name="group_booking"),
    # The blank list comes as a spreadsheet or as CSV; any other ending is not a page.
    re_path(
        r"^group/visitors\.(?P<kind>csv|xlsx)$",
        group_views.group_list_template,
        name="group_list_template",
    ),
    path("order/<str:token>/group/", group_views.group_list, name="group_list"),
]
