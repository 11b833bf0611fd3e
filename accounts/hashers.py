"""Password hashers for accounts imported from the Node service."""

from django.contrib.auth.hashers import BCryptPasswordHasher
from django.utils.encoding import force_bytes


class NodeBCryptPasswordHasher(BCryptPasswordHasher):
    """Verifies the Node service's bcrypt hashes, imported as "bcrypt$" + "$2b$10$...".

    Node's `bcrypt` silently uses only the first 72 bytes of a password; the `bcrypt` Python
    package (5.x) raises ValueError for longer ones instead, which would turn the login of such a
    user into a server error. Truncating the same way verifies exactly what Node verified. Django
    never creates hashes with this hasher (Argon2 is first in PASSWORD_HASHERS): a successful
    login upgrades the stored hash to Argon2.
    """

    def encode(self, password, salt):
        return super().encode(force_bytes(password)[:72], salt)
