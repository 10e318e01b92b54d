from __future__ import annotations

from django.http import HttpRequest

from salesops.selectors.scope import person_for_user, sees_everything


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {}
    person = person_for_user(user)
    return {
        "nav_person": person,
        "nav_sees_everything": sees_everything(user),
        "nav_is_manager": person is not None and person.role == "sales_manager",
        "nav_is_staff": user.is_staff,
    }
