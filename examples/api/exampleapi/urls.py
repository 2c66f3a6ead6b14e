from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.permissions import AllowAny
from rest_framework.renderers import CoreJSONRenderer
from rest_framework.routers import DefaultRouter
from rest_framework.schemas import get_schema_view

from library.paging import CursorBooksView, NumberedBooksView, OffsetBooksView
from library.views import BookViewSet

from . import openapi, views

router = DefaultRouter()
# "/" is RootView below; no router root view competing for it.
router.include_root_view = False
router.register('books', BookViewSet, basename='books')

# The Core API schema of everything below, as Core JSON
# (application/coreapi+json). Public: no authentication, and public=True so
# that links are listed whatever the requesting user may do.
schema_view = get_schema_view(
    title='Example API',
    renderer_classes=[CoreJSONRenderer],
    public=True,
    authentication_classes=[],
    permission_classes=[AllowAny],
)


def _oauth_views():
    """[(route, view, name)] of the OAuth 2.0 paths (settings.OAUTH2)."""
    if not settings.OAUTH2:
        return []
    from oauth2_provider.urls import app_name, base_urlpatterns
    return [
        ('o/', include((base_urlpatterns, app_name), namespace=app_name), None),
        ('oauth-me/', views.OAuthMeView.as_view(), 'oauth-me'),
    ]


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
    path('schema/', schema_view, name='schema'),
    # The books under each of DRF's paginations, 3 a page (library/paging.py).
    path('paged/numbers/', NumberedBooksView.as_view(), name='paged-numbers'),
    path('paged/offsets/', OffsetBooksView.as_view(), name='paged-offsets'),
    path('paged/cursor/', CursorBooksView.as_view(), name='paged-cursor'),
    # OpenAPI 3 descriptions (exampleapi/openapi.py), when the generators'
    # packages are installed: DRF's at /openapi-drf/ (JSON) and
    # /openapi-drf.yaml, drf-spectacular's at /openapi/, /openapi.json and
    # /openapi.yaml. None of them is a link of /schema/.
] + [
    path(route, view, name=name)
    for route, view, name in openapi.drf_views() + openapi.spectacular_views()
] + [
    # OAuth 2.0 (django-oauth-toolkit, when installed; settings.OAUTH2): the
    # authorization server's endpoints under /o/ (authorize/, token/,
    # revoke_token/, introspect/; not its application management pages) and
    # a protected resource. None of them is a link of /schema/.
    path(route, view, name=name) if name else path(route, view)
    for route, view, name in _oauth_views()
] + [
    # Uploaded covers (no authentication; a throw-away test server).
    re_path(r'^media/(?P<path>.+)$', serve,
            {'document_root': settings.MEDIA_ROOT}, name='media'),
] + router.urls

handler404 = 'exampleapi.views.not_found'
handler500 = 'exampleapi.views.server_error'
