from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dtss.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from dtss.accounts import receivers  # noqa: F401  (audit of logins)
