from django.urls import URLPattern, URLResolver

app_name = "compensation"
urlpatterns: list[URLPattern | URLResolver] = []
