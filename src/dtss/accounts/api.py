"""JSON API of the signed-in user: who am I (/me) and my personal API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from pydantic import ConfigDict

from dtss.accounts.models import ApiToken
from dtss.accounts.services import api_token_create, api_token_revoke
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import scope_for
from dtss.orgs import selectors as org_selectors
from dtss.orgs.models import County, Membership, Person, School
from dtss.orgs.schemas import ClassRef, MembershipOut, PersonRef

router = Router()

TokenId = Annotated[UUID, Path(description="The token's id (its public_id).")]


# --- /me ----------------------------------------------------------------------------------


class ChildOut(PersonRef):
    current_class: ClassRef | None = Field(description="The child's latest class, if any.")
    school_code: str | None = Field(description="MOE code of the school of that class.")


class ScopeOut(Schema):
    everything: bool = Field(description="True for MOE viewers: read access to every county.")
    superuser: bool = Field(description="True for system administrators.")
    county_codes: list[str] = Field(description="Counties where you hold a county role.")
    admin_county_codes: list[str] = Field(description="Counties you administer.")
    staff_school_codes: list[str] = Field(description="Schools where you are admin or teacher.")
    admin_school_codes: list[str] = Field(description="Schools you administer.")
    student_school_codes: list[str] = Field(description="Schools where you are a student.")
    parent_school_codes: list[str] = Field(description="Schools of your children.")
    children: list[ChildOut] = Field(description="Your children (as parent or guardian).")


class MeOut(Schema):
    username: str = Field(description="Your login name.")
    email: str = Field(description="Your account's email.")
    person: PersonRef | None = Field(description="The person behind the account, if any.")
    current_class: ClassRef | None = Field(description="Your latest class, for students.")
    roles: list[MembershipOut] = Field(description="All your memberships (roles).")
    scope: ScopeOut = Field(description="What you can see, summarised.")


def _codes(model: Any, ids: frozenset[int]) -> list[str]:
    return sorted(model.objects.filter(pk__in=ids).values_list("code", flat=True))


@router.get(
    "/me",
    response=responses({200: MeOut}),
    tags=["me and tokens"],
    summary="Who am I",
    description="Your account, person, roles and a summary of your scope.",
)
def me(request: HttpRequest) -> Any:
    user: Any = request.user
    scope = scope_for(user)
    person = user.person
    roles: list[Membership] = []
    current_class = None
    if person is not None:
        roles = list(
            Membership.objects.filter(person=person)
            .select_related("person", "county", "school")
            .order_by("role", "id")
        )
        mine = org_selectors.current_enrollments(people=Person.objects.filter(pk=person.pk))
        current_class = mine[person.pk].school_class if person.pk in mine else None
    children = list(org_selectors.children_of(user=user))
    enrolments = org_selectors.current_enrollments(people=children)
    return {
        "username": user.get_username(),
        "email": user.email,
        "person": person,
        "current_class": current_class,
        "roles": roles,
        "scope": {
            "everything": scope.everything,
            "superuser": scope.superuser,
            "county_codes": _codes(County, scope.county_ids),
            "admin_county_codes": _codes(County, scope.admin_county_ids),
            "staff_school_codes": _codes(School, scope.staff_school_ids),
            "admin_school_codes": _codes(School, scope.admin_school_ids),
            "student_school_codes": _codes(School, scope.student_school_ids),
            "parent_school_codes": _codes(School, scope.parent_school_ids),
            "children": [
                {
                    "public_id": child.public_id,
                    "name": child.name,
                    "current_class": enrolments[child.pk].school_class
                    if child.pk in enrolments
                    else None,
                    "school_code": enrolments[child.pk].school.code
                    if child.pk in enrolments
                    else None,
                }
                for child in children
            ],
        },
    }


# --- tokens -------------------------------------------------------------------------------


class TokenOut(Schema):
    public_id: UUID = Field(description="The token's id (not the secret).")
    name: str = Field(description="What the token is for.")
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: datetime = Field(description="When it was created.")
    last_used_at: datetime | None = Field(description="When it was last used (to the minute).")
    expires_at: datetime | None = Field(description="When it stops working; null for never.")
    revoked_at: datetime | None = Field(description="When it was revoked; null if not.")
    active: bool = Field(description="Whether the token works now.")

    @staticmethod
    def resolve_active(obj: ApiToken) -> bool:
        if obj.revoked_at is not None:
            return False
        return obj.expires_at is None or obj.expires_at > timezone.now()


class TokenCreatedOut(TokenOut):
    key: str = Field(
        description="The secret, shown this once only. Send it as `Authorization: Bearer <key>`."
    )


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=100, description="What the token is for.")
    expires_in_days: int | None = Field(
        None, ge=1, le=730, description="Days until the token expires; null for never."
    )


@router.get(
    "/tokens",
    response=responses({200: list[TokenOut]}, 422),
    tags=["me and tokens"],
    summary="List my API tokens",
    description="Your own personal API tokens, newest first (never their secrets).",
)
@paged
def token_list(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=request.user).order_by("-created_at")


@router.post(
    "/tokens",
    response=responses({201: TokenCreatedOut}, 403, 422),
    tags=["me and tokens"],
    summary="Create an API token",
    description=(
        "Create a personal token; its secret is in the response once and never again. Needs "
        "a signed-in browser session with the CSRF token (`X-CSRFToken` header); with a token "
        "it is 403, so a leaked or expiring token cannot mint tokens that outlive it."
    ),
)
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    if getattr(request, "dtss_token_auth", False):
        raise PermissionDenied(_("An API token cannot create tokens; sign in on the web."))
    days = payload.expires_in_days
    expires = timezone.now() + timedelta(days=days) if days else None
    token, key = api_token_create(
        user=request.user,  # type: ignore[arg-type]
        name=payload.name,
        expires_at=expires,
        request=request,
    )
    token.key = key  # type: ignore[attr-defined]
    return Status(201, token)


@router.delete(
    "/tokens/{public_id}",
    response=responses({204: None}, 404, 422),
    tags=["me and tokens"],
    summary="Revoke an API token",
    description="Revoke one of your own tokens; it stops working at once. "
    "Another user's token is 404.",
)
def token_revoke(request: HttpRequest, public_id: TokenId) -> Any:
    token = ApiToken.objects.filter(user=request.user, public_id=public_id).first()
    if token is None:
        raise Http404
    api_token_revoke(token=token, actor=request.user, request=request)  # type: ignore[arg-type]
    return Status(204, None)
