"""Every page of every role's navigation, and the key detail pages, fit a phone (390 px) and
the office laptops (1024 and 1366 px): no horizontal scrolling of the page and no button or
table action outside the screen's width."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pbipemda import navigation
from tests.builders import PERSONAS
from tests.e2e.conftest import ARTIFACTS, PERSONA_USERS, WIDTHS

# What lies outside the screen: the page's own width, and every visible button or link of a
# table's cells whose box reaches past the left or right edge.
MEASURE = """() => {
  const width = window.innerWidth;
  const outside = [];
  for (const el of document.querySelectorAll("main .btn, main td a, main td button, nav .btn")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      outside.push(`${(el.textContent || el.value || "").trim().slice(0, 40)} `
        + `(${Math.round(box.left)}..${Math.round(box.right)})`);
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, outside};
}"""


def key_pages(world):
    """The detail pages the issue names: a person, an Usulan, an SKTM form and its editor, the
    letter list, an Instruksi report, the public QR check page."""
    return {
        "enrollment:person_detail": reverse("enrollment:person_detail", args=[world.person.pk]),
        "verification:proposal_detail": reverse(
            "verification:proposal_detail", args=[world.proposal.pk]
        ),
        "sktm:form_detail": reverse("sktm:form_detail", args=[world.form.pk]),
        "sktm:form_create": reverse("sktm:form_create"),
        "sktm:letter_list": reverse("sktm:letter_list"),
        "instructions:report_detail": reverse("instructions:report_detail", args=[world.report.pk]),
        "sktm:letter_verify": reverse("sktm:letter_verify", args=[world.letter.token]),
    }


def pages_of(site, name):
    pages = {"home": reverse("home")}
    pages.update({link.url_name: link.url for link in navigation.links_for(site.users[name])})
    pages.update(key_pages(site.world))
    return pages


def misfits(page, base, url):
    """Each width at which the page does not fit, with what sticks out."""
    response = page.goto(base + url)
    if response.status != 200:
        return None  # a page this role may not open: tests/security covers that
    found = {}
    for size in WIDTHS:
        page.set_viewport_size(size)
        measured = page.evaluate(MEASURE)
        if measured["scrollWidth"] > measured["width"] or measured["outside"]:
            found[size["width"]] = measured
    return found


@pytest.mark.parametrize("name", PERSONA_USERS)
def test_every_page_of_the_role_fits_every_width(site, name):
    page = site.page_of(name)
    failures = {}
    opened = 0
    for url_name, url in pages_of(site, name).items():
        found = misfits(page, site.base, url)
        if found is None:
            continue
        opened += 1
        if found:
            failures[url_name] = found
    assert opened >= 3, "halaman peran ini tidak terbuka"
    assert not failures


def test_the_public_qr_page_fits_without_login(site):
    found = misfits(site.page_of(None), site.base, key_pages(site.world)["sktm:letter_verify"])
    assert found == {}


@pytest.mark.django_db
def test_the_layout_personas_are_the_shared_ones():
    """Also asks pytest-django for the test database when this module runs alone: the other
    tests here use the module's world and no database of their own."""
    assert list(PERSONA_USERS) == PERSONAS


def test_a_dismissed_confirmation_submits_nothing(site):
    """static/js/site.js: a form with data-confirm asks first; here the bar's Keluar form."""
    page = site.new_page("operator_a")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(site.base + reverse("home"))
    page.eval_on_selector("form[action$='/keluar/']", "f => f.dataset.confirm = 'Yakin keluar?'")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="Akun").click()
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_timeout(300)
    assert asked == ["Yakin keluar?"]
    assert page.url == site.base + reverse("home")
    assert page.goto(site.base + reverse("sktm:form_list")).url.endswith(reverse("sktm:form_list"))

    page.goto(site.base + reverse("home"))
    page.eval_on_selector("form[action$='/keluar/']", "f => f.dataset.confirm = 'Yakin keluar?'")
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name="Akun").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()
    assert asked == ["Yakin keluar?", "Yakin keluar?"]
    assert "/masuk/" in page.url


