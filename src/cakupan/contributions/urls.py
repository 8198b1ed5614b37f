from django.urls import path

from cakupan.contributions import views, views_review

app_name = "contributions"

urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("accounts/<int:pk>/", views.account_statement, name="account_statement"),
    path("accounts/<int:pk>/statement.xlsx", views.account_statement_xlsx, name="account_statement_xlsx"),
    path("accounts/<int:pk>/pay/", views.payment_create, name="payment_create"),
    path("accounts/<int:pk>/apply-credit/", views.account_apply_credit, name="account_apply_credit"),
    path("payments/<int:pk>/release/", views_review.payment_release_view, name="payment_release"),
    path("payments/<int:pk>/reject/", views_review.payment_reject_view, name="payment_reject"),
    path("bills/", views.bill_list, name="bill_list"),
    path("bills/export.xlsx", views.bill_list_xlsx, name="bill_list_xlsx"),
    path("bills/<int:pk>/", views.bill_detail, name="bill_detail"),
    path("arrears/", views.arrears, name="arrears"),
    path("arrears/export.xlsx", views.arrears_xlsx, name="arrears_xlsx"),
    path("import/", views.statement_upload, name="statement_upload"),
    path("billing/", views.billing_start, name="billing_start"),
]
