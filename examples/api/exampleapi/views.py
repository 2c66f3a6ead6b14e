"""Views of the libcoreapi example API. Every response is JSON."""
import json

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from rest_framework import status
from rest_framework.authentication import (
    BasicAuthentication, SessionAuthentication, TokenAuthentication,
)
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


def _method_not_allowed(allowed):
    response = JsonResponse({'detail': 'Method not allowed.'}, status=405)
    response['Allow'] = ', '.join(allowed)
    return response


# --- plain Django views (protected by the normal CSRF middleware) ----------

@ensure_csrf_cookie
def csrf(request):
    """Set the csrftoken cookie. The token is deliberately not in the body."""
    if request.method not in ('GET', 'HEAD'):
        return _method_not_allowed(['GET', 'HEAD'])
    return JsonResponse({'detail': 'CSRF cookie set'})


def _credentials(request):
    """(username, password) from a JSON or form-encoded body, or None."""
    content_type = request.content_type or ''
    if content_type == 'application/json' or content_type.endswith('+json'):
        try:
            data = json.loads(request.body.decode('utf-8') or 'null')
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
    else:
        data = request.POST
    username = data.get('username')
    password = data.get('password')
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    return username, password


def login_view(request):
    """Session login. NOT csrf_exempt: CsrfViewMiddleware protects it."""
    if request.method != 'POST':
        return _method_not_allowed(['POST'])
    creds = _credentials(request)
    if creds is None:
        return JsonResponse(
            {'detail': 'Expected "username" and "password" (JSON or form).'},
            status=400)
    user = authenticate(request, username=creds[0], password=creds[1])
    if user is None:
        return JsonResponse(
            {'detail': 'Unable to log in with provided credentials.'},
            status=400)
    # login() cycles the session key and rotates the CSRF token, so the
    # response carries a new csrftoken cookie.
    login(request, user)
    return JsonResponse({'username': user.get_username()})


def logout_view(request):
    if request.method != 'POST':
        return _method_not_allowed(['POST'])
    logout(request)
    return JsonResponse({'detail': 'Logged out'})


def csrf_failure(request, reason=''):
    """settings.CSRF_FAILURE_VIEW: a JSON 403 (same shape as DRF's)."""
    return JsonResponse({'detail': 'CSRF Failed: %s' % reason}, status=403)


def not_found(request, exception=None):
    return JsonResponse({'detail': 'Not found.'}, status=404)


def server_error(request):
    return JsonResponse({'detail': 'Server error.'}, status=500)


# --- Django REST framework views ---------------------------------------------

class RootView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({'name': 'libcoreapi example API'})


_AUTH_NAMES = (
    (TokenAuthentication, 'token'),
    (BasicAuthentication, 'basic'),
    (SessionAuthentication, 'session'),
)

if settings.OAUTH2:
    from oauth2_provider.contrib.rest_framework import (
        OAuth2Authentication, TokenHasReadWriteScope,
    )
    _AUTH_NAMES += ((OAuth2Authentication, 'oauth2'),)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        authenticator = request.successful_authenticator
        auth = None
        for cls, name in _AUTH_NAMES:
            if isinstance(authenticator, cls):
                auth = name
                break
        return Response({
            'username': request.user.get_username(),
            'auth': auth,
        })


if settings.OAUTH2:
    class OAuthMeView(APIView):
        """GET /oauth-me/ (scope "read") and POST /oauth-me/ (scope "write"):
        an OAuth 2.0 protected resource, Bearer access tokens only.

        Answers {"username" (null for a client-credentials token), "auth":
        "oauth2", "scope" (the token's, space-separated), "client_id"}; POST
        adds "data" (the body as sent). Without a valid token 401 with
        DOT's WWW-Authenticate: Bearer realm="api"[,error="invalid_token",
        error_description="..."]; a valid token without the scope 403.
        """
        authentication_classes = [OAuth2Authentication]
        permission_classes = [TokenHasReadWriteScope]
        required_scopes = []
        # Neither a link of /schema/ nor an operation of the OpenAPI
        # descriptions: those stay what they were.
        schema = None

        def _answer(self, request):
            token = request.auth
            user = token.user
            return {
                'username': user.get_username() if user is not None else None,
                'auth': 'oauth2',
                'scope': token.scope,
                'client_id': token.application.client_id if token.application else None,
            }

        def get(self, request):
            return Response(self._answer(request))

        def post(self, request):
            data = request.data
            if hasattr(data, 'dict'):
                data = data.dict()
            return Response(dict(self._answer(request), data=data))


