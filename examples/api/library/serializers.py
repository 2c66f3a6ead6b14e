from rest_framework import serializers

from .models import Book


class BookSerializer(serializers.ModelSerializer):
    owner = serializers.ReadOnlyField(source='owner.username')

    class Meta:
        model = Book
        fields = ['id', 'title', 'author', 'year', 'genre', 'cover', 'owner']


class ImportSerializer(serializers.Serializer):
    """The form of POST /books/import/ (for the schema and validation)."""
    file = serializers.FileField(help_text='The file to upload.')
    description = serializers.CharField(required=False,
                                        help_text='Any text; echoed back.')
