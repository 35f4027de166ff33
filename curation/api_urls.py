"""The curator API (DESIGN §5.3)."""

urlpatterns = []
