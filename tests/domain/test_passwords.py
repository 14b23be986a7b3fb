import re

import pytest

from quizapp.domain.passwords import (
    hash_password,
    new_reset_token,
    password_problem,
    reset_token_hash,
    verify_password,
)


@pytest.mark.real_hashing
def test_hash_is_argon2id_with_owasp_parameters():
    stored = hash_password("a long passphrase")
    algorithm, version, params, *_ = stored.split("$")[1:]
    assert algorithm == "argon2id"
    assert version == "v=19"
    values = dict(p.split("=") for p in params.split(","))
    assert int(values["m"]) >= 19 * 1024  # KiB
    assert int(values["t"]) >= 2
    assert int(values["p"]) >= 1


def test_verify_accepts_the_password_and_rejects_others():
    stored = hash_password("a long passphrase")
    assert verify_password(stored, "a long passphrase")
    assert not verify_password(stored, "a long passphrasE")
    assert not verify_password("not a hash", "anything")


@pytest.mark.parametrize(
    ("password", "username", "problem"),
    [
        ("short", "", "at least 8"),
        ("1234567", "", "at least 8"),
        ("password", "", "too easy to guess"),
        ("PASSWORD123", "", "common password"),
        # The examples, which the old 50-entry list let through.
        ("aaaaaaaa", "", "Repeats"),
        ("qwerty12", "", "too easy to guess"),
        ("P@ssw0rd", "", "similar to a commonly used password"),
        ("Summer2024", "", "too easy to guess"),
        # The username and the app's name are the first words an attacker tries.
        ("annabelle1987", "annabelle", "too easy to guess"),
        ("Quizapp2024!", "", "too easy to guess"),
        ("annabelle", "Annabelle", "username"),
        ("x" * 1025, "", "at most"),
        ("correct horse battery staple", "", None),
        ("éclair crème brûlée", "", None),  # any script; "éèêëéèêë" is a repeat now refused
    ],
)
def test_password_rules(password, username, problem):
    result = password_problem(password, username)
    if problem is None:
        assert result is None
    else:
        assert problem in result


def test_reset_tokens_are_random_and_only_their_hash_is_kept():
    tokens = [new_reset_token() for _ in range(50)]
    assert len({token for token, _ in tokens}) == 50
    for token, digest in tokens:
        assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # 256 bits, URL-safe
        assert digest == reset_token_hash(token) and re.fullmatch(r"[0-9a-f]{64}", digest)
        assert token not in digest
