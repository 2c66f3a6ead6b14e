"""The books API: a ModelViewSet described by Core API (see /schema/) and
OpenAPI (exampleapi/openapi.py)."""
import hashlib

import coreapi
import coreschema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import (
    FileUploadParser, FormParser, JSONParser, MultiPartParser,
)
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.schemas.coreapi import AutoSchema

from .models import Book
from .serializers import BookSerializer, ImportSerializer

GENRES = [value for value, _ in Book.GENRE_CHOICES]


# --- query filters, by hand (no django-filter) --------------------------------
#
# They filter the list only. DRF would also apply them in get_object(), and
# its AutoSchema would then list them on the read/update/partial_update/delete
# links too, where the query field `genre` would clash with the form field
# `genre` of update/partial_update (two fields of one name in one link).
# BookSchema below keeps them off those links.

def _is_list(view):
    return getattr(view, 'action', None) == 'list'


class GenreFilter(BaseFilterBackend):
    """?genre=fiction|science|history (exact); anything else is a 400."""

    def filter_queryset(self, request, queryset, view):
        if not _is_list(view):
            return queryset
        genre = request.query_params.get('genre')
        if genre is None or genre == '':
            return queryset
        if genre not in GENRES:
            raise ValidationError(
                {'genre': ['Select one of: %s.' % ', '.join(GENRES)]})
        return queryset.filter(genre=genre)

    def get_schema_fields(self, view):
        return [coreapi.Field(
            name='genre', location='query', required=False,
            schema=coreschema.Enum(
                enum=GENRES, title='Genre',
                description='Only books of this genre.'),
        )]

    def get_schema_operation_parameters(self, view):
        """The OpenAPI parameter (exampleapi/openapi.py), list only."""
        if not _is_list(view):
            return []
        return [{'name': 'genre', 'in': 'query', 'required': False,
                 'description': 'Only books of this genre.',
                 'schema': {'type': 'string', 'enum': GENRES}}]


class TitleSearchFilter(BaseFilterBackend):
    """?search=TEXT: books whose title contains TEXT (case-insensitive;
    SQLite folds ASCII letters only)."""

    def filter_queryset(self, request, queryset, view):
        search = request.query_params.get('search')
        if not search or not _is_list(view):
            return queryset
        return queryset.filter(title__icontains=search)

    def get_schema_fields(self, view):
        return [coreapi.Field(
            name='search', location='query', required=False,
            schema=coreschema.String(
                title='Search',
                description='Only books whose title contains this text.'),
        )]

    def get_schema_operation_parameters(self, view):
        """The OpenAPI parameter (exampleapi/openapi.py), list only."""
        if not _is_list(view):
            return []
        return [{'name': 'search', 'in': 'query', 'required': False,
                 'description': 'Only books whose title contains this text.',
                 'schema': {'type': 'string'}}]


class BookPagination(PageNumberPagination):
    page_size = 5


# --- schema ------------------------------------------------------------------

class BookSchema(AutoSchema):
    """DRF's Core API AutoSchema, except that

    - the query filters appear on the list link only (see above);
    - the raw upload link gets one `body` field (the file) instead of the
      serializer's form fields, which AutoSchema would otherwise list under
      "application/octet-stream".
    """

    def _allows_filters(self, path, method):
        return super()._allows_filters(path, method) and _is_list(self.view)

    def get_serializer_fields(self, path, method):
        if getattr(self.view, 'action', None) == 'upload_cover':
            return [coreapi.Field(
                name='file', location='body', required=True,
                schema=coreschema.String(
                    title='File',
                    description='The raw image bytes; the file name goes in '
                                'Content-Disposition.'),
            )]
        return super().get_serializer_fields(path, method)


# --- the viewset -------------------------------------------------------------

class BookViewSet(viewsets.ModelViewSet):
    """
    Books. Any authenticated user can see and change every book; `owner` is
    the user who created it.

    list:
    List the books, 5 a page, optionally filtered by genre or title.

    create:
    Add a book (multipart, form or JSON body). `cover` is optional.

    read:
    One book.

    update:
    Replace a book's fields (the cover is kept unless one is sent).

    partial_update:
    Change some fields of a book.

    delete:
    Remove a book.
    """
    queryset = Book.objects.select_related('owner').order_by('id')
    serializer_class = BookSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = BookPagination
    filter_backends = [GenreFilter, TitleSearchFilter]
    # The first parser decides the encoding AutoSchema advertises: multipart,
    # so that a schema-driven client can send the optional `cover` file.
    # Form and JSON bodies are accepted as well.
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    schema = BookSchema()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    @action(detail=True, methods=['put'], parser_classes=[FileUploadParser])
    def upload_cover(self, request, pk=None):
        """
        Replace the cover with the raw request body. The file name comes from
        the Content-Disposition header (`attachment; filename="x.png"`).
        Answers with the book.
        """
        book = self.get_object()
        upload = request.data.get('file')
        if upload is None:
            raise ValidationError({'file': ['No file was submitted.']})
        book.cover.save(upload.name, upload, save=True)
        return Response(self.get_serializer(book).data)

    @action(detail=False, methods=['post'], url_path='import',
            parser_classes=[MultiPartParser], serializer_class=ImportSerializer)
    def import_file(self, request):
        """
        Multipart upload check: answers with the uploaded file's name, size,
        SHA-256 and content type, and every other form field as sent
        (a list when a name is repeated). Stores nothing.
        """
        form = ImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data['file']
        digest = hashlib.sha256()
        size = 0
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
        fields = {}
        for key in request.data:
            if key in request.FILES:
                continue
            values = request.data.getlist(key)
            fields[key] = values[0] if len(values) == 1 else values
        return Response({
            'name': upload.name,
            'size': size,
            'sha256': digest.hexdigest(),
            'content_type': upload.content_type,
            'fields': fields,
        })
