"""The question bank and quizzes under /api/v1/quizzes/."""

from rest_framework.routers import SimpleRouter

from quizzes.api import AttemptViewSet, CampaignViewSet, QuestionViewSet

router = SimpleRouter()
router.register("questions", QuestionViewSet, basename="api-quiz-question")
router.register("campaigns", CampaignViewSet, basename="api-quiz-campaign")
router.register("attempts", AttemptViewSet, basename="api-quiz-attempt")

urlpatterns = router.urls