@pytest.mark.parametrize(
    ("name", "page_name"),
    [("verifier", "verification:proposal_detail"), ("operator_a", "home")],
)
def test_the_readme_screens_fit_a_phone_and_a_laptop(site, name, page_name):
    """The README's screenshots, saved under test-artifacts/e2e/layout/ (docs/images/ holds
    the copies): the verifier's Usulan and the village's home."""
    page = site.new_page(name)
    url = pages_of(site, name)[page_name]
    assert misfits(page, site.base, url) == {}
    folder = ARTIFACTS / "layout"
    folder.mkdir(parents=True, exist_ok=True)
    for size in (WIDTHS[0], WIDTHS[2]):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        action = page.locator("main td .btn").first
        if size == WIDTHS[0] and action.count():  # on a phone, the first row's actions
            action.scroll_into_view_if_needed()
        path = folder / f"{name}-{page_name.split(':')[-1]}-{size['width']}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size


def test_the_grouped_bar_works_from_the_keyboard(site):
    """Bootstrap's dropdowns: a Tab reaches the group, Enter opens it, the arrows walk its
    links, Enter follows one; on a phone the menu button opens the same groups."""
    page = site.new_page("admin_user")
    page.set_viewport_size(WIDTHS[2])
    page.goto(site.base + reverse("home"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Lewati ke isi halaman"
    toggle = page.locator("#nav-main .dropdown-toggle", has_text="SKTM")
    toggle.focus()
    page.keyboard.press("Enter")
    menu = page.locator("#nav-main .dropdown-menu.show")
    menu.wait_for()
    assert menu.locator("a").all_inner_texts() == ["Formulir SKTM", "SKTM"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent.trim()") == "SKTM"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == site.base + reverse("sktm:letter_list")

    page.set_viewport_size(WIDTHS[0])
    assert not page.locator("#nav-main .dropdown-toggle", has_text="SKTM").is_visible()
    page.get_by_role("button", name="Buka menu").click()
    page.locator("#nav-main .dropdown-toggle", has_text="Pantauan").click()
    page.get_by_role("link", name="Iuran PBI").wait_for()


def test_the_sekdas_matrix_shows_the_colours_of_its_legend(site):
    """Issue 15 section 6: Bootstrap's table cells paint their own background over a status
    class; each cell must show the colour its legend promises, as the PDF does."""
    page = site.page_of("leadership")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(site.base + reverse("instructions:matrix", args=[site.world.instruction.pk]))
    colours = page.evaluate(
        """() => [...document.querySelectorAll('td[data-status]')].map(cell => [
            getComputedStyle(cell).backgroundColor,
            getComputedStyle(document.querySelector('[data-testid=totals] .matrix-'
                + cell.dataset.status)).backgroundColor])"""
    )
    coloured = [(cell, legend) for cell, legend in colours if legend != "rgba(0, 0, 0, 0)"]
    assert coloured, "no cell of a coloured status (Masuk, Terlambat, Tidak ada, Dikembalikan)"
    for cell, legend in coloured:
        assert cell == legend


def test_typing_a_nik_fills_the_residents_recorded_fields(site):
    """Issue 15 section 5, in the browser: the SKTM form looks a typed NIK up in the village
    (static/js/resident-lookup.js) and fills the fields left empty; another village's resident
    answers as an unknown one, and fills nothing."""
    page = site.new_page("operator_a")
    page.goto(site.base + reverse("sktm:form_create"))
    resident = site.world.person
    page.fill("input[name=nik]", resident.nik)
    expect(page.locator("input[name=applicant_name]")).to_have_value(resident.name)
    expect(page.locator("input[name=kk_number]")).to_have_value(resident.household.number)
    other = site.new_page("operator_b")
    other.goto(site.base + reverse("sktm:form_create"))
    other.fill("input[name=nik]", resident.nik)
    expect(other.locator("[data-lookup-status]")).to_contain_text("Belum terdaftar di desa ini")
    expect(other.locator("input[name=applicant_name]")).to_have_value("")
