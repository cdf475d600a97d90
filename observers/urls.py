app_name = "observers"
urlpatterns: list = []
