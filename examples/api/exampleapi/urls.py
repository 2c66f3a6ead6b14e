from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from . import views

urlpatterns = [
    path('', views.RootView.as_view(), name='root'),
    path('csrf/', views.csrf, name='csrf'),
    path('login/', views.login_view, name='login'),
    path('logout/', views.logout_view, name='logout'),
    path('me/', views.MeView.as_view(), name='me'),
    path('notes/', views.NotesView.as_view(), name='notes'),
    path('api-token-auth/', obtain_auth_token, name='api-token-auth'),
    path('inspect/', views.InspectView.as_view(), name='inspect'),
    path('signed/', views.signed, name='signed'),
]

handler404 = 'exampleapi.views.not_found'
handler500 = 'exampleapi.views.server_error'
