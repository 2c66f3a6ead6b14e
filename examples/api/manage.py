#!/usr/bin/env python3
"""Django's command-line utility for the libcoreapi example API.

Run it with Debian's Python (which has Django and Django REST framework):

    /usr/bin/python3 examples/api/manage.py migrate
    /usr/bin/python3 examples/api/manage.py runserver 127.0.0.1:8000
"""
import os
import sys


def main():
    # Make "exampleapi" importable no matter where we are started from.
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'exampleapi.settings')
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)


if __name__ == '__main__':
    main()
