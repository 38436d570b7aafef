"""The end of a session in the browser (issue 15 §7): static/js/session.js warns before the
idle logout, renews on request, says when the session has ended (the live score too), and
brings a half-filled form back after the next login."""

import re
from pathlib import Path

import pyotp
import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from tests.builders import POOR_15, this_month
from tests.e2e.pages import fill_sktm_form
from tests.factories import DEFAULT_PASSWORD
from verification.services import proposal_open

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def tab_of(browser, live_server, committed_reference_data):
    contexts = []

    def open_tab(user):
        context = browser.new_context(viewport=LAPTOP, locale="id-ID", accept_downloads=True)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def tab(tab_of, operator_a):
    return tab_of(operator_a)


def log_in(page, live_server, user):
    if "/masuk/" not in page.url:
        page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button:has-text('Masuk')")


def kept_keys(page):
    return page.evaluate(
        "Object.keys(sessionStorage).filter(function (k) { return k.startsWith('pbi-keep:'); })"
    )


def test_page_warns_before_the_idle_logout_and_stays_on_request(tab, live_server, operator_a):
    tab.clock.install()
    log_in(tab, live_server, operator_a)
    tab.wait_for_url(live_server.url + reverse("home"))
    # 30 minutes idle, less a minute's margin: the warning opens two minutes before.
    tab.clock.fast_forward("26:00")
    expect(tab.locator("[data-session=warning]")).to_have_count(0)
    tab.clock.fast_forward("01:30")
    warning = tab.locator("[data-session=warning]")
    expect(warning).to_contain_text("Sesi Anda akan berakhir dalam 1 menit")
    with tab.expect_response(re.compile(reverse("session_renew") + "$")) as renewal:
        warning.get_by_role("button", name="Tetap masuk").click()
    assert renewal.value.status == 204
    expect(warning).to_have_count(0)
    tab.clock.fast_forward("26:00")
    expect(tab.locator("[data-session=warning]")).to_have_count(0)
    tab.clock.fast_forward("03:30")
    expect(tab.locator("[data-session=ended]")).to_contain_text("Sesi Anda telah berakhir")


def test_live_score_says_the_session_ended_and_the_form_returns_after_login(
    tab, live_server, operator_a
):
    form_page = live_server.url + reverse("sktm:form_create")
    log_in(tab, live_server, operator_a)
    tab.wait_for_url(live_server.url + reverse("home"))
    tab.goto(form_page)
    fill_sktm_form(tab, POOR_15)
    expect(tab.locator("#score")).to_contain_text("TERMASUK KATEGORI MASYARAKAT TIDAK MAMPU")
    Session.objects.all().delete()  # the server's idle logout
    tab.fill("input[name=monthly_income]", "100000")  # the live score asks the server
    ended = tab.locator("[data-session=ended]")
    expect(ended).to_contain_text("Sesi Anda telah berakhir")
    ended.get_by_role("link", name="Masuk lagi").click()
    expect(tab.locator("[data-session-ended]")).to_contain_text("Sesi Anda berakhir")
    log_in(tab, live_server, operator_a)
    tab.wait_for_url(form_page)
    expect(tab.locator("[data-keep-note]")).to_contain_text("Isian yang belum terkirim dipulihkan")
    expect(tab.locator("#id_applicant_name")).to_have_value(POOR_15["applicant_name"])
    expect(tab.locator("#id_nik")).to_have_value(POOR_15["nik"])
    expect(tab.locator("#id_sex")).to_have_value(POOR_15["sex"])
    expect(tab.locator(f"input[name=wall][value='{POOR_15['wall']}']")).to_be_checked()
    expect(tab.locator("input[name=monthly_income]")).to_have_value("100000")
    # The live score heard of the restored fields.
    expect(tab.locator("#score")).to_contain_text("TERMASUK KATEGORI MASYARAKAT TIDAK MAMPU")
    tab.get_by_role("button", name="Buang isian ini").click()
    expect(tab.locator("#id_applicant_name")).to_have_value("")
    expect(tab.locator("[data-keep-note]")).to_have_count(0)
    assert kept_keys(tab) == []


