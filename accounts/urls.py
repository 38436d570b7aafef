from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("wilayah/", views.village_list, name="village_list"),
    path("wilayah/<str:code>/", views.village_detail, name="village_detail"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("sesi/perpanjang/", views.session_renew, name="session_renew"),
    path("masuk/kode/", views.two_factor_verify, name="two_factor_verify"),
    path("akun/dua-langkah/", views.two_factor_setup, name="two_factor_setup"),
    path(
        "akun/dua-langkah/kode-pemulihan/",
        views.recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path(
        "ganti-sandi/",
        views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path(
        "ganti-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
