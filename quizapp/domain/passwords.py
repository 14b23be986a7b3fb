"""Password hashing (argon2id) and the rules a new password must meet."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with OWASP's recommended parameters (ASVS 5.0: m=19 MiB, t=2, p=1). argon2-cffi's
# default (m=64 MiB) cost each gunicorn worker 64 MB of RSS at every login, for no stronger
# guarantee than the standard asks; verify() still reads older hashes' own parameters.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_LENGTH = 8
MAX_LENGTH = 1024  # long passphrases are welcome; unbounded input is not

# The most common passwords of at least 8 characters in public breach corpora.
COMMON_PASSWORDS = frozenset(
    """
    12345678 123456789 1234567890 password password1 password123 11111111 00000000
    qwertyuiop qwerty123 iloveyou 1q2w3e4r 1qaz2wsx 87654321 abcd1234 sunshine
    princess football baseball welcome1 welcome123 passw0rd trustno1 letmein1
    superman starwars dragon123 whatever computer michelle jennifer 123123123
    zaq12wsx qwertyui asdfghjk zxcvbnm1 monkey123 charlie1 aa123456 password12
    1234qwer qazwsxedc 12344321 11223344 q1w2e3r4 admin123 administrator changeme
    """.split()
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS:
        return "That password is among the most common ones; choose another."
    if username and password.lower() == username.lower():
        return "The password must not be your username."
    return None


def new_session_token() -> str:
    """The random token a user's session cookies carry (256 bits)."""
    return secrets.token_urlsafe(32)


def new_reset_token() -> tuple[str, str]:
    """A password-reset token for the link (256 random bits) and the hash to store.

    A plain SHA-256 is enough here: the token is random, not a guessable password."""
    token = secrets.token_urlsafe(32)
    return token, reset_token_hash(token)


def reset_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
