from django.conf import settings
from django.db import models


class Book(models.Model):
    FICTION = 'fiction'
    SCIENCE = 'science'
    HISTORY = 'history'
    GENRE_CHOICES = [
        (FICTION, 'Fiction'),
        (SCIENCE, 'Science'),
        (HISTORY, 'History'),
    ]

    title = models.CharField(max_length=200)
    author = models.CharField(max_length=200)
    year = models.IntegerField()
    genre = models.CharField(max_length=20, choices=GENRE_CHOICES)
    # Stored under MEDIA_ROOT (settings: $COREAPI_EXAMPLE_MEDIA).
    cover = models.FileField(upload_to='covers/', blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name='books')

    class Meta:
        ordering = ['id']

    def __str__(self):
        return self.title
