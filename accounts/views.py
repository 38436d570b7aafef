from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

import audit
from accounts import permissions, two_factor
from accounts.forms import CodeForm, LoginForm, ThrottledPasswordChangeForm
from accounts.models import Role
from accounts.scoping import districts_for, villages_for
from regions.models import HealthFacility

# What each role does (DESIGN.md, "Who uses it"), shown on its home page.
DUTIES = {
    Role.OPERATOR: "Mengisi formulir verifikasi SKTM, data keluarga dan penduduk, serta "
    "menyusun usulan penambahan dan pengurangan peserta.",
    Role.VILLAGE_HEAD: "Mengetahui formulir verifikasi, menerbitkan SKTM, dan mengirim "
    "usulan bulanan ke Dinas Sosial.",
    Role.DISTRICT_HEAD: "Memantau wilayah dan meneruskan laporan desa/kalurahan kepada Bupati.",
    Role.VERIFIER: "Memutuskan setiap penduduk yang diusulkan, memvalidasi pengurangan, dan "
    "melakukan verifikasi ulang peserta.",
    Role.DUKCAPIL: "Memvalidasi data kependudukan sebelum pengurangan peserta (Pasal 5 ayat 3).",
    Role.AGENCY_STAFF: "Melaporkan pelaksanaan tugas perangkat daerah dalam Instruksi Bupati.",
    Role.LEADERSHIP: "Memantau seluruh data dan laporan (hanya baca).",
    Role.ADMIN: "Mengelola pengguna, data induk, impor dan ekspor tingkat kabupaten.",
}


@require_safe
def home(request):
    return render(request, "accounts/home.html", {"duties": DUTIES.get(request.user.role, "")})


def locked_out(request, original_response=None, credentials=None):
    """django-axes's answer to a login refused for too many wrong passwords: when to retry."""
    retry_at = timezone.localtime() + settings.AXES_COOLOFF_TIME
    return render(
        request,
        "registration/locked_out.html",
        {"retry_at": retry_at, "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        status=429,
    )


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # UU 27/2022 Pasal 53: whom a resident or a user asks about their personal data.
        officer = [settings.DPO_NAME, settings.DPO_EMAIL, settings.DPO_PHONE]
        return {
            **super().get_context_data(**kwargs),
            "officer": [c for c in officer if c],
            # static/js/session.js sends a user whose session ended here with ?sesi=berakhir.
            "is_session_ended": self.request.GET.get("sesi") == "berakhir",
        }


@require_POST
def session_renew(request):
    """The page's "Tetap masuk": a request that restarts the idle clock (SESSION_COOKIE_AGE)
    now, whatever pbipemda.middleware.SessionRenewalMiddleware last wrote. A session already
    ended never gets here: the login requirement sends the request to the login page."""
    request.session.modified = True
    return HttpResponse(status=204)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def two_factor_verify(request):
    """The second login step: the authenticator's code or a recovery code."""
    if two_factor.device_of(request.user) is None:
        return redirect("two_factor_setup")
    until = request.method != "POST" and two_factor.locked_until(request.user)
    if until:
        # Said on opening, not only after one more wrong code: no code is checked until then.
        return render(
            request, "registration/two_factor_verify.html", {"locked": locked_message(until)}
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = two_factor.code_accept(user=request.user, code=form.cleaned_data["code"])
        except two_factor.SecondStepLocked as locked:
            return second_step_locked(request, locked.until)
        if accepted:
            target = safe_next(request)
            two_factor.mark_verified(request)
            return redirect(target)
        until = two_factor.locked_until(request.user)
        if until:
            audit.record(
                request,
                audit.LOCKOUT,
                f"Langkah kedua {request.user.username} dikunci sampai "
                f"{timezone.localtime(until):%d-%m-%Y %H:%M}",
                obj=request.user,
            )
            return second_step_locked(request, until)
        form.add_error("code", "Kode salah atau sudah dipakai.")
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": safe_next(request)}
    )


def second_step_locked(request, until):
    """Ends the session: the account's second step opens again at `until`, or when an admin
    lifts the lock."""
    logout(request)
    messages.error(request, locked_message(until))
    return redirect(settings.LOGIN_URL)


def locked_message(until):
    return (
        "Terlalu banyak kode salah: verifikasi dua langkah akun ini dikunci sampai pukul "
        f"{timezone.localtime(until):%H:%M}. Hubungi admin bila perlu dibuka lebih awal."
    )


def current_code_refused(request, form):
    """Re-linking the authenticator and renewing the recovery codes need the current code: a
    session left open must not hand the second step to whoever sits at it. None when the code
    is right; otherwise the response."""
    try:
        if two_factor.code_accept(user=request.user, code=request.POST.get("current_code", "")):
            return None
    except two_factor.SecondStepLocked as locked:
        return second_step_locked(request, locked.until)
    until = two_factor.locked_until(request.user)
    if until:
        return second_step_locked(request, until)
    messages.error(request, "Kode saat ini salah: ketik kode dari aplikasi yang sekarang aktif.")
    return redirect("two_factor_setup")


def two_factor_setup(request):
    """Links an authenticator app: a QR code of a new secret, confirmed by its first code.
    A user already verified may link a new one (a lost phone) the same way."""
    user = request.user
    has_device = two_factor.device_of(user) is not None
    if has_device and not two_factor.is_verified(request):
        return redirect("two_factor_verify")
    secret = request.session.get(two_factor.PENDING_SECRET_KEY)
    if request.method == "GET" or not secret:
        secret = request.session[two_factor.PENDING_SECRET_KEY] = two_factor.new_secret()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = has_device and current_code_refused(request, form)
        if refused:
            return refused
        codes = two_factor.device_confirm(user=user, secret=secret, code=form.cleaned_data["code"])
        if codes is not None:
            del request.session[two_factor.PENDING_SECRET_KEY]
            two_factor.mark_verified(request)
            return recovery_codes_page(request, codes)
        form.add_error("code", "Kode salah; periksa jam ponsel lalu coba kode berikutnya.")
    uri = two_factor.provisioning_uri(user, secret)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(uri),
            "secret": secret,
            "has_device": has_device,
            "is_required": permissions.is_two_factor_required(user),
            "next": safe_next(request),
        },
    )


