from rest_framework.routers import DefaultRouter

from cakupan.registry.api import views

router = DefaultRouter()
router.register("employers", views.EmployerViewSet, basename="employer")
router.register("persons", views.PersonViewSet, basename="person")
router.register("workers", views.WorkerViewSet, basename="worker")
router.register("employments", views.EmploymentViewSet, basename="employment")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("sponsors", views.SponsorViewSet, basename="sponsor")
urlpatterns = router.urls
