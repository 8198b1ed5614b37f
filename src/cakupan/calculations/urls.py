from django.urls import path

from cakupan.calculations.api import BenefitCalculationView, ContributionCalculationView

urlpatterns = [
    path(
        "calculations/contribution",
        ContributionCalculationView.as_view(),
        name="api-calculation-contribution",
    ),
    path("calculations/benefit", BenefitCalculationView.as_view(), name="api-calculation-benefit"),
]
