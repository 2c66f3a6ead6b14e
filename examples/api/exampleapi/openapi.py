"""OpenAPI 3 descriptions of the example API, besides the Core API schema.

Two generators describe the same views:

- DRF's own (rest_framework.schemas.openapi), served at /openapi-drf/
  (JSON, application/vnd.oai.openapi+json) and /openapi-drf.yaml (YAML,
  application/vnd.oai.openapi); it needs python3-uritemplate and
  python3-yaml (for the YAML rendering);
- drf-spectacular (python3-djangorestframework-spectacular), served at
  /openapi/ (content negotiation: YAML by default, JSON for
  application/vnd.oai.openapi+json), /openapi.json and /openapi.yaml. It
  describes the authentication the API accepts as securitySchemes
  (cookieAuth: the Django session cookie, basicAuth, tokenAuth).

The views keep the Core API AutoSchema (DEFAULT_SCHEMA_CLASS, BookSchema)
for /schema/: each generator here gives the views it inspects an
inspector of its own kind instead (a per-instance schema, see
ViewInspector.__set__), so /schema/ is exactly what it was. urls.py adds
these paths only when the packages are installed (available()).
"""
import importlib.util

from rest_framework.permissions import AllowAny
from rest_framework.schemas import get_schema_view

TITLE = 'Example API'
DESCRIPTION = 'The libcoreapi example API: books, a token endpoint and a few probes.'
VERSION = '1.0.0'

# The raw upload of PUT /books/{id}/upload_cover/ (FileUploadParser): the
# bytes themselves, the file name in Content-Disposition.
RAW_BODY = {'type': 'string', 'format': 'binary',
            'description': 'The raw image bytes; the file name goes in '
                           'Content-Disposition.'}


def _has(module):
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def available():
    """{'drf': bool, 'drf_yaml': bool, 'spectacular': bool}: what can be served."""
    drf = _has('uritemplate')
    return {'drf': drf, 'drf_yaml': drf and _has('yaml'),
            'spectacular': _has('drf_spectacular') and _has('uritemplate') and _has('yaml')}


# --- DRF's OpenAPI generator ---------------------------------------------------

def _drf_classes():
    from rest_framework import serializers
    from rest_framework.schemas import openapi

    class DRFOpenAPISchema(openapi.AutoSchema):
        """DRF's OpenAPI AutoSchema, except that the raw upload is one binary
        body, and that a PATCH body requires no property (DRF would refer to
        the serializer's component, whose required list is for POST and PUT,
        though a partial update takes any of them)."""

        def get_request_body(self, path, method):
            if getattr(self.view, 'action', None) == 'upload_cover':
                self.request_media_types = ['application/octet-stream']
                return {'required': True,
                        'content': {'application/octet-stream': {'schema': RAW_BODY}}}
            serializer = self.get_request_serializer(path, method)
            if method != 'PATCH' or not isinstance(serializer, serializers.Serializer):
                return super().get_request_body(path, method)
            self.request_media_types = self.map_parsers(path, method)
            schema = self.map_serializer(serializer)
            schema.pop('required', None)
            return {'content': {ct: {'schema': schema} for ct in self.request_media_types}}

    class DRFOpenAPIGenerator(openapi.SchemaGenerator):
        def create_view(self, callback, method, request=None):
            view = super().create_view(callback, method, request)
            if not isinstance(view.schema, openapi.AutoSchema):
                view.schema = DRFOpenAPISchema()
            return view

    return DRFOpenAPIGenerator


def drf_views():
    """[(path, view, name)] of DRF's OpenAPI descriptions (JSON, YAML)."""
    from rest_framework.renderers import JSONOpenAPIRenderer, OpenAPIRenderer
    ok = available()
    if not ok['drf']:
        return []
    generator = _drf_classes()
    views = [('openapi-drf/', JSONOpenAPIRenderer, 'openapi-drf')]
    if ok['drf_yaml']:
        views.append(('openapi-drf.yaml', OpenAPIRenderer, 'openapi-drf-yaml'))
    return [(path, get_schema_view(
        title=TITLE, description=DESCRIPTION, version=VERSION,
        renderer_classes=[renderer], generator_class=generator, public=True,
        authentication_classes=[], permission_classes=[AllowAny]), name)
        for path, renderer, name in views]


# --- drf-spectacular -------------------------------------------------------------

def _spectacular_classes():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.openapi import AutoSchema
    from drf_spectacular.types import OpenApiTypes

    class SpectacularSchema(AutoSchema):
        """drf-spectacular's AutoSchema, except that the raw upload is one
        binary body, required (the view answers 400 without it), and that
        a view with no permission class at all (the token endpoint) also
        lists {} in security: anybody may call it, as for AllowAny."""

        def get_auth(self):
            auths = super().get_auth()
            if not self.view.get_permissions() and {} not in auths:
                auths.append({})
            return auths

        def get_request_serializer(self):
            if self._is_upload():
                return {'application/octet-stream': OpenApiTypes.BINARY}
            return super().get_request_serializer()

        def _get_request_body(self, direction='request'):
            body = super()._get_request_body(direction)
            if body is not None and self._is_upload():
                body['required'] = True
            return body

        def _is_upload(self):
            return getattr(self.view, 'action', None) == 'upload_cover'

    class SpectacularGenerator(SchemaGenerator):
        def create_view(self, callback, method, request=None):
            view = super().create_view(callback, method, request)
            if not isinstance(view.schema, AutoSchema):
                view.schema = SpectacularSchema()
            return view

    return SpectacularGenerator


SPECTACULAR_SETTINGS = {
    'TITLE': TITLE,
    'DESCRIPTION': DESCRIPTION,
    'VERSION': VERSION,
    # The plain APIViews (/, /me/, /notes/, /inspect/) have no serializer:
    # no warnings about it in the server's log on every request.
    'DISABLE_ERRORS_AND_WARNINGS': True,
    # Request bodies get components of their own (BookRequest: no read-only
    # fields, the cover a binary string), as for file uploads it should be.
    'COMPONENT_SPLIT_REQUEST': True,
    # The schemes described: these three only. OAuth2Authentication (added
    # to the API's authentication classes when django-oauth-toolkit is
    # installed, see settings.OAUTH2) is left out, so the description is
    # byte for byte what it was without it.
    'AUTHENTICATION_WHITELIST': [
        'rest_framework.authentication.SessionAuthentication',
        'rest_framework.authentication.BasicAuthentication',
        'rest_framework.authentication.TokenAuthentication',
    ],
}


def spectacular_views():
    """[(path, view, name)] of drf-spectacular's descriptions."""
    if not available()['spectacular']:
        return []
    from drf_spectacular.views import (
        SpectacularAPIView, SpectacularJSONAPIView, SpectacularYAMLAPIView,
    )
    # schema=None: the views are no operation of any description, nor a link
    # of the Core API schema at /schema/.
    kwargs = dict(generator_class=_spectacular_classes(), custom_settings=SPECTACULAR_SETTINGS,
                  authentication_classes=[], permission_classes=[AllowAny], serve_public=True,
                  schema=None)
    return [
        ('openapi/', SpectacularAPIView.as_view(**kwargs), 'openapi'),
        ('openapi.json', SpectacularJSONAPIView.as_view(**kwargs), 'openapi-json'),
        ('openapi.yaml', SpectacularYAMLAPIView.as_view(**kwargs), 'openapi-yaml'),
    ]
