"""The books once more, read-only, under each of Django REST framework's
three paginations, three books a page (the seven seeded books: pages of
3, 3 and 1), for clients that follow the next pages (`coreapi action
paged numbers list --all`):

  /paged/numbers/  PageNumberPagination   ?page=N
                   {"count", "next", "previous", "results"}
  /paged/offsets/  LimitOffsetPagination  ?limit=L&offset=O
                   {"count", "next", "previous", "results"}
  /paged/cursor/   CursorPagination       ?cursor=C (opaque), by id
                   {"next", "previous", "results"}: no count

"next" is an absolute URL (request.build_absolute_uri), null on the last
page. Authenticated users only, like /books/. Each view has a serializer of
its own so that the OpenAPI descriptions get distinct operation ids and
components (DRF names both after the serializer).
"""
from rest_framework import generics
from rest_framework.pagination import (
    CursorPagination, LimitOffsetPagination, PageNumberPagination,
)

from .models import Book
from .serializers import BookSerializer

PAGE_SIZE = 3


class NumberedPagination(PageNumberPagination):
    page_size = PAGE_SIZE


class OffsetPagination(LimitOffsetPagination):
    default_limit = PAGE_SIZE


class IdCursorPagination(CursorPagination):
    page_size = PAGE_SIZE
    ordering = 'id'


class NumberedBookSerializer(BookSerializer):
    class Meta(BookSerializer.Meta):
        pass


class OffsetBookSerializer(BookSerializer):
    class Meta(BookSerializer.Meta):
        pass


class CursorBookSerializer(BookSerializer):
    class Meta(BookSerializer.Meta):
        pass


class _PagedBooks(generics.ListAPIView):
    def get_queryset(self):
        # Not a class attribute: DRF's OpenAPI generator would name the
        # operations after the model, the same for all three.
        return Book.objects.select_related('owner').order_by('id')


class NumberedBooksView(_PagedBooks):
    """The books, three a page, by page number (?page=N)."""
    serializer_class = NumberedBookSerializer
    pagination_class = NumberedPagination


class OffsetBooksView(_PagedBooks):
    """The books, three a page, by limit and offset (?limit=L&offset=O)."""
    serializer_class = OffsetBookSerializer
    pagination_class = OffsetPagination


class CursorBooksView(_PagedBooks):
    """The books, three a page, by an opaque cursor (?cursor=C)."""
    serializer_class = CursorBookSerializer
    pagination_class = IdCursorPagination
