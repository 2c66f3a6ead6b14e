"""Sample books the test harness (tests/integration/servers.py) creates on
its fresh database, so that list, pagination (page size 5: two pages) and
the filters have something deterministic to show. Ids are 1..7 in order.
"""
from .models import Book

BOOKS = [
    # title, author, year, genre
    ('Dune', 'Frank Herbert', 1965, Book.FICTION),
    ('A Brief History of Time', 'Stephen Hawking', 1988, Book.SCIENCE),
    ('The Guns of August', 'Barbara W. Tuchman', 1962, Book.HISTORY),
    ('Les Mis\u00e9rables', 'Victor Hugo', 1862, Book.FICTION),
    ('The Selfish Gene', 'Richard Dawkins', 1976, Book.SCIENCE),
    ('SPQR', 'Mary Beard', 2015, Book.HISTORY),
    ('Der Zauberberg', 'Thomas Mann', 1924, Book.FICTION),
]


def create_books(owner):
    for title, author, year, genre in BOOKS:
        Book.objects.create(title=title, author=author, year=year,
                            genre=genre, owner=owner)


# OAuth 2.0 clients of django-oauth-toolkit (when installed), created on the
# same fresh database. Fixed, public values: this is a throw-away test
# server. servers.py exports them as COREAPI_TEST_OAUTH_<KEY>_ID / _SECRET.
# DOT 1.7 keeps client secrets in clear text (2.x would hash them on save).
# Secrets use unreserved characters only, so that they read the same
# whether or not a client form-encodes them in HTTP Basic (RFC 6749 2.3.1;
# DOT unquotes both halves of client_secret_basic with unquote_plus).
OAUTH_REDIRECT_URIS = 'http://127.0.0.1/callback http://[::1]/callback'

OAUTH_APPLICATIONS = [
    # key, client_id, client_secret, client type, grant type, redirect URIs
    ('CC', 'coreapi-test-cc', 'coreapi-test-cc-secret-2f8e1c', 'confidential',
     'client-credentials', ''),
    ('PW', 'coreapi-test-pw', 'coreapi-test-pw-secret-7a31d0', 'confidential',
     'password', ''),
    ('PUB', 'coreapi-test-public', '', 'public', 'password', ''),
    ('AC', 'coreapi-test-ac', 'coreapi-test-ac-secret-c95b44', 'confidential',
     'authorization-code', OAUTH_REDIRECT_URIS),
]


def create_oauth_applications(owner):
    """Create the clients above; {KEY: {"id": ..., "secret": ...}}."""
    from oauth2_provider.models import get_application_model
    Application = get_application_model()
    made = {}
    for key, client_id, secret, client_type, grant_type, uris in OAUTH_APPLICATIONS:
        app = Application(
            name='coreapi test %s' % key.lower(), user=owner,
            client_id=client_id, client_secret=secret,
            client_type=client_type, authorization_grant_type=grant_type,
            redirect_uris=uris,
            # The authorization-code client is "in-house": /o/authorize/
            # redirects at once, no consent form.
            skip_authorization=(grant_type == 'authorization-code'))
        app.full_clean()
        app.save()
        # As stored (DOT 1.7: unhashed), so a test can trust the value.
        assert Application.objects.get(pk=app.pk).client_secret == secret
        made[key] = {'id': client_id, 'secret': secret}
    return made
