from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.my_cases, name="my_cases"),
    path("worklist/", views.worklist, name="worklist"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/transitions/<str:name>/", views.case_transition_view, name="case_transition"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
