from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from dtss.accounts.models import ApiToken
from dtss.accounts.services import api_token_authenticate
from dtss.conftest import PASSWORD, World
from dtss.core.models import AuditEntry


def _login(client: Client, username: str, password: str) -> object:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_and_logout_are_audited(world: World) -> None:
    client = Client()
    response = _login(client, "elem_teacher", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    actions = list(
        AuditEntry.objects.filter(actor=world.users["elem_teacher"]).values_list(
            "action", flat=True
        )
    )
    assert "auth.login" in actions and "auth.logout" in actions
    assert client.get(reverse("core:home")).status_code == 302


def test_wrong_password_shows_error_and_is_audited(world: World) -> None:
    response = _login(Client(), "elem_teacher", "wrong")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert AuditEntry.objects.filter(
        action="auth.login_failed", detail__username="elem_teacher"
    ).exists()


def test_lockout_after_repeated_failures(world: World, settings: object) -> None:
    client = Client()
    for _ in range(5):
        _login(client, "elem_teacher", "wrong")
    # Even the right password is refused while locked out.
    response = _login(client, "elem_teacher", PASSWORD)
    assert response.status_code == 429
    assert client.get(reverse("core:home")).status_code == 302
    # Another account from the same address is not locked.
    assert _login(Client(), "elem_admin", PASSWORD).status_code == 302


def test_password_reset_by_email(world: World) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:password_reset"), {"email": "elem_teacher@example.org"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {
            "new_password1": "a-much-better-passphrase-7",
            "new_password2": "a-much-better-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert _login(Client(), "elem_teacher", "a-much-better-passphrase-7").status_code == 302
    # An unknown address sends nothing and reveals nothing.
    mail.outbox.clear()
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and not mail.outbox


def test_password_change(world: World) -> None:
    client = world.client("elem_parent")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-9",
            "new_password2": "another-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    world.users["elem_parent"].refresh_from_db()
    assert world.users["elem_parent"].check_password("another-long-passphrase-9")


def test_token_created_once_revoked_and_private(world: World) -> None:
    client = world.client("elem_admin")
    response = client.post(reverse("accounts:tokens"), {"name": "roster script"})
    key = response.context["new_key"]
    assert key.startswith("dtss_")
    token = ApiToken.objects.get(user=world.users["elem_admin"])
    assert token.key_hash != key and key not in token.key_hash  # only a hash is stored
    assert api_token_authenticate(key=key) == world.users["elem_admin"]
    # The key is never shown again.
    assert key not in client.get(reverse("accounts:tokens")).content.decode()
    # Another user cannot revoke it.
    url = reverse("accounts:token_revoke", args=[token.public_id])
    assert world.client("a_admin").post(url).status_code == 404
    assert client.post(url).status_code == 302
    assert api_token_authenticate(key=key) is None
    assert AuditEntry.objects.filter(action="api_token.revoke").exists()


def test_token_form_rejects_blank_name(world: World) -> None:
    response = world.client("elem_admin").post(reverse("accounts:tokens"), {"name": "  "})
    assert response.status_code == 200 and response.context["form"].errors
    assert not ApiToken.objects.exists()
