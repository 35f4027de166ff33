"""Log-in throttling through django-axes (settings LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES).

django-axes records each failed log-in in the database and its backend refuses a locked account before
any password is checked, on allauth's form and the admin's alike; this module tells it which account
an attempt is for.
"""

from accounts.selectors import login_account_name


def login_account(request, credentials: dict | None) -> str:
    """Name the account a log-in attempt is for (AXES_USERNAME_CALLABLE), whichever form and identifier it used.

    allauth authenticates with `username` (and `email`) set to what was typed in its `login` field; the
    admin's form sends `username`. django-axes passes no credentials when it reads a finished request.
    """
    typed = (credentials or {}).get("username") or request.POST.get("login") or request.POST.get("username") or ""
    return login_account_name(login=typed)
