"""Who is asking: admin token, moderator key, participant token.

- The admin token comes from ``ADMIN_TOKEN`` or is drawn at start and shown
  once as a link.
- A moderator key is ≥128 random bits; only its SHA-256 is in the log, so a
  leaked database does not open the console.
- A participant token is ``<participant id>.<HMAC>``, signed with the
  server's secret, so cookies cannot be forged and a reload keeps identity.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

ADMIN_COOKIE = "dg_admin"
LANG_COOKIE = "dg_lang"


def moderator_cookie(code: str) -> str:
    return f"dg_m_{code}"


def participant_cookie(code: str) -> str:
    return f"dg_p_{code}"


def new_key() -> str:
    """A secret for a link: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: str | None, expected_hash: str) -> bool:
    if not key or not expected_hash:
        return False
    return hmac.compare_digest(key_hash(key), expected_hash)


def load_secret(data_dir: Path, configured: str | None) -> bytes:
    """The signing secret: configured, or made once and kept beside the database."""
    if configured:
        return configured.encode()
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32).encode()
    path.write_bytes(secret)
    path.chmod(0o600)
    return secret


class Signer:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, code: str, participant: str) -> str:
        digest = hmac.new(self._secret, f"{code}:{participant}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    def derive(self, purpose: str, *parts: str) -> str:
        """A value only this server can compute from ``parts``: 128 bits, URL-safe.

        ``purpose`` keeps values for different uses apart (a form token must
        never double as a join binding). Parts are joined with a byte that
        no text contains, so ``("a:b", "c")`` and ``("a", "b:c")`` differ.
        """
        message = "\x00".join((purpose, *parts)).encode("utf-8", "surrogatepass")
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")

    def participant_token(self, code: str, participant: str) -> str:
        return f"{participant}.{self._mac(code, participant)}"

    def participant_from(self, code: str, token: str | None) -> str | None:
        """The participant id a token proves, or None."""
        if not token or "." not in token:
            return None
        participant, _, mac = token.partition(".")
        # compare_digest refuses non-ASCII str; a forged cookie must not be a 500.
        if not (participant.isascii() and mac.isascii()):
            return None
        if hmac.compare_digest(mac.encode(), self._mac(code, participant).encode()):
            return participant
        return None


def new_participant_id() -> str:
    return secrets.token_hex(8)
