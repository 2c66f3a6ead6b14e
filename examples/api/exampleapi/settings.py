"""Settings of the libcoreapi example API.

This is a development/test configuration: the secret key is a fixed,
public value. Never deploy it.
"""
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

MIDDLEWARE = [
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
]

ROOT_URLCONF = 'exampleapi.urls'
WSGI_APPLICATION = 'exampleapi.wsgi.application'

TEMPLATES = []

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
