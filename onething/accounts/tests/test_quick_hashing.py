"""The suite's own speed: accounts made by tests are hashed quickly, except where the policy is
the subject (test_passwords.py keeps Argon2)."""


def test_accounts_made_by_tests_use_the_quick_hasher(alice):
    assert alice.password.startswith("md5$")
