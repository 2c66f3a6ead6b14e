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
