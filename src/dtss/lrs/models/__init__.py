"""The LRS's tables: credentials, statements (with their index rows and attachments), documents."""

from dtss.lrs.models.credentials import Credential, Scope
from dtss.lrs.models.documents import *  # noqa: F403
from dtss.lrs.models.statements import *  # noqa: F403

__all__ = ["Credential", "Scope"]
