from django.urls import path

from cakupan.field import views

app_name = "field"

urlpatterns = [
    path("agents/", views.agent_list, name="agents"),
    path("agents/<int:pk>/<str:action>/", views.agent_status, name="agent_status"),
    path("conflicts/", views.conflict_list, name="conflicts"),
    path("deposits/", views.deposit_list, name="deposits"),
    path("statements/", views.statement_list, name="statements"),
    path("anomalies/", views.anomaly_list, name="anomalies"),
    path("mine/members/", views.my_members, name="my_members"),
    path("mine/collections/", views.my_collections, name="my_collections"),
    path("mine/statement/", views.my_statement, name="my_statement"),
]
