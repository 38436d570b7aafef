"""What each role may use: the navigation bar and the links on its home page."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.module_loading import import_string

from accounts.models import REGENCY_ROLES, VILLAGE_ROLES, Role

ALL_ROLES = list(Role)


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    description: str
    roles: tuple
    # Dotted path of a function(user) -> int: what waits for this user there (a badge).
    waiting: str = ""
    # Dotted path of a function(user) -> bool, when the role alone does not decide.
    visible: str = ""

    @property
    def url(self):
        return reverse(self.url_name)


LINKS = [
    Link(
        "Formulir SKTM",
        "sktm:form_list",
        "Formulir verifikasi permohonan SKTM (Lampiran A) dan skornya.",
        (*VILLAGE_ROLES, Role.DISTRICT_HEAD, Role.VERIFIER, Role.ADMIN),
    ),
    Link(
        "SKTM",
        "sktm:letter_list",
        "Surat Keterangan Tidak Mampu yang diterbitkan, masa berlaku dan pencabutannya.",
        (*VILLAGE_ROLES, Role.DISTRICT_HEAD, Role.VERIFIER, Role.ADMIN),
    ),
    Link(
        "Peserta",
        "enrollment:roster",
        "Daftar peserta PBI Pemda aktif, riwayat mutasi, dan unduhan .xlsx.",
        (*VILLAGE_ROLES, Role.DISTRICT_HEAD, *REGENCY_ROLES, Role.ADMIN),
    ),
    Link(
        "Usulan",
        "verification:proposal_list",
        "Usulan bulanan penambahan dan pengurangan peserta, keputusan Tim Verifikasi, "
        "dan Lampiran D.",
        (*VILLAGE_ROLES, Role.DISTRICT_HEAD, Role.VERIFIER, Role.LEADERSHIP, Role.ADMIN),
        waiting="verification.waiting.proposals",
    ),
    Link(
        "Validasi pengurangan",
        "verification:validation_queue",
        "Pengurangan yang disetujui dan menunggu validasi data kependudukan (Pasal 5 ayat 3).",
        (Role.VERIFIER, Role.DUKCAPIL, Role.ADMIN),
        waiting="verification.waiting.removals",
    ),
    Link(
        "Data ganda",
        "enrollment:duplicates",
        "Dugaan satu orang dengan dua NIK, untuk diselesaikan dengan pengurangan dasar duplikasi.",
        (Role.VERIFIER, Role.ADMIN),
    ),
    Link(
        "Instruksi Bupati",
        "instructions:list",
        "Butir Instruksi Bupati untuk Anda, laporan pelaksanaan berkala dan rekapnya.",
        (*VILLAGE_ROLES, Role.DISTRICT_HEAD, Role.AGENCY_STAFF, Role.LEADERSHIP, Role.ADMIN),
    ),
    Link(
        "Dasbor",
        "oversight:dashboard",
        "Grafik peserta, mutasi, skor SKTM, usulan menunggu dan cakupan verifikasi ulang, "
        "dengan tabel angka dan unduhan .xlsx; rekap bulanan untuk dicetak.",
        (*VILLAGE_ROLES, Role.DISTRICT_HEAD, *REGENCY_ROLES, Role.AGENCY_STAFF, Role.ADMIN),
        visible="oversight.views.reads_figures",
    ),
    Link(
        "Verifikasi ulang",
        "oversight:reverification_list",
        "Peserta yang jatuh tempo dan lewat jatuh tempo verifikasi ulang 3 bulanan "
        "(Instruksi KELIMA b), dan pencatatannya.",
        (*VILLAGE_ROLES, Role.DISTRICT_HEAD, Role.VERIFIER, Role.LEADERSHIP, Role.ADMIN),
    ),
    Link(
        "Iuran PBI",
        "oversight:premium",
        "Iuran JKN yang ditanggung kabupaten per bulan, sampai bulan ini dan proyeksi "
        "sampai akhir tahun.",
        (Role.VERIFIER, Role.LEADERSHIP, Role.AGENCY_STAFF, Role.ADMIN),
        visible="oversight.views.reads_premium",
    ),
    Link(
        "Wilayah",
        "regions:village_list",
        "Daftar wilayah kerja Anda beserta faskesnya.",
        (*VILLAGE_ROLES, Role.DISTRICT_HEAD, *REGENCY_ROLES, Role.ADMIN),
    ),
    Link(
        "Impor peserta",
        "enrollment:import_participants",
        "Impor daftar peserta PBI Pemda yang sudah ada (saldo awal) dari .xlsx atau .csv.",
        (Role.ADMIN,),
    ),
    Link(
        "Impor DTKS/DTSEN",
        "enrollment:import_registry",
        "Impor data DTKS/DTSEN, bukti penambahan dasar Pasal 5 ayat (4) c.1.",
        (Role.ADMIN,),
    ),
    Link(
        "Admin data induk",
        "admin:index",
        "Pengguna, wilayah, faskes, UMK, tarif iuran dan perangkat daerah.",
        (Role.ADMIN,),
    ),
]

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


def links_for(user):
    if not user.is_authenticated:
        return []
    return [
        link
        for link in LINKS
        if user.role in link.roles
        and (link.url_name != "admin:index" or user.is_staff)
        and (not link.visible or import_string(link.visible)(user))
    ]


def context(request):
    links = links_for(request.user)
    badges = {
        link.url_name: import_string(link.waiting)(request.user) for link in links if link.waiting
    }
    return {"nav_links": links, "nav_badges": badges}