class NotesView(APIView):
    # For session-authenticated users DRF's SessionAuthentication enforces
    # CSRF here; Basic/Token users need no CSRF token.
    permission_classes = [IsAuthenticated]

    def post(self, request):
        data = request.data
        if hasattr(data, 'dict'):  # QueryDict from a form-encoded body
            data = data.dict()
        return Response(
            {'username': request.user.get_username(), 'data': data},
            status=status.HTTP_201_CREATED)


class InspectView(APIView):
    """Report what the request carried. Never authenticates, never 401/403.

    Every response also sets the cookie tracker=1, so that a test can check
    that a client without cookie permission never sends it back.
    """
    authentication_classes = []
    permission_classes = [AllowAny]

    def _inspect(self, request, *args, **kwargs):
        meta = request.META
        response = Response({
            'authorization': 'HTTP_AUTHORIZATION' in meta,
            'cookies': sorted(request.COOKIES.keys()),
            'csrf_header': 'HTTP_X_CSRFTOKEN' in meta,
            'origin': meta.get('HTTP_ORIGIN'),
            'referer': meta.get('HTTP_REFERER'),
        })
        response.set_cookie('tracker', '1')
        return response

    get = post = put = patch = delete = _inspect


# --- HMAC request signatures: the server side of examples/hmac/ ------------

# Key id -> shared secret. A demo key: a real service keeps these secret.
HMAC_KEYS = {'demo': b'demo-shared-secret'}


def _hmac_string_to_sign(request):
    """METHOD, path with query, X-Date and SHA-256 of the body, one a line."""
    import hashlib
    return '\n'.join([
        request.method,
        request.get_full_path(),
        request.META.get('HTTP_X_DATE', ''),
        hashlib.sha256(request.body).hexdigest(),
    ]).encode('utf-8')


def signed(request):
    """Verify `Authorization: HMAC-SHA256 keyId="...",signature="<base64>"`.

    Answers 200 {"verified": true, "key_id": ...} for a valid signature made
    less than five minutes ago (X-Date, RFC 7231 IMF-fixdate), else 401.
    """
    import base64
    import hashlib
    import hmac
    import re
    import time
    from email.utils import parsedate_to_datetime

    header = request.META.get('HTTP_AUTHORIZATION', '')
    match = re.fullmatch(
        r'HMAC-SHA256 keyId="([^"]+)",signature="([A-Za-z0-9+/=]+)"', header)
    if not match or match.group(1) not in HMAC_KEYS:
        return JsonResponse({'detail': 'Missing or malformed signature.'}, status=401)
    try:
        sent = parsedate_to_datetime(request.META.get('HTTP_X_DATE', ''))
        fresh = abs(time.time() - sent.timestamp()) < 300
    except (TypeError, ValueError):
        fresh = False
    if not fresh:
        return JsonResponse({'detail': 'X-Date missing or not fresh.'}, status=401)
    expected = base64.b64encode(hmac.new(
        HMAC_KEYS[match.group(1)], _hmac_string_to_sign(request),
        hashlib.sha256).digest()).decode('ascii')
    if not hmac.compare_digest(expected, match.group(2)):
        return JsonResponse({'detail': 'Signature does not match.'}, status=401)
    return JsonResponse({'verified': True, 'key_id': match.group(1),
                         'body_length': len(request.body)})


# Signed requests carry their own proof; no cookie, so no CSRF to check.
signed = csrf_exempt(signed)
