"""The webhook signature a receiver verifies, replay protection, secrets and the retry schedule."""

from __future__ import annotations

from haechi.domain.webhooks import backoff, derive_secret, sign, verify_signature

BODY = b'{"event":"notice.created","data":{"notice_id":1}}'
NOW = 1_750_000_000


def test_a_receiver_accepts_a_fresh_signature() -> None:
    header = sign("whsec_x", NOW, BODY)
    assert header.startswith(f"t={NOW},v1=")
    assert verify_signature("whsec_x", header, BODY, now=NOW + 10)


def test_tampering_wrong_secret_and_replay_are_refused() -> None:
    header = sign("whsec_x", NOW, BODY)
    assert not verify_signature("whsec_x", header, BODY + b" ", now=NOW)
    assert not verify_signature("whsec_y", header, BODY, now=NOW)
    assert not verify_signature("whsec_x", header, BODY, now=NOW + 301)  # replayed later
    # the timestamp is signed: moving it forward breaks the MAC
    forged = header.replace(f"t={NOW}", f"t={NOW + 3600}")
    assert not verify_signature("whsec_x", forged, BODY, now=NOW + 3600)
    for garbage in ("", "v1=abc", "t=soon,v1=abc", f"t={NOW}"):
        assert not verify_signature("whsec_x", garbage, BODY, now=NOW)


def test_several_v1_values_allow_rotation_overlap() -> None:
    old = sign("whsec_old", NOW, BODY)
    new = sign("whsec_new", NOW, BODY).split(",")[1]
    assert verify_signature("whsec_new", f"{old},{new}", BODY, now=NOW)


def test_secrets_are_derived_per_endpoint_and_nonce() -> None:
    key = b"server key"
    a = derive_secret(key, 1, "n1")
    assert a == derive_secret(key, 1, "n1") and a.startswith("whsec_")
    assert (
        len(
            {
                a,
                derive_secret(key, 2, "n1"),
                derive_secret(key, 1, "n2"),
                derive_secret(b"k2", 1, "n1"),
            }
        )
        == 4
    )


def test_backoff_doubles_from_30_seconds_up_to_6_hours() -> None:
    assert [backoff(n) for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert backoff(10) == 15360 and backoff(11) == backoff(10_000) == 6 * 3600
