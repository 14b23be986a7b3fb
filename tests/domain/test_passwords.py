import pytest

from quizapp.domain.passwords import hash_password, password_problem, verify_password


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
        ("password", "", "most common"),
        ("PASSWORD123", "", "most common"),
        ("annabelle", "Annabelle", "username"),
        ("x" * 1025, "", "at most"),
        ("correct horse battery staple", "", None),
        ("éèêëéèêë", "", None),
    ],
)
def test_password_rules(password, username, problem):
    result = password_problem(password, username)
    if problem is None:
        assert result is None
    else:
        assert problem in result
