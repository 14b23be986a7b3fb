"""Password hashing (argon2id) and the rules a new password must meet."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

# argon2id with OWASP's recommended parameters (ASVS 5.0: m=19 MiB, t=2, p=1). argon2-cffi's
# default (m=64 MiB) cost each gunicorn worker 64 MB of RSS at every login, for no stronger
# guarantee than the standard asks; verify() still reads older hashes' own parameters.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_LENGTH = 8
MAX_LENGTH = 1024  # long passphrases are welcome; unbounded input is not

APP_NAME = "quizapp"  # a password built on the app's own name is among the first guessed
MIN_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable" (about 10^8 guesses or more)
_ESTIMATED_LENGTH = 72  # zxcvbn's own limit; beyond it length alone makes a password strong


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` is not acceptable, or None.

    Strength is zxcvbn's estimate (frequency lists of leaked passwords, names, words and
    keyboard patterns), with the username and the app's name as words an attacker tries
    first; a weak password is refused with zxcvbn's own advice."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if username and password.lower() == username.lower():
        return "The password must not be your username."
    estimate = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=[username, APP_NAME],
                      max_length=_ESTIMATED_LENGTH)
    if estimate["score"] >= MIN_SCORE:
        return None
    feedback = estimate["feedback"]
    advice = " ".join(part for part in [feedback.get("warning") or "",
                                        *feedback.get("suggestions", [])] if part)
    return ("That password is too easy to guess. "
            + (advice or "Add another word or two. Uncommon words are better."))


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
