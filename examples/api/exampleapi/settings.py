"""Settings of the libcoreapi example API.

This is a development/test configuration: the secret key is a fixed,
public value. Never deploy it.
"""
import importlib.util
import os
import tempfile

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECRET_KEY = 'libcoreapi-example-insecure-dev-key-do-not-deploy-0123456789'

DEBUG = False

ALLOWED_HOSTS = ['*']

INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'django.contrib.sessions',
    'rest_framework',
    'rest_framework.authtoken',
    'exampleapi',
    'library',
]

# OAuth 2.0 (django-oauth-toolkit, Debian's python3-django-oauth-toolkit
# 1.7): an authorization server under /o/ and OAuth2Authentication for the
# DRF views. Optional, as the OpenAPI generators are: without the package
# the API is exactly what it was before (no /o/, no /oauth-me/).
try:
    OAUTH2 = importlib.util.find_spec('oauth2_provider') is not None
except (ImportError, ValueError):
    OAUTH2 = False
if OAUTH2:
    INSTALLED_APPS.append('oauth2_provider')

MIDDLEWARE = [
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
]

ROOT_URLCONF = 'exampleapi.urls'
WSGI_APPLICATION = 'exampleapi.wsgi.application'

TEMPLATES = []
if OAUTH2:
    # Only for django-oauth-toolkit's own pages: the authorization form
    # (never shown to the seeded, skip_authorization client) and the error
    # page of /o/authorize/ (an unknown client or redirect URI). Every other
    # view answers JSON.
    TEMPLATES = [{
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
        'APP_DIRS': True,
        'OPTIONS': {'context_processors': [
            'django.template.context_processors.request',
            'django.contrib.auth.context_processors.auth',
        ]},
    }]
    STATIC_URL = '/static/'
    # /o/authorize/ without a session redirects here (?next=...); /login/
    # itself only takes POST (JSON or form).
    LOGIN_URL = '/login/'

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': os.environ.get(
            'COREAPI_EXAMPLE_DB',
            os.path.join(tempfile.gettempdir(), 'coreapi-example.sqlite3'),
        ),
        # Several threads of runserver may write (sessions, tokens) at once.
        'OPTIONS': {'timeout': 30},
    }
}

DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'

# Uploaded files (book covers). The test harness points this into its
# private temporary directory. Served at MEDIA_URL by exampleapi/urls.py.
MEDIA_ROOT = os.environ.get(
    'COREAPI_EXAMPLE_MEDIA',
    os.path.join(tempfile.gettempdir(), 'coreapi-media'),
)
MEDIA_URL = '/media/'

# The example is driven by tests that do many Basic-auth requests
# concurrently; keep PBKDF2 but with a cost suitable for a throw-away test
# server (see exampleapi/hashers.py). Passwords hashed with Django's default
# hasher are still accepted.
PASSWORD_HASHERS = [
    'exampleapi.hashers.FastPBKDF2PasswordHasher',
    'django.contrib.auth.hashers.PBKDF2PasswordHasher',
]

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'UTC'
USE_I18N = False
USE_L10N = False
USE_TZ = True

# Behind the TLS nginx of the test harness: trust its X-Forwarded-Proto so
# that Django treats those requests as https and enforces the strict
# Referer check of its CSRF protection. Never trust X-Forwarded-Host: the
# Host header is what the client sent (nginx passes $http_host through).
USE_X_FORWARDED_HOST = False
SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')

# Cookies must also work over plain http on loopback.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
CSRF_USE_SESSIONS = False
CSRF_FAILURE_VIEW = 'exampleapi.views.csrf_failure'

REST_FRAMEWORK = {
    'DEFAULT_AUTHENTICATION_CLASSES': [
        'rest_framework.authentication.SessionAuthentication',
        'rest_framework.authentication.BasicAuthentication',
        'rest_framework.authentication.TokenAuthentication',
    ],
    'DEFAULT_PERMISSION_CLASSES': [
        'rest_framework.permissions.IsAuthenticated',
    ],
    'DEFAULT_RENDERER_CLASSES': [
        'rest_framework.renderers.JSONRenderer',
    ],
    # Core API schemas (served as Core JSON at /schema/); needs the
    # coreapi and coreschema Python packages.
    'DEFAULT_SCHEMA_CLASS': 'rest_framework.schemas.coreapi.AutoSchema',
}

if OAUTH2:
    # Bearer access tokens of /o/token/ for every DRF view (the books
    # included), after the three others: an unauthenticated request still
    # gets SessionAuthentication's 403, and no link of /schema/ changes.
    REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'].append(
        'oauth2_provider.contrib.rest_framework.OAuth2Authentication')

    OAUTH2_PROVIDER = {
        'SCOPES': {'read': 'Read access', 'write': 'Write access'},
        # The test harness sets it (servers.py --oauth-expire N).
        'ACCESS_TOKEN_EXPIRE_SECONDS': int(
            os.environ.get('COREAPI_TEST_OAUTH_EXPIRE') or 3600),
        # Codes live one minute (DOT's default); refresh tokens never expire
        # and are rotated on use (DOT's default: the old one stops working).
        'AUTHORIZATION_CODE_EXPIRE_SECONDS': 60,
        'REFRESH_TOKEN_EXPIRE_SECONDS': None,
        'ROTATE_REFRESH_TOKEN': True,
        # PKCE (RFC 7636) is required of every authorization-code client.
        'PKCE_REQUIRED': True,
        'ALLOWED_REDIRECT_URI_SCHEMES': ['http', 'https'],
    }

# Quiet: no per-request lines on stderr, only errors (5xx, exceptions).
LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'handlers': {
        'console': {'class': 'logging.StreamHandler'},
    },
    'loggers': {
        'django': {
            'handlers': ['console'],
            'level': 'ERROR',
            'propagate': False,
        },
        'django.server': {
            'handlers': ['console'],
            'level': 'ERROR',
            'propagate': False,
        },
    },
}
