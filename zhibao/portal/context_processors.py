from django.conf import settings

from zhibao.core.choices import Role


def portal(request):
    user = getattr(request, "user", None)
    context = {"site_name": settings.ZHIBAO_SITE_NAME, "unread_count": 0, "missing_holiday_years": []}
    if user is not None and user.is_authenticated:
        from zhibao.core.rules import role_names
        from zhibao.core.selectors import unread_count

        context["unread_count"] = unread_count(user)
        roles = role_names(user)
        context["is_staff_member"] = bool(roles)
        context["roles"] = roles
        if Role.SYSADMIN in roles:
            from zhibao.core.workdays import missing_holiday_years

            context["missing_holiday_years"] = missing_holiday_years()
    return context
