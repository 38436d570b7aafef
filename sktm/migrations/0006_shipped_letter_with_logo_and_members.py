"""The shipped letter template as stored by 0002, if no admin edited it, becomes the new shipped
one: the village's logo in the letterhead, the dusun as entered ("Dusun 3", not "Dusun Dusun 3"),
the household members without their NIK. An edited template is left as the admin wrote it."""

from pathlib import Path

from django.db import migrations

DEFAULT = Path(__file__).resolve().parent.parent / "default_letter.html"
PREVIOUS = '<div class="kop">\n  <div class="kop-1">PEMERINTAH {{ terms.regency|upper }}</div>\n  <div class="kop-1">{{ terms.district|upper }} {{ village.district.name|upper }}</div>\n  <div class="kop-2">{{ village.kind|upper }} {{ village.name|upper }}</div>\n  {% if village.address %}<div class="kop-3">{{ village.address }}</div>{% endif %}\n</div>\n<h1>SURAT KETERANGAN TIDAK MAMPU</h1>\n<p class="center">Nomor: {{ letter.number }}</p>\n\n<p>Yang bertanda tangan di bawah ini, {{ letter.signer_title }}, {{ terms.district }} {{ village.district.name }}, {{ terms.regency }}, menerangkan dengan sebenarnya bahwa:</p>\n<table class="identity">\n  <tr><td>Nama</td><td>:</td><td><strong>{{ form.applicant_name }}</strong></td></tr>\n  <tr><td>NIK</td><td>:</td><td>{{ form.nik }}</td></tr>\n  <tr><td>No. KK</td><td>:</td><td>{{ form.kk_number }}</td></tr>\n  <tr><td>Tempat, tanggal lahir</td><td>:</td><td>{{ person.birth_place|default:"-" }}, {{ person.birth_date|date:"j F Y"|default:"-" }}</td></tr>\n  <tr><td>Jenis kelamin</td><td>:</td><td>{{ person.get_sex_display|default:"-" }}</td></tr>\n  <tr><td>Pekerjaan</td><td>:</td><td>{{ form.occupation }}</td></tr>\n  <tr><td>Alamat</td><td>:</td><td>Dusun {{ form.dusun }}, RT {{ form.rt }}/RW {{ form.rw }}, {{ village.kind }} {{ village.name }}, {{ terms.district }} {{ village.district.name }}</td></tr>\n</table>\n\n<p>adalah benar penduduk {{ village.kind }} {{ village.name }} yang <strong>termasuk kategori masyarakat tidak mampu</strong> berdasarkan Formulir Verifikasi Permohonan Surat Keterangan Tidak Mampu dengan jumlah skor <strong>{{ form.total_score }}</strong> (batas minimal {{ threshold }}) sesuai Lampiran Huruf B Peraturan Bupati Kulon Progo Nomor 10 Tahun 2022.</p>\n\n{% if members %}\n<p>Anggota keluarga dalam Kartu Keluarga yang bersangkutan:</p>\n<table class="grid">\n  <tr><th>No</th><th>Nama</th><th>NIK</th><th>Hubungan keluarga</th><th>Tanggal lahir</th></tr>\n  {% for member in members %}\n  <tr><td>{{ forloop.counter }}</td><td>{{ member.name }}</td><td>{{ member.nik }}</td><td>{{ member.get_relationship_display|default:"-" }}</td><td>{{ member.birth_date|date:"j F Y"|default:"-" }}</td></tr>\n  {% endfor %}\n</table>\n{% endif %}\n\n<p>Surat keterangan ini diberikan untuk keperluan <strong>pengusulan peserta Jaminan Kesehatan PBI Pemda</strong> dan berlaku sampai dengan {{ letter.valid_until|date:"j F Y" }}.</p>\n<p>Demikian surat keterangan ini dibuat untuk dipergunakan sebagaimana mestinya.</p>\n\n<table class="signature">\n  <tr>\n    <td class="qr">{{ qr_svg|safe }}<div class="small">Pindai untuk memeriksa keaslian surat ini.</div></td>\n    <td>\n      {{ village.name }}, {{ letter.issued_on|date:"j F Y" }}<br>\n      {{ letter.signer_title }}\n      <div class="sign-space"></div>\n      <strong><u>{{ letter.signer_name }}</u></strong>\n    </td>\n  </tr>\n</table>\n'


def use_new_default(apps, schema_editor):
    LetterTemplate = apps.get_model("sktm", "LetterTemplate")
    LetterTemplate.objects.filter(body=PREVIOUS).update(body=DEFAULT.read_text())


class Migration(migrations.Migration):
    dependencies = [("sktm", "0005_one_current_letter_per_person_and_village")]

    operations = [migrations.RunPython(use_new_default, migrations.RunPython.noop)]
