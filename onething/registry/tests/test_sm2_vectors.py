"""SM2 signing (fixed-base k·G, e = SM3(Z_A || M) by OpenSSL): the standard's example and gmssl
agree with it."""

import secrets

from gmssl import sm2

from onething.registry import crypto

# GM/T 0003.5-2012 (GB/T 32918.5) example on the recommended curve, default ID 1234567812345678.
D = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
PUBLIC = (
    "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
)
K = "59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21"
R = "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
S = "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"
MESSAGE = b"message digest"


def test_the_standards_example_signs_to_its_r_and_s_and_verifies():
    assert crypto.public_of(D) == PUBLIC
    e = crypto.digest_to_sign(MESSAGE, PUBLIC)
    assert crypto.sign_digest(e, private_hex=D, nonce=int(K, 16)) == R + S
    assert crypto.verify(MESSAGE, signature=R + S, public_hex=PUBLIC)
    assert not crypto.verify(b"message digesT", signature=R + S, public_hex=PUBLIC)


def test_signatures_equal_gmssls_own_sign_with_sm3_for_the_same_nonce():
    for _ in range(5):
        private, public = crypto.keypair()
        message = secrets.token_bytes(secrets.randbelow(300))
        nonce = secrets.randbelow(crypto.N - 1) + 1
        reference = sm2.CryptSM2(private_key=private, public_key="")
        reference.public_key = public
        assert reference._kg(int(private, 16), crypto.CURVE["g"]) == public
        e = crypto.digest_to_sign(message, public)
        ours = crypto.sign_digest(e, private_hex=private, nonce=nonce)
        assert ours == reference.sign_with_sm3(message, f"{nonce:064x}")
        signature = crypto.sign(message, private_hex=private, public_hex=public)
        assert reference.verify_with_sm3(signature, message)  # gmssl accepts ours
        assert crypto.verify(message, signature=reference.sign_with_sm3(message), public_hex=public)


def test_malformed_keys_and_signatures_are_refused_not_raised():
    assert not crypto.verify(MESSAGE, signature="zz" * 64, public_hex=PUBLIC)
    assert not crypto.verify(MESSAGE, signature=R + S, public_hex="zz" * 64)


def test_base_multiplication_matches_gmssl_at_the_edges():
    reference = sm2.CryptSM2(private_key="", public_key="")
    for k in (1, 2, 15, 16, 17, 2**252 + 1, crypto.N - 1, secrets.randbelow(crypto.N - 1) + 1):
        x, y = crypto.base_multiply(k)
        assert f"{x:064x}{y:064x}" == reference._kg(k, crypto.CURVE["g"])