@require_POST
def recovery_codes_renew(request):
    if two_factor.device_of(request.user) is None:
        return redirect("two_factor_setup")
    refused = current_code_refused(request, None)
    if refused:
        return refused
    codes = two_factor.recovery_codes_renew(user=request.user)
    return recovery_codes_page(request, codes)


def recovery_codes_page(request, codes):
    """The codes just made, shown once: only their hashes are kept, so the page itself offers
    the .txt (a data: address in the link, built here) and the print. Nothing keeps a copy: not
    the server, nor the browser's cache."""
    now = timezone.localtime()
    text = "\r\n".join(
        [
            f"Kode pemulihan {two_factor.issuer()} untuk {request.user.get_username()}",
            f"Dibuat {now:%d-%m-%Y %H:%M}. Setiap kode hanya dapat dipakai sekali.",
            "",
            *codes,
            "",
        ]
    )
    response = render(
        request,
        "registration/recovery_codes.html",
        {
            "codes": codes,
            "next": safe_next(request),
            "download_href": "data:text/plain;charset=utf-8," + quote(text),
            "download_name": f"kode-pemulihan-{request.user.get_username()}-{now:%Y%m%d}.txt",
            "created_at": now,
        },
    )
    add_never_cache_headers(response)
    return response


# The villages of the user's area: here, not in regions, which knows nothing of users.
@require_safe
def village_list(request):
    districts = districts_for(request.user).prefetch_related(
        Prefetch("villages", queryset=villages_for(request.user))
    )
    return render(request, "accounts/village_list.html", {"districts": districts})


@require_safe
def village_detail(request, code):
    village = get_object_or_404(
        villages_for(request.user).select_related("district__regency"), code=code
    )
    facilities = HealthFacility.objects.filter(district=village.district_id, is_active=True)
    return render(
        request, "accounts/village_detail.html", {"village": village, "facilities": facilities}
    )
