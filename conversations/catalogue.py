"""Every text the bot sends, keyed by message id and language (id, en).

Texts use only GSM-7 characters so that an SMS stays 160 characters a segment.
"""

from __future__ import annotations

import string

LANGUAGES = ("id", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "menu": {
        "id": "Layanan paspor {office}. Balas: 1 PESAN antrean, 2 CEK booking, 3 UBAH jadwal, "
        "4 BATAL, 5 SYARAT, 6 PETUGAS. English: EN",
        "en": "{office} passport service. Reply: 1 BOOK, 2 STATUS, 3 CHANGE date, 4 BATAL (cancel), "
        "5 DOCUMENTS, 6 AGENT. Bahasa Indonesia: ID",
    },
    "help": {
        "id": "Kata kunci: PESAN, CEK, UBAH, BATAL, SYARAT, PETUGAS, MENU, STOP. English: EN",
        "en": "Keywords: BOOK, STATUS, CHANGE, BATAL (cancel), DOCUMENTS, AGENT, MENU, STOP. Bahasa Indonesia: ID",
    },
    "not_understood": {
        "id": "Maaf, kami belum mengerti.",
        "en": "Sorry, we did not understand.",
    },
    "question_more": {
        "id": "Balas 1 untuk memesan, MENU untuk pilihan lain, atau PETUGAS untuk bertanya ke petugas.",
        "en": "Reply 1 to book, MENU for other options, or AGENT to ask an officer.",
    },
    "media_only": {
        "id": "Maaf, kami hanya bisa membaca pesan teks.",
        "en": "Sorry, we can only read text messages.",
    },
    "ask_details": {
        "id": "Kirim dalam 1 pesan: layanan (baru/perpanjang/hilang/rusak), biasa/elektronik, nama, NIK, "
        "tanggal. Contoh: baru biasa, Budi Santoso, 1671014501900001, besok",
        "en": "Send in 1 message: service (new/renewal/lost/damaged), ordinary/electronic, name, NIK, "
        "date. E.g. new ordinary, Budi Santoso, 1671014501900001, tomorrow",
    },
    "ask_details_child": {
        "id": "Untuk anak, kirim: layanan, biasa/elektronik, nama sesuai akta lahir, NIK anak (di KK), "
        "tanggal. Contoh: baru biasa, Ani, 1671015001150001, besok",
        "en": "For a child, send: service, ordinary/electronic, name as on the birth certificate, NIK "
        "(on the KK), date. E.g. new ordinary, Ani, 1671015001150001, tomorrow",
    },
    "ask_more": {
        "id": "{known}Kirim juga: {missing}. Contoh: {example}",
        "en": "{known}Please also send: {missing}. E.g. {example}",
    },
    "known": {"id": "Dicatat: {details}.", "en": "Noted: {details}."},
    "field_service": {"id": "layanan (baru/perpanjang/hilang/rusak)", "en": "service (new/renewal/lost/damaged)"},
    "field_passport_type": {"id": "jenis (biasa/elektronik)", "en": "type (ordinary/electronic)"},
    "field_name": {"id": "nama sesuai KTP", "en": "name as on the KTP"},
    "field_name_child": {"id": "nama anak sesuai akta lahir", "en": "the child's name as on the birth certificate"},
    "field_nik": {"id": "NIK", "en": "NIK"},
    "field_nik_child": {"id": "NIK anak (di KK)", "en": "the child's NIK (on the KK)"},
    "field_date": {"id": "tanggal", "en": "date"},
    "example_service": {"id": "baru", "en": "new"},
    "example_passport_type": {"id": "biasa", "en": "ordinary"},
    "example_name": {"id": "Budi Santoso", "en": "Budi Santoso"},
    "example_nik": {"id": "1671014501900001", "en": "1671014501900001"},
    "example_date": {"id": "besok", "en": "tomorrow"},
    "details_not_read": {
        "id": "Bagian ini belum kami mengerti: {parts}.",
        "en": "We could not read this part: {parts}.",
    },
    "summary_other_sessions": {
        "id": "Sesi lain yang masih ada tempat: {sessions}. Balas SESI dan nomornya untuk pindah.",
        "en": "Other sessions with places: {sessions}. Reply SESSION and its number to switch.",
    },
    "ask_name_child": {
        "id": "Nama lengkap anak sesuai akta lahir/KK?",
        "en": "The child's full name as on the birth certificate/KK?",
    },
    "ask_nik_child": {
        "id": "NIK anak (16 angka, ada di KK)?",
        "en": "The child's NIK (16 digits, on the KK)?",
    },
    "ask_service": {
        "id": "Layanan apa? 1 Paspor baru, 2 Perpanjang/ganti, 3 Hilang, 4 Rusak",
        "en": "Which service? 1 New passport, 2 Renewal, 3 Lost, 4 Damaged",
    },
    "ask_passport_type": {
        "id": "Jenis paspor? 1 Biasa, 2 Elektronik (e-paspor)",
        "en": "Passport type? 1 Ordinary, 2 Electronic (e-passport)",
    },
    "ask_name": {
        "id": "Nama lengkap sesuai KTP?",
        "en": "Full name as on your KTP?",
    },
    "name_letters": {
        "id": "Tulis nama lengkap dengan huruf, sesuai KTP (2-100 huruf). Contoh: Budi Santoso",
        "en": "Please write your full name in letters, as on your KTP (2-100 letters). E.g. Budi Santoso",
    },
    "name_length": {
        "id": "Tulis nama lengkap sesuai KTP, 2-100 huruf. Contoh: Budi Santoso",
        "en": "Please write your full name as on your KTP, 2-100 letters. E.g. Budi Santoso",
    },
    "name_yes_no": {
        "id": "Kami perlu nama lengkap sesuai KTP, bukan YA/TIDAK. Contoh: Budi Santoso",
        "en": "We need your full name as on your KTP, not a yes or no. E.g. Budi Santoso",
    },
    "name_greeting": {
        "id": "Halo! Tulis nama lengkap sesuai KTP. Contoh: Budi Santoso",
        "en": "Hello! Please write your full name as on your KTP. E.g. Budi Santoso",
    },
    "name_sentence": {
        "id": "Tulis nama lengkap saja, sesuai KTP. Contoh: Budi Santoso. Ada pertanyaan? Balas PETUGAS.",
        "en": "Please write just your full name, as on your KTP. E.g. Budi Santoso. A question? Reply AGENT.",
    },
    "name_emoji_dropped": {
        "id": "Emoji tidak dipakai dalam nama: {name}.",
        "en": "Emoji are left out of the name: {name}.",
    },
    "ask_nik": {
        "id": "NIK (16 angka di KTP)?",
        "en": "NIK (the 16 digits on your KTP)?",
    },
    "nik_length": {
        "id": "NIK harus 16 angka. Coba lagi.",
        "en": "A NIK has 16 digits. Please try again.",
    },
    "nik_digits": {
        "id": "NIK hanya berisi angka. Coba lagi.",
        "en": "A NIK has digits only. Please try again.",
    },
    "nik_region": {
        "id": "2 angka pertama NIK bukan kode provinsi. Periksa lagi.",
        "en": "The first 2 digits of the NIK are not a province code. Please check.",
    },
    "nik_birth_date": {
        "id": "Angka tanggal lahir di NIK (digit 7-12) tidak sah. Periksa lagi.",
        "en": "The birth date in the NIK (digits 7-12) is not valid. Please check.",
    },
    "nik_serial": {
        "id": "4 angka terakhir NIK tidak boleh 0000. Periksa lagi.",
        "en": "The last 4 digits of a NIK cannot be 0000. Please check.",
    },
    "nik_taken": {
        "id": "NIK ini sudah punya booking aktif {code}. Satu NIK satu booking. Balas CEK, UBAH atau BATAL.",
        "en": "This NIK already has an active booking {code}. One booking per NIK. Reply STATUS, CHANGE or BATAL.",
    },
    "nik_taken_other": {
        "id": "NIK ini sudah punya booking aktif dari nomor lain. Satu NIK satu booking. "
        "Kirim CEK, UBAH atau BATAL dari nomor itu, atau balas PETUGAS.",
        "en": "This NIK already has an active booking from another number. One booking per "
        "NIK. Send STATUS, CHANGE or BATAL from that number, or reply AGENT.",
    },
    "phone_limit": {
        "id": "Nomor ini sudah punya {count} booking aktif (batas {limit}). Balas CEK, UBAH atau BATAL.",
        "en": "This number already has {count} active bookings (limit {limit}). Reply STATUS, CHANGE or BATAL.",
    },
    "ask_date": {
        "id": "Tanggal berapa? Contoh: besok, Senin, 5/12. Paling jauh {last}.",
        "en": "Which date? E.g. tomorrow, Monday, 5/12. At the latest {last}.",
    },
    "bad_date": {
        "id": "Tulis tanggal, misalnya: besok, Senin depan, 5/12 atau 5 Desember.",
        "en": "Please write a date, e.g. tomorrow, next Monday, 5/12 or 5 December.",
    },
    "date_conflict": {
        "id": "{date} bukan hari {weekday}. Tulis lagi tanggalnya, misalnya: 5/12 atau Senin depan.",
        "en": "{date} is not a {weekday}. Please write the date again, e.g. 5/12 or next Monday.",
    },
    "date_past": {
        "id": "{date} sudah lewat.",
        "en": "{date} has passed.",
    },
    "date_too_far": {
        "id": "{date} terlalu jauh: paling jauh {last}.",
        "en": "{date} is too far: bookings go up to {last}.",
    },
    "date_weekday": {
        "id": "{date}: kantor tutup pada hari itu.",
        "en": "{date}: the office is closed on that day.",
    },
    "date_holiday": {
        "id": "{date}: libur ({holiday}).",
        "en": "{date}: holiday ({holiday}).",
    },
    "date_office": {
        "id": "{date}: kantor tutup.",
        "en": "{date}: the office is closed.",
    },
    "date_full": {
        "id": "{date} sudah penuh.",
        "en": "{date} is fully booked.",
    },
    "nearest_dates": {
        "id": "Tanggal terdekat: {dates}. Balas tanggal.",
        "en": "Nearest free dates: {dates}. Reply a date.",
    },
    "no_dates": {
        "id": "Belum ada tempat kosong sampai {last}. Coba lagi besok.",
        "en": "No places left up to {last}. Try again tomorrow.",
    },
    "ask_session": {
        "id": "{date}. Pilih sesi: {sessions}. Balas nomor sesi.",
        "en": "{date}. Choose a session: {sessions}. Reply with its number.",
    },
    "session_line": {
        "id": "{number}) {start}-{end} ({available} tempat)",
        "en": "{number}) {start}-{end} ({available} left)",
    },
    "session_no_places": {
        "id": "Sesi {number} sudah penuh.",
        "en": "Session {number} is full.",
    },
    "session_full": {
        "id": "Maaf, sesi itu baru saja penuh.",
        "en": "Sorry, that session has just filled up.",
    },
    # The fields are numbered so that "salah 3" or "3" changes one; the date is short (no year)
    # and the NIK shows 4 digits: with a name of up to about 28 letters it is one SMS.
    "summary": {
        "id": "1 {service} 2 {passport_type} 3 {name} 4 NIK {nik} 5 {date} 6 {start}-{end}. "
        "Balas YA dlm {minutes} mnt, BATAL atau no. yg salah.",
        "en": "1 {service} 2 {passport_type} 3 {name} 4 NIK {nik} 5 {date} 6 {start}-{end}. "
        "Reply YES in {minutes} min, BATAL, or the wrong no.",
    },
    "move_summary": {
        "id": "Pindahkan {code} ke {date} {start}-{end}? Balas YA (tempat ditahan {minutes} menit) atau BATAL.",
        "en": "Move {code} to {date} {start}-{end}? Reply YES (place held {minutes} min) or BATAL to keep it.",
    },
    "confirm_hint": {
        "id": "Balas YA untuk memesan, BATAL, atau nomor yang salah (misalnya: 3, salah nama, ganti tanggal).",
        "en": "Reply YES to book, BATAL to stop, or the number of what is wrong (e.g. 3, wrong name, change date).",
    },
    "move_confirm_hint": {
        "id": "Balas YA untuk memindah jadwal, atau BATAL.",
        "en": "Reply YES to move it, or BATAL to keep it.",
    },
    "booked": {
        "id": "Booking berhasil. Kode: {code}. {date} {start}-{end}, {office}{address}. "
        "Bawa: {documents}{confirmation}",
        "en": "Booked. Code: {code}. {date} {start}-{end}, {office}{address}. Bring: {documents}{confirmation}",
    },
    "booked_remind": {
        "id": "Pengingat H-1 {time}: balas YA sebelum {deadline} atau tempat dilepas.",
        "en": "Day-before reminder at {time}: reply YES by {deadline} or lose the place.",
    },
    "booked_confirmed": {
        "id": "Booking ini langsung terkonfirmasi.",
        "en": "This booking is confirmed already.",
    },
    "moved": {
        "id": "Jadwal {code} dipindah ke {date} {start}-{end}. Kode tetap sama.",
        "en": "{code} is moved to {date} {start}-{end}. The code stays the same.",
    },
    "hold_lost": {
        "id": "Maaf, waktu tahan habis dan tempat itu tidak bisa dipesan lagi.",
        "en": "Sorry, the hold ran out and that place can no longer be booked.",
    },
    "draft_cancelled": {
        "id": "Pemesanan dibatalkan. Balas MENU untuk mulai lagi.",
        "en": "Booking stopped. Reply MENU to start again.",
    },
    "nothing_changed": {
        "id": "Baik, tidak ada yang diubah. Balas MENU untuk pilihan lain.",
        "en": "OK, nothing has changed. Reply MENU for other options.",
    },
    "no_bookings": {
        "id": "Tidak ada booking aktif untuk nomor ini. Balas 1 untuk memesan.",
        "en": "This number has no active booking. Reply 1 to book.",
    },
    "bookings_list": {
        "id": "Booking aktif: {bookings}",
        "en": "Active bookings: {bookings}",
    },
    "booking_line": {
        "id": "{code} {date} {start}-{end} ({status})",
        "en": "{code} {date} {start}-{end} ({status})",
    },
    "pick_cancel": {
        "id": "Batalkan yang mana? {bookings}. Balas nomor/kodenya.",
        "en": "Cancel which one? {bookings}. Reply its number or code.",
    },
    "pick_move": {
        "id": "Ubah yang mana? {bookings}. Balas nomor/kodenya.",
        "en": "Change which one? {bookings}. Reply its number or code.",
    },
    "unknown_code": {
        "id": "Kode itu tidak ada di booking aktif Anda.",
        "en": "That code is not one of your active bookings.",
    },
    "ask_cancel": {
        "id": "Batalkan {code} ({date} {start}-{end})? Balas YA atau TIDAK.",
        "en": "Cancel {code} ({date} {start}-{end})? Reply YES or NO.",
    },
    "cancelled": {
        "id": "Booking {code} dibatalkan. Tempatnya diberikan ke warga lain.",
        "en": "Booking {code} is cancelled. The place goes to another citizen.",
    },
    "kept": {
        "id": "Baik, booking {code} tetap berlaku.",
        "en": "OK, booking {code} stays as it is.",
    },
    "yes_no_hint": {
        "id": "Balas YA atau TIDAK.",
        "en": "Reply YES or NO.",
    },
    "move_start": {
        "id": "Ubah jadwal {code}.",
        "en": "Change the date of {code}.",
    },
    "handover": {
        "id": "Baik, petugas kami akan membalas di sini. Balas MENU untuk kembali ke layanan otomatis.",
        "en": "OK, an officer will reply here. Reply MENU to go back to the automatic service.",
    },
    "handover_closed": {
        "id": "Petugas kami kembali {when} dan akan membalas di sini. Balas MENU untuk kembali ke layanan otomatis.",
        "en": "Our officers are back {when} and will reply here. Reply MENU to go back to the automatic service.",
    },
    "handover_ended": {
        "id": "Baik, Anda kembali ke layanan otomatis.",
        "en": "OK, you are back with the automatic service.",
    },
    "offer_agent": {
        "id": "Maaf, kami belum bisa membantu. Petugas kami akan membaca pesan ini dan membalas di sini.",
        "en": "Sorry, we cannot help with this yet. An officer will read this chat and reply here.",
    },
    "opted_out": {
        "id": "Anda tidak akan menerima pesan lagi dari kami. Kirim MULAI untuk kembali.",
        "en": "You will get no more messages from us. Send START to come back.",
    },
    "documents_intro": {
        "id": "Syarat: {documents}",
        "en": "Documents: {documents}",
    },
    "documents_all": {
        "id": "BARU: e-KTP, KK, akta lahir/ijazah/buku nikah/surat baptis. "
        "PERPANJANG: e-KTP, paspor lama. HILANG: e-KTP, KK, surat hilang dari polisi; "
        "wawancara, denda Rp1.000.000. RUSAK: e-KTP, KK, paspor rusak; wawancara, denda "
        "Rp500.000. ANAK: KTP ayah & ibu, KK, akta lahir anak, surat pernyataan orang tua.",
        "en": "NEW: e-KTP, KK, birth certificate/diploma/marriage book/baptism letter. "
        "RENEWAL: e-KTP, old passport. LOST: e-KTP, KK, police loss report; interview, "
        "fine Rp1,000,000. DAMAGED: e-KTP, KK, damaged passport; interview, fine Rp500,000. "
        "CHILD: both parents' KTP, KK, child's birth certificate, parents' statement.",
    },
    "documents_new": {
        "id": "e-KTP, KK, dan akta lahir/ijazah/buku nikah/surat baptis (asli).",
        "en": "e-KTP, KK, birth certificate/diploma/marriage book/baptism letter (originals).",
    },
    "documents_renewal": {
        "id": "e-KTP dan paspor lama (asli).",
        "en": "e-KTP and your old passport (originals).",
    },
    "documents_lost": {
        "id": "e-KTP, KK, surat kehilangan dari polisi. Ada wawancara, denda Rp1.000.000.",
        "en": "e-KTP, KK, police loss report. An interview follows; fine Rp1,000,000.",
    },
    "documents_damaged": {
        "id": "e-KTP, KK, paspor yang rusak. Ada wawancara, denda Rp500.000.",
        "en": "e-KTP, KK, the damaged passport. An interview follows; fine Rp500,000.",
    },
    # A child applicant (under 17 by the NIK): a parent comes with the child (DOMAIN.md).
    "documents_child_new": {
        "id": "KTP ayah & ibu, KK, akta lahir anak, surat pernyataan ortu (asli); anak ikut datang.",
        "en": "both parents' KTP, KK, the child's birth certificate, parents' statement; the child comes.",
    },
    "documents_child_renewal": {
        "id": "KTP ayah & ibu, KK, akta lahir & paspor lama anak, pernyataan ortu; anak ikut datang.",
        "en": "both parents' KTP, KK, the child's birth certificate and old passport, parents' statement.",
    },
    "documents_child_lost": {
        "id": "KTP ortu, KK, akta lahir anak, laporan polisi, pernyataan ortu; anak ikut; denda Rp1jt.",
        "en": "parents' KTP, KK, child's birth cert., police report, parents' statement. Fine Rp1,000,000.",
    },
    "documents_child_damaged": {
        "id": "KTP ortu, KK, akta lahir anak, paspor rusak, pernyataan ortu; anak ikut; denda Rp500rb.",
        "en": "parents' KTP, KK, child's birth cert., damaged passport, parents' statement. Fine Rp500,000.",
    },
    "child_label": {"id": "anak", "en": "child"},
    "child_nik": {
        "id": "NIK ini milik anak (lahir {year}): nama sesuai akta lahir/KK, dan bawa dokumen anak.",
        "en": "This NIK is a child's (born {year}): the name as on the birth certificate/KK, and the "
        "child's documents.",
    },
    "booked_family": {
        "id": "Untuk anggota keluarga lain, balas TAMBAH.",
        "en": "For another family member, reply ADD.",
    },
    "ask_family": {
        "id": "Untuk anggota keluarga: kirim nama dan NIK-nya. Layanan dan jadwal sama dengan {code}, "
        "bisa diubah sebelum YA.",
        "en": "For a family member: send their name and NIK. Service and time as {code}, which you can "
        "change before YES.",
    },
    "service_new": {"id": "Paspor baru", "en": "New passport"},
    "service_renewal": {"id": "Perpanjang", "en": "Renewal"},
    "service_lost": {"id": "Paspor hilang", "en": "Lost passport"},
    "service_damaged": {"id": "Paspor rusak", "en": "Damaged passport"},
    "type_ordinary": {"id": "biasa", "en": "ordinary"},
    "type_electronic": {"id": "elektronik", "en": "electronic"},
    # --- the day before: reminders, confirmation, release --------------------------------
    "reminder": {
        "id": "Pengingat {code}: {date} {start}-{end}, {office}{address}. Bawa: "
        "{documents} Balas YA jika datang, BATAL jika tidak.{release_note}",
        "en": "Reminder {code}: {date} {start}-{end}, {office}{address}. Bring: "
        "{documents} Reply YES if you come, BATAL if not.{release_note}",
    },
    "reminder_deadline": {
        "id": "Tanpa YA sampai {time}, tempat dilepas.",
        "en": "No YES by {time}: place released.",
    },
    "reminder_confirmed": {
        "id": "Terima kasih, kehadiran terkonfirmasi: {bookings}.",
        "en": "Thank you, confirmed: {bookings}.",
    },
    "reminder_pending": {
        "id": "Booking {bookings} belum dikonfirmasi: balas YA untuk konfirmasi.",
        "en": "Booking {bookings} is not confirmed yet: reply YES to confirm it.",
    },
    "reminder_hint": {
        "id": "Balas YA untuk konfirmasi {bookings}, atau BATAL untuk membatalkannya.",
        "en": "Reply YES to confirm {bookings}, or BATAL to cancel.",
    },
    "release": {
        "id": "Booking {code} ({date} {start}-{end}) dilepas karena tidak dikonfirmasi "
        "sampai pukul {time}. Balas 1 untuk memesan lagi.",
        "en": "Booking {code} ({date} {start}-{end}) is released: it was not confirmed by "
        "{time}. Reply 1 to book again.",
    },
    "hold_expired": {
        "id": "Waktu tahan habis: tempat {date} {start}-{end} dilepas. Balas 1 untuk memesan lagi.",
        "en": "The hold ran out: the place on {date} {start}-{end} is released. Reply 1 to book again.",
    },
    "move_expired": {
        "id": "Waktu tahan habis: jadwal {code} tidak diubah.",
        "en": "The hold ran out: {code} keeps its date.",
    },
    # --- the waiting list of a full day -------------------------------------------------
    "waitlist_invite": {
        "id": "Atau balas TUNGGU untuk masuk daftar tunggu {date}: kami kabari jika ada tempat kosong.",
        "en": "Or reply WAIT to join the waiting list for {date}: we tell you when a place frees up.",
    },
    "waitlist_joined": {
        "id": "Anda di daftar tunggu {date}. Jika ada tempat kosong kami kirim pesan; balas YA "
        "dalam {minutes} menit untuk mengambilnya.",
        "en": "You are on the waiting list for {date}. If a place frees up we send a message: "
        "reply YES within {minutes} minutes to take it.",
    },
    "waitlist_already": {
        "id": "Nomor ini sudah ada di daftar tunggu {date}.",
        "en": "This number is on the waiting list for {date} already.",
    },
    "waitlist_offer": {
        "id": "Ada tempat kosong {date} {start}-{end} untuk {name}. Balas YA dalam {minutes} "
        "menit untuk memesan, atau TIDAK.",
        "en": "A place is free on {date} {start}-{end} for {name}. Reply YES within {minutes} "
        "minutes to book it, or NO.",
    },
    "waitlist_expired": {
        "id": "Waktu {minutes} menit habis: tempat {date} diberikan ke warga berikutnya.",
        "en": "The {minutes} minutes have passed: the place on {date} goes to the next in line.",
    },
    "offer_declined": {
        "id": "Baik, tempat itu diberikan ke warga berikutnya.",
        "en": "OK, the place goes to the next in line.",
    },
    # --- what the office did to a booking (storage/desk.py, storage/quota.py) ---------------
    "office_cancelled": {
        "id": "Booking {code} ({date} {start}-{end}) dibatalkan oleh kantor imigrasi. Balas 1 "
        "untuk memesan lagi, atau PETUGAS untuk bertanya.",
        "en": "Booking {code} ({date} {start}-{end}) was cancelled by the immigration office. "
        "Reply 1 to book again, or AGENT to ask us.",
    },
    "office_moved": {
        "id": "Kantor imigrasi memindah booking {code} ke {date} {start}-{end}. Kode tetap sama. "
        "Tanggal lain? Balas UBAH {code}.",
        "en": "The immigration office moved booking {code} to {date} {start}-{end}. The code "
        "stays the same. Another date? Reply CHANGE {code}.",
    },
    "date_closed": {
        "id": "Kantor tutup {date}, hari booking {code}. Tanggal terdekat yang masih ada tempat: "
        "{dates}. Balas UBAH {code} untuk pindah jadwal, atau BATAL {code}.",
        "en": "The office is closed on {date}, the day of booking {code}. Nearest dates with "
        "places left: {dates}. Reply CHANGE {code} to move it, or BATAL {code}.",
    },
    "date_closed_none": {
        "id": "Kantor tutup {date} (booking {code}). Tempat kosong habis sampai {last}. Balas "
        "UBAH {code} nanti atau PETUGAS.",
        "en": "Office closed on {date} (booking {code}). No places left up to {last}. Reply "
        "CHANGE {code} later, or AGENT.",
    },
    "date_reopened": {
        "id": "Kantor buka lagi {date}. Booking {code} {start}-{end} tetap berlaku, tidak perlu pindah jadwal.",
        "en": "The office is open again on {date}. Booking {code} {start}-{end} stands, no need to move it.",
    },
    "status_booked": {"id": "terpesan", "en": "booked"},
    "status_confirmed": {"id": "terkonfirmasi", "en": "confirmed"},
}


def render(message_id: str, lang: str, **params: object) -> str:
    """Return the message in the language, with its {placeholders} filled in."""
    texts = MESSAGES[message_id]
    template = texts.get(lang) or texts["id"]
    return template.format(**params)


def placeholders(message_id: str, lang: str) -> set[str]:
    """Return the names of the placeholders a message takes."""
    return {name for _, name, _, _ in string.Formatter().parse(MESSAGES[message_id][lang]) if name}


def documents_for(service: str, child: bool, lang: str) -> str:
    """Return what to bring for a service, a child applicant's list when the applicant is one."""
    key = f"documents_child_{service}" if child else f"documents_{service}"
    return render(key if key in MESSAGES else "documents_all", lang)