def test_a_form_sent_after_the_session_ended_is_restored_and_keluar_forgets_it(
    tab, live_server, operator_a
):
    form_page = live_server.url + reverse("sktm:form_create")
    log_in(tab, live_server, operator_a)
    tab.wait_for_url(live_server.url + reverse("home"))
    tab.goto(form_page)
    tab.fill("#id_applicant_name", "Sutini")
    Session.objects.all().delete()
    # The browser's own checks would stop a half-filled form; the server's are what count.
    tab.eval_on_selector("#sktm-form", "form => { form.noValidate = true; }")
    tab.click("#sktm-form button[type=submit]")
    tab.wait_for_url(re.compile(reverse("login")))
    expect(tab.locator("[data-session-ended]")).to_be_visible()
    log_in(tab, live_server, operator_a)
    tab.wait_for_url(form_page)
    expect(tab.locator("#id_applicant_name")).to_have_value("Sutini")
    assert len(kept_keys(tab)) == 1
    tab.eval_on_selector(f"form[action='{reverse('logout')}']", "form => form.requestSubmit()")
    tab.wait_for_url(re.compile(reverse("login")))
    assert kept_keys(tab) == []
    expect(tab.locator("[data-session-ended]")).to_be_hidden()


def test_new_recovery_codes_download_as_text_and_print(tab_of, live_server, verifier):
    tab = tab_of(verifier)
    log_in(tab, live_server, verifier)
    tab.wait_for_url(re.compile(reverse("two_factor_setup")))
    secret = tab.get_by_test_id("totp-secret").inner_text()
    tab.fill("input[name=code]", pyotp.TOTP(secret).now())
    tab.click("button:has-text('Aktifkan')")
    codes = tab.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    with tab.expect_download() as download:
        tab.click("a:has-text('Unduh kode (.txt)')")
    assert download.value.suggested_filename.endswith(".txt")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert all(code in text.splitlines() for code in codes)
    tab.evaluate("window.print = function () { window.wasPrinted = true; }")
    tab.get_by_role("button", name="Cetak").click()
    assert tab.evaluate("window.wasPrinted") is True


def test_a_form_the_server_accepted_is_forgotten(tab, live_server, operator_a):
    form_page = live_server.url + reverse("sktm:form_create")
    log_in(tab, live_server, operator_a)
    tab.wait_for_url(live_server.url + reverse("home"))
    tab.goto(form_page)
    fill_sktm_form(tab, POOR_15)
    assert len(kept_keys(tab)) == 1
    tab.click("button:has-text('Ajukan ke')")
    tab.locator("[role=alert]", has_text="Formulir diajukan").wait_for()
    assert kept_keys(tab) == []
    tab.goto(form_page)
    expect(tab.locator("#id_applicant_name")).to_have_value("")
    expect(tab.locator("[data-keep-note]")).to_have_count(0)


def test_a_half_filled_usulan_item_comes_back_with_its_ground(tab, live_server, operator_a):
    proposal = proposal_open(actor=operator_a, month=this_month())
    item_page = live_server.url + reverse("verification:item_add", args=[proposal.pk])
    log_in(tab, live_server, operator_a)
    tab.wait_for_url(live_server.url + reverse("home"))
    tab.goto(item_page)
    tab.select_option("select[name=ground]", "add_c2")
    tab.fill("input[name=nik]", POOR_15["nik"])
    Session.objects.all().delete()
    tab.click("button:has-text('Simpan ke usulan')")
    tab.wait_for_url(re.compile(reverse("login")))
    log_in(tab, live_server, operator_a)
    tab.wait_for_url(item_page)
    expect(tab.locator("[data-keep-note]")).to_be_visible()
    expect(tab.locator("select[name=ground]")).to_have_value("add_c2")
    expect(tab.locator("input[name=nik]")).to_have_value(POOR_15["nik"])
    expect(tab.locator("fieldset[data-ground-for=add_c2]")).to_be_visible()
