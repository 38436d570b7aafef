from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.navigation import DUTIES


@require_safe
def home(request):
    return render(request, "accounts/home.html", {"duties": DUTIES.get(request.user.role, "")})
