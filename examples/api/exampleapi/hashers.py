"""A cheap password hasher for the throw-away example/test server.

Django's default PBKDF2 cost (hundreds of thousands of iterations) makes
every Basic-auth request take a noticeable amount of CPU; the integration
tests run many of them, some concurrently. This example API is never meant
to hold real passwords, so a low iteration count is fine here.
"""
from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    algorithm = 'pbkdf2_sha256_fast'
    iterations = 1000
