"""The officers' pages in Bahasa Indonesia and English: a text catalogue and `t(key)`.

Pages say `{{ t("login.title") }}` (or `t("login.throttled", minutes=5)`); Python says
`from hotline.i18n import t`. The language is the signed-in officer's (stored on the officer),
else the one chosen on the sign-in page (kept in the session), else Indonesian. Add a page's
texts here, under a prefix of its own ("inbox.", "bookings."), in both languages.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context, has_request_context, session
from flask_login import current_user

log = logging.getLogger(__name__)

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
SESSION_KEY = "language"

TEXTS: dict[str, dict[str, str]] = {
    "app.name": {"id": "Hotline Paspor", "en": "Passport Hotline"},
    "app.skip": {"id": "Langsung ke isi", "en": "Skip to content"},
    "nav.home": {"id": "Beranda", "en": "Home"},
    "nav.inbox": {"id": "Kotak masuk", "en": "Inbox"},
    "nav.bookings": {"id": "Booking", "en": "Bookings"},
    "nav.sign_out": {"id": "Keluar", "en": "Sign out"},
    "nav.signed_in_as": {"id": "Masuk sebagai {username}", "en": "Signed in as {username}"},
    "language.label": {"id": "Bahasa", "en": "Language"},
    "language.id": {"id": "Bahasa Indonesia", "en": "Bahasa Indonesia"},
    "language.en": {"id": "English", "en": "English"},
    "language.switch": {"id": "Ganti", "en": "Change"},
    "login.title": {"id": "Masuk petugas", "en": "Officer sign-in"},
    "login.intro": {
        "id": "Untuk petugas kantor imigrasi. Akun dibuat oleh admin.",
        "en": "For immigration office staff. Accounts are created by an admin.",
    },
    "login.username": {"id": "Nama pengguna", "en": "Username"},
    "login.password": {"id": "Kata sandi", "en": "Password"},
    "login.submit": {"id": "Masuk", "en": "Sign in"},
    "login.missing": {
        "id": "Isi nama pengguna dan kata sandi.",
        "en": "Enter your username and password.",
    },
    "login.failed": {
        "id": "Nama pengguna atau kata sandi salah.",
        "en": "Wrong username or password.",
    },
    "login.throttled": {
        "id": "Terlalu banyak percobaan masuk yang gagal. Tunggu {minutes} menit, lalu coba lagi.",
        "en": "Too many failed sign-in attempts. Wait {minutes} min, then try again.",
    },
    "login.sign_in_first": {"id": "Silakan masuk terlebih dahulu.", "en": "Please sign in first."},
    "login.signed_out": {"id": "Anda sudah keluar.", "en": "You have signed out."},
    "home.title": {"id": "Beranda", "en": "Home"},
    "home.greeting": {"id": "Selamat datang, {username}.", "en": "Welcome, {username}."},
    "home.role": {"id": "Peran", "en": "Role"},
    "home.offices": {"id": "Kantor", "en": "Offices"},
    "home.all_offices": {"id": "Semua kantor", "en": "Every office"},
    "home.no_offices": {"id": "Belum ada kantor.", "en": "No office yet."},
    "home.inbox": {
        "id": "Percakapan warga, terutama yang meminta petugas (PETUGAS).",
        "en": "Citizens' conversations, first those asking for an officer (AGENT).",
    },
    "home.bookings": {
        "id": "Booking per kantor dan tanggal: cek kedatangan, tidak hadir.",
        "en": "Bookings by office and date: check-in, no-shows.",
    },
    "role.officer": {"id": "Petugas", "en": "Officer"},
    "role.supervisor": {"id": "Supervisor", "en": "Supervisor"},
    "role.admin": {"id": "Admin", "en": "Admin"},
    "error.back": {"id": "Kembali ke beranda", "en": "Back to the home page"},
    "error.400.title": {"id": "Permintaan tidak dapat diproses", "en": "The request cannot be handled"},
    "error.400.text": {
        "id": "Periksa isian Anda, lalu coba lagi.",
        "en": "Check what you entered, then try again.",
    },
    "error.csrf.title": {"id": "Formulir kedaluwarsa", "en": "The form has expired"},
    "error.csrf.text": {
        "id": "Formulir ini sudah tidak berlaku. Muat ulang halaman, lalu kirim lagi.",
        "en": "This form is no longer valid. Reload the page, then send it again.",
    },
    "error.403.title": {"id": "Tidak diizinkan", "en": "Not allowed"},
    "error.403.text": {
        "id": "Peran Anda tidak dapat membuka halaman ini.",
        "en": "Your role cannot open this page.",
    },
    "error.413.title": {"id": "Kiriman terlalu besar", "en": "Request too large"},
    "error.413.text": {
        "id": "Isian yang dikirim terlalu besar. Persingkat lalu coba lagi.",
        "en": "What was sent is too large. Shorten it and try again.",
    },
    "error.404.title": {"id": "Halaman tidak ditemukan", "en": "Page not found"},
    "error.404.text": {
        "id": "Halaman ini tidak ada, atau bukan untuk kantor Anda.",
        "en": "This page does not exist, or is not for your office.",
    },
    # --- the inbox (hotline/inbox.py) and the citizen simulator (hotline/simulator.py) ---
    "inbox.title": {"id": "Kotak masuk", "en": "Inbox"},
    "inbox.views": {"id": "Tampilan", "en": "Views"},
    "inbox.view.waiting": {"id": "Menunggu petugas", "en": "Waiting for an officer"},
    "inbox.view.mine": {"id": "Ditugaskan ke saya", "en": "Assigned to me"},
    "inbox.view.all": {"id": "Semua", "en": "All"},
    "inbox.view_hint.waiting": {
        "id": "Warga yang meminta petugas (PETUGAS) atau yang tidak bisa dibantu bot. Aktivitas terbaru di atas.",
        "en": "Citizens who asked for an officer (AGENT) or whom the bot could not help. Newest activity first.",
    },
    "inbox.view_hint.mine": {
        "id": "Percakapan yang ditugaskan ke Anda dan belum selesai. Aktivitas terbaru di atas.",
        "en": "Conversations assigned to you and not resolved yet. Newest activity first.",
    },
    "inbox.view_hint.all": {
        "id": "Semua percakapan kantor Anda, juga yang ditangani bot. Aktivitas terbaru di atas.",
        "en": "Every conversation of your offices, those the bot handles too. Newest activity first.",
    },
    "inbox.empty.waiting": {"id": "Tidak ada warga yang menunggu petugas.", "en": "Nobody is waiting for an officer."},
    "inbox.empty.mine": {
        "id": "Tidak ada percakapan yang ditugaskan ke Anda.",
        "en": "No conversation is assigned to you.",
    },
    "inbox.empty.all": {"id": "Belum ada percakapan.", "en": "No conversation yet."},
    "inbox.fresh": {"id": "Ada pesan baru — muat ulang daftar.", "en": "New messages — reload the list."},
    "inbox.newest": {"id": "Terbaru", "en": "Newest"},
    "inbox.older": {"id": "Lebih lama", "en": "Older"},
    "inbox.no_name": {"id": "Tanpa nama", "en": "No name"},
    "inbox.unread": {"id": "belum dibaca", "en": "unread"},
    "inbox.channel": {"id": "Saluran", "en": "Channel"},
    "inbox.channel.whatsapp": {"id": "WhatsApp", "en": "WhatsApp"},
    "inbox.channel.sms": {"id": "SMS", "en": "SMS"},
    "inbox.tag.waiting": {"id": "Menunggu petugas", "en": "Waiting for an officer"},
    "inbox.tag.officer": {"id": "Ditangani petugas", "en": "With an officer"},
    "inbox.tag.bot": {"id": "Bot", "en": "Bot"},
    "inbox.tag.resolved": {"id": "Selesai", "en": "Resolved"},
    "inbox.tag.opted_out": {"id": "Berhenti (STOP)", "en": "Opted out (STOP)"},
    "inbox.assigned_to": {"id": "Petugas: {officer}", "en": "Officer: {officer}"},
    "inbox.replying_now": {"id": "{officer} sedang membalas…", "en": "{officer} is replying…"},
    "inbox.author.citizen": {"id": "Warga", "en": "Citizen"},
    "inbox.author.bot": {"id": "Bot", "en": "Bot"},
    "inbox.author.system": {"id": "Sistem", "en": "System"},
    "inbox.author.officer": {"id": "Petugas", "en": "Officer"},
    "inbox.author.officer_named": {"id": "Petugas {officer}", "en": "Officer {officer}"},
    "inbox.note_by": {"id": "Catatan internal dari {officer}", "en": "Private note by {officer}"},
    "inbox.delivery.twiml": {"id": "Terkirim sebagai balasan", "en": "Sent as the reply"},
    "inbox.delivery.pending": {"id": "Dalam antrean kirim", "en": "Queued to send"},
    "inbox.delivery.sending": {"id": "Sedang dikirim", "en": "Sending"},
    "inbox.delivery.sent": {"id": "Terkirim", "en": "Sent"},
    "inbox.delivery.failed": {"id": "Gagal terkirim", "en": "Not delivered"},
    "inbox.delivery.skipped": {"id": "Tidak dikirim", "en": "Not sent"},
    "inbox.status.delivered": {"id": "Diterima", "en": "Delivered"},
    "inbox.status.read": {"id": "Dibaca", "en": "Read"},
    "inbox.status.undelivered": {"id": "Tidak sampai", "en": "Undelivered"},
    "inbox.status.failed": {"id": "Gagal", "en": "Failed"},
    "inbox.back": {"id": "Kotak masuk", "en": "Inbox"},
    "inbox.no_messages": {"id": "Belum ada pesan.", "en": "No message yet."},
    "inbox.new_messages": {"id": "Pesan baru masuk.", "en": "New messages came in."},
    "inbox.reply": {"id": "Balas warga", "en": "Reply to the citizen"},
    "inbox.send": {"id": "Kirim balasan", "en": "Send reply"},
    "inbox.reply_takes_over": {
        "id": "Membalas berarti Anda mengambil alih: bot diam sampai dikembalikan.",
        "en": "Replying takes the conversation over: the bot stays silent until handed back.",
    },
    "inbox.window_open": {
        "id": "Jendela WhatsApp 24 jam terbuka: balasan Anda terkirim sebagai teks biasa.",
        "en": "WhatsApp's 24-hour window is open: your reply goes as plain text.",
    },
    "inbox.window_closed": {
        "id": "Pesan terakhir warga lebih dari 24 jam lalu: WhatsApp hanya menerima templat yang disetujui.",
        "en": "The citizen's last message is more than 24 hours old: WhatsApp only carries an approved template.",
    },
    "inbox.window_template": {
        "id": "Balasan Anda dikirim di dalam templat \u201cpetugas\u201d kantor (satu baris).",
        "en": "Your reply goes inside the office's \u201cofficer\u201d template (as one line).",
    },
    "inbox.window_sms": {
        "id": "Kantor tidak punya templat: balasan Anda dikirim lewat SMS.",
        "en": "The office has no template: your reply goes by SMS.",
    },
    "inbox.window_none": {
        "id": "Kantor tidak punya templat atau pengirim SMS: balasan tidak akan sampai. Tunggu warga menulis lagi.",
        "en": "The office has no template nor SMS sender: a reply cannot reach the citizen. Wait until they write again.",
    },
    "inbox.opted_out_text": {
        "id": "Warga ini menulis STOP: tidak ada pesan yang dapat dikirim.",
        "en": "This citizen wrote STOP: no message can be sent.",
    },
    "inbox.canned": {"id": "Balasan siap pakai", "en": "Canned reply"},
    "inbox.canned_booking": {"id": "Booking untuk balasan", "en": "Booking for the reply"},
    "inbox.canned_use": {"id": "Pakai", "en": "Use"},
    "inbox.note": {"id": "Catatan internal", "en": "Private note"},
    "inbox.note_hint": {
        "id": "Hanya untuk petugas; tidak pernah dikirim ke warga.",
        "en": "For officers only; never sent to the citizen.",
    },
    "inbox.note_add": {"id": "Simpan catatan", "en": "Save note"},
    "inbox.citizen": {"id": "Warga", "en": "Citizen"},
    "inbox.name": {"id": "Nama", "en": "Name"},
    "inbox.number": {"id": "Nomor", "en": "Number"},
    "inbox.office": {"id": "Kantor", "en": "Office"},
    "inbox.bookings": {"id": "Booking aktif", "en": "Active bookings"},
    "inbox.no_bookings": {"id": "Tidak ada booking aktif.", "en": "No active booking."},
    "inbox.booking_status.held": {"id": "ditahan", "en": "held"},
    "inbox.booking_status.booked": {"id": "dipesan", "en": "booked"},
    "inbox.booking_status.confirmed": {"id": "dikonfirmasi", "en": "confirmed"},
    "inbox.booking_status.checked_in": {"id": "sudah datang", "en": "checked in"},
    "inbox.actions": {"id": "Tindakan", "en": "Actions"},
    "inbox.take_over": {"id": "Ambil alih", "en": "Take over"},
    "inbox.take_over_hint": {
        "id": "Bot diam untuk warga ini sampai Anda mengembalikannya.",
        "en": "The bot stays silent for this citizen until you hand back.",
    },
    "inbox.hand_back": {"id": "Kembalikan ke bot", "en": "Hand back to the bot"},
    "inbox.assign": {"id": "Tugaskan ke", "en": "Assign to"},
    "inbox.assign_do": {"id": "Tugaskan", "en": "Assign"},
    "inbox.nobody": {"id": "Tidak ada", "en": "Nobody"},
    "inbox.me": {"id": "saya", "en": "me"},
    "inbox.resolve": {"id": "Tandai selesai", "en": "Resolve"},
    "inbox.resolve_hint": {
        "id": "Bot menjawab lagi; pesan baru dari warga membuka percakapan kembali.",
        "en": "The bot answers again; a new message from the citizen reopens it.",
    },
    "inbox.done.take_over": {
        "id": "Anda mengambil alih percakapan. Bot diam.",
        "en": "You took the conversation over. The bot is silent.",
    },
    "inbox.done.take_over_already": {
        "id": "Percakapan ini sudah Anda tangani.",
        "en": "You have this conversation already.",
    },
    "inbox.done.hand_back": {"id": "Percakapan dikembalikan ke bot.", "en": "The conversation is back with the bot."},
    "inbox.done.hand_back_already": {
        "id": "Bot sudah menangani percakapan ini.",
        "en": "The bot has this conversation already.",
    },
    "inbox.done.resolve": {"id": "Percakapan ditandai selesai.", "en": "The conversation is resolved."},
    "inbox.done.resolve_already": {
        "id": "Percakapan ini sudah selesai.",
        "en": "This conversation was resolved already.",
    },
    "inbox.done.assign": {"id": "Percakapan ditugaskan.", "en": "The conversation is assigned."},
    "inbox.done.unassign": {"id": "Percakapan tidak lagi ditugaskan.", "en": "The conversation is no longer assigned."},
    "inbox.done.nothing": {"id": "Tidak ada yang berubah.", "en": "Nothing changed."},
    "inbox.done.reply": {"id": "Balasan masuk antrean kirim.", "en": "The reply is queued to send."},
    "inbox.done.note": {"id": "Catatan disimpan.", "en": "The note is saved."},
    "inbox.error.not_found": {"id": "Percakapan tidak ditemukan.", "en": "The conversation was not found."},
    "inbox.error.bad_nonce": {
        "id": "Formulir balasan sudah dipakai. Periksa percakapan, lalu tulis lagi bila perlu.",
        "en": "That reply form was used already. Check the conversation, then write again if needed.",
    },
    "inbox.error.empty": {"id": "Tulis sesuatu dulu.", "en": "Write something first."},
    "inbox.error.too_long": {"id": "Terlalu panjang.", "en": "Too long."},
    "inbox.error.opted_out": {
        "id": "Warga ini menulis STOP: tidak bisa dikirimi pesan.",
        "en": "This citizen wrote STOP: no message can go.",
    },
    "inbox.error.assigned_to_other": {
        "id": "Percakapan ini ditangani petugas lain. Minta supervisor bila perlu.",
        "en": "Another officer has this conversation. Ask a supervisor if needed.",
    },
    "inbox.error.inactive_assignee": {"id": "Petugas itu tidak aktif.", "en": "That officer is not active."},
    "inbox.error.assignee_not_in_office": {
        "id": "Petugas itu tidak melayani kantor ini.",
        "en": "That officer does not serve this office.",
    },
    "inbox.error.other": {"id": "Tidak bisa dilakukan.", "en": "That cannot be done."},
    "simulator.title": {"id": "Simulator warga (demo)", "en": "Citizen simulator (demo)"},
    "simulator.intro": {
        "id": "Kirim pesan ke bot seperti warga, lalu lihat percakapannya muncul di kotak masuk. Hanya mode demo: tidak ada yang dikirim lewat Twilio.",
        "en": "Text the bot as a citizen, then watch the conversation appear in the inbox. Demo mode only: nothing goes through Twilio.",
    },
    "simulator.phone": {"id": "Nomor warga", "en": "Citizen's number"},
    "simulator.office": {"id": "Kantor", "en": "Office"},
    "simulator.channel": {"id": "Saluran", "en": "Channel"},
    "simulator.message": {"id": "Pesan", "en": "Message"},
    "simulator.send": {"id": "Kirim", "en": "Send"},
    "simulator.bad_phone": {"id": "Nomor telepon tidak valid.", "en": "Not a valid phone number."},
    "simulator.empty": {"id": "Tulis pesan dulu.", "en": "Write a message first."},
    "simulator.conversation": {"id": "Percakapan", "en": "Conversation"},
    "simulator.none": {
        "id": "Belum ada pesan. Coba \u201chalo\u201d atau \u201cPETUGAS\u201d.",
        "en": "No message yet. Try \u201chalo\u201d or \u201cAGENT\u201d.",
    },
    "simulator.you": {"id": "Anda (warga)", "en": "You (citizen)"},
    "simulator.see_inbox": {"id": "Buka kotak masuk petugas", "en": "Open the officers' inbox"},
    "simulator.queued": {"id": "dalam antrean kirim", "en": "queued to send"},
    # --- the desk (hotline/bookings.py), quota and calendar (hotline/quota.py), audit (hotline/audit_log.py) ---
    "bookings.title": {"id": "Booking", "en": "Bookings"},
    "bookings.no_offices": {"id": "Anda belum melayani kantor mana pun.", "en": "You serve no office yet."},
    "bookings.bad_date": {
        "id": "Tanggal \u201c{value}\u201d tidak valid: gunakan TTTT-BB-HH, misalnya 2026-12-01. Ditampilkan hari ini.",
        "en": "\u201c{value}\u201d is not a valid date: use YYYY-MM-DD, e.g. 2026-12-01. Showing today.",
    },
    "bookings.today": {"id": "Hari ini", "en": "Today"},
    "bookings.days": {"id": "Hari", "en": "Days"},
    "bookings.previous": {"id": "Sebelumnya", "en": "Previous"},
    "bookings.next": {"id": "Berikutnya", "en": "Next"},
    "bookings.office": {"id": "Kantor", "en": "Office"},
    "bookings.date": {"id": "Tanggal", "en": "Date"},
    "bookings.show": {"id": "Tampilkan", "en": "Show"},
    "bookings.closed_day": {"id": "Kantor tutup hari ini ({why}).", "en": "The office is closed on this day ({why})."},
    "bookings.closed.holiday": {"id": "hari libur nasional", "en": "a national holiday"},
    "bookings.closed.office": {"id": "ditutup oleh kantor", "en": "closed by the office"},
    "bookings.closed.weekday": {"id": "bukan hari layanan", "en": "not a working day"},
    "bookings.no_sessions": {"id": "Tidak ada sesi pada hari ini.", "en": "No session on this day."},
    "bookings.session_number": {"id": "Sesi {number}", "en": "Session {number}"},
    "bookings.extra": {"id": "Sesi tambahan", "en": "Extra session"},
    "bookings.extra_on": {"id": "hanya {date}", "en": "only {date}"},
    "bookings.not_running": {"id": "Tidak berjalan", "en": "Not running"},
    "bookings.capacity": {"id": "Kapasitas", "en": "Capacity"},
    "bookings.booked": {"id": "Terpesan", "en": "Booked"},
    "bookings.held": {"id": "Ditahan", "en": "Held"},
    "bookings.free": {"id": "Sisa", "en": "Free"},
    "bookings.checked_in": {"id": "Sudah datang", "en": "Checked in"},
    "bookings.none": {"id": "Belum ada booking di sesi ini.", "en": "No booking in this session yet."},
    "bookings.code": {"id": "Kode", "en": "Code"},
    "bookings.name": {"id": "Nama", "en": "Name"},
    "bookings.nik": {"id": "NIK", "en": "NIK"},
    "bookings.phone": {"id": "Nomor", "en": "Number"},
    "bookings.service": {"id": "Layanan", "en": "Service"},
    "bookings.status": {"id": "Status", "en": "Status"},
    "bookings.actions": {"id": "Tindakan", "en": "Actions"},
    "bookings.service.new": {"id": "Baru", "en": "New"},
    "bookings.service.renewal": {"id": "Perpanjangan", "en": "Renewal"},
    "bookings.service.lost": {"id": "Hilang", "en": "Lost"},
    "bookings.service.damaged": {"id": "Rusak", "en": "Damaged"},
    "bookings.passport.ordinary": {"id": "biasa", "en": "ordinary"},
    "bookings.passport.electronic": {"id": "elektronik", "en": "electronic"},
    "bookings.channel.whatsapp": {"id": "WhatsApp", "en": "WhatsApp"},
    "bookings.channel.sms": {"id": "SMS", "en": "SMS"},
    "bookings.status.held": {"id": "Ditahan", "en": "Held"},
    "bookings.status.booked": {"id": "Terpesan", "en": "Booked"},
    "bookings.status.confirmed": {"id": "Dikonfirmasi", "en": "Confirmed"},
    "bookings.status.checked_in": {"id": "Sudah datang", "en": "Checked in"},
    "bookings.status.no_show": {"id": "Tidak hadir", "en": "No-show"},
    "bookings.status.cancelled": {"id": "Dibatalkan", "en": "Cancelled"},
    "bookings.status.released": {"id": "Dilepas", "en": "Released"},
    "bookings.status.expired": {"id": "Kedaluwarsa", "en": "Expired"},
    "bookings.check_in": {"id": "Catat kedatangan", "en": "Check in"},
    "bookings.change": {"id": "Pindah / batal", "en": "Move / cancel"},
    "bookings.mark_no_shows": {"id": "Tandai tidak hadir", "en": "Mark no-shows"},
    "bookings.mark_no_shows_hint": {
        "id": "Semua booking yang belum datang di sesi yang sudah selesai.",
        "en": "Every booking not checked in, in sessions that have ended.",
    },
    "bookings.csv": {"id": "Unduh CSV hari ini", "en": "Download the day as CSV"},
    "bookings.search": {"id": "Cari booking", "en": "Search bookings"},
    "bookings.search_hint": {"id": "Kode booking atau nomor telepon", "en": "Booking code or phone number"},
    "bookings.search_none": {
        "id": "Tidak ada booking untuk \u201c{query}\u201d.",
        "en": "No booking for \u201c{query}\u201d.",
    },
    "bookings.back_to_day": {"id": "Kembali ke hari booking", "en": "Back to the booking's day"},
    "bookings.move": {"id": "Pindahkan jadwal", "en": "Move to another day or session"},
    "bookings.move_hint": {
        "id": "Warga diberi tahu lewat pesan. Hanya ke sesi yang masih ada tempat.",
        "en": "The citizen is told by message. Only to a session with a free place.",
    },
    "bookings.new_date": {"id": "Tanggal baru", "en": "New date"},
    "bookings.new_session": {"id": "Sesi baru", "en": "New session"},
    "bookings.move_do": {"id": "Pindahkan", "en": "Move"},
    "bookings.cancel": {"id": "Batalkan booking", "en": "Cancel the booking"},
    "bookings.cancel_hint": {
        "id": "Warga diberi tahu lewat pesan; alasan hanya dicatat di log audit.",
        "en": "The citizen is told by message; the reason is kept in the audit log only.",
    },
    "bookings.reason": {"id": "Alasan (opsional)", "en": "Reason (optional)"},
    "bookings.cancel_do": {"id": "Batalkan untuk warga", "en": "Cancel for the citizen"},
    "bookings.not_changeable": {
        "id": "Booking ini tidak dapat diubah lagi (sudah lewat, selesai atau dibatalkan).",
        "en": "This booking can no longer be changed (past, done or cancelled).",
    },
    "bookings.done.check_in": {"id": "{name} ({code}) sudah datang.", "en": "{name} ({code}) is checked in."},
    "bookings.done.no_shows": {"id": "{count} booking ditandai tidak hadir.", "en": "{count} bookings marked no-show."},
    "bookings.done.no_shows_none": {
        "id": "Tidak ada booking yang ditandai tidak hadir.",
        "en": "No booking to mark no-show.",
    },
    "bookings.done.cancel": {
        "id": "Booking {code} dibatalkan; warga diberi tahu.",
        "en": "Booking {code} is cancelled; the citizen is told.",
    },
    "bookings.done.move": {
        "id": "Booking {code} dipindah ke {date}, {start}-{end}; warga diberi tahu.",
        "en": "Booking {code} moved to {date}, {start}-{end}; the citizen is told.",
    },
    "bookings.error.other": {"id": "Tidak bisa dilakukan.", "en": "That cannot be done."},
    "bookings.error.more_dates": {"id": "(Dan {count} tanggal lain.)", "en": "(And {count} more dates.)"},
    "bookings.error.move_form": {"id": "Pilih tanggal dan sesi baru.", "en": "Choose a new date and session."},
    "bookings.error.not_found": {
        "id": "Booking atau kantor tidak ditemukan.",
        "en": "The booking or office was not found.",
    },
    "bookings.error.unknown_session": {
        "id": "Sesi itu tidak ada di kantor ini.",
        "en": "That session does not exist at this office.",
    },
    "bookings.error.not_allowed": {
        "id": "Hanya supervisor atau admin yang dapat mengubah kalender.",
        "en": "Only a supervisor or an admin may change the calendar.",
    },
    "bookings.error.not_active": {
        "id": "Booking ini berstatus {status}: tidak bisa.",
        "en": "This booking is {status}: not possible.",
    },
    "bookings.error.already_checked_in": {
        "id": "Warga ini sudah dicatat datang pukul {checked_in_at}.",
        "en": "This citizen was checked in already at {checked_in_at}.",
    },
    "bookings.error.not_today": {
        "id": "Booking ini untuk {date}, bukan hari ini: kedatangan hanya dicatat pada harinya.",
        "en": "This booking is for {date}, not today: check-in is only on its day.",
    },
    "bookings.error.future": {"id": "{date} belum tiba.", "en": "{date} has not come yet."},
    "bookings.error.past": {"id": "{date} sudah lewat.", "en": "{date} has passed."},
    "bookings.error.too_far": {"id": "{date} terlalu jauh ke depan.", "en": "{date} is too far ahead."},
    "bookings.error.closed": {
        "id": "Sesi itu tidak berjalan pada {date} ({why}).",
        "en": "That session does not run on {date} ({why}).",
    },
    "bookings.error.started": {"id": "Sesi itu sudah dimulai.", "en": "That session has started."},
    "bookings.error.full": {
        "id": "Penuh: {date} sudah {booked} dari {capacity} tempat terisi.",
        "en": "Full: {date} has {booked} of {capacity} places taken.",
    },
    "bookings.error.unchanged": {
        "id": "Booking sudah di tanggal dan sesi itu.",
        "en": "The booking is on that date and session already.",
    },
    "bookings.error.bad_capacity": {
        "id": "Kapasitas harus bilangan bulat 0 sampai 10000 (sesi tambahan: 1 sampai 10000).",
        "en": "The capacity must be a whole number from 0 to 10000 (an extra session: 1 to 10000).",
    },
    "bookings.error.bad_range": {
        "id": "Tanggal awal setelah tanggal akhir.",
        "en": "The first date comes after the last.",
    },
    "bookings.error.bad_times": {
        "id": "Jam harus JJ:MM, dan jam selesai setelah jam mulai.",
        "en": "Times must be HH:MM, with the end after the start.",
    },
    "bookings.error.no_open_dates": {
        "id": "Sesi itu tidak buka pada tanggal-tanggal tersebut.",
        "en": "That session is not open on any of those dates.",
    },
    "bookings.error.below_booked": {
        "id": "Tidak bisa: {date} sudah {booked} tempat terpesan atau ditahan, lebih dari {capacity}. Pindahkan kelebihannya dulu.",
        "en": "Not possible: {date} already has {booked} places booked or held, more than {capacity}. Move the surplus first.",
    },
    "bookings.error.already_closed": {"id": "{date} sudah tutup.", "en": "{date} is closed already."},
    "bookings.error.not_closed": {"id": "{date} tidak ditutup.", "en": "{date} is not a closed date."},
    "bookings.error.closed_by_file": {
        "id": "{date} ditutup oleh berkas kantor: ubah berkasnya.",
        "en": "{date} is closed by the office file: change the file.",
    },
    "bookings.error.holiday": {
        "id": "{date} adalah hari libur nasional ({name}).",
        "en": "{date} is a national holiday ({name}).",
    },
    "bookings.error.overlap": {
        "id": "Bertabrakan dengan sesi {start}-{end} pada {date}.",
        "en": "It overlaps the session {start}-{end} on {date}.",
    },
    "quota.title": {"id": "Kuota dan kalender", "en": "Quota and calendar"},
    "quota.capacity": {"id": "Ubah kapasitas", "en": "Change capacity"},
    "quota.capacity_hint": {
        "id": "Untuk satu sesi, dari tanggal awal sampai akhir. Tidak bisa di bawah yang sudah terpesan.",
        "en": "For one session, from the first date to the last. Never below what is already booked.",
    },
    "quota.session": {"id": "Sesi", "en": "Session"},
    "quota.usual_capacity": {"id": "{capacity} tempat", "en": "{capacity} places"},
    "quota.first": {"id": "Dari tanggal", "en": "From"},
    "quota.last": {"id": "Sampai tanggal", "en": "To"},
    "quota.places": {"id": "Jumlah tempat", "en": "Places"},
    "quota.places_hint": {
        "id": "Kosongkan untuk kembali ke kapasitas biasa.",
        "en": "Leave empty for the usual capacity.",
    },
    "quota.capacity_do": {"id": "Simpan kapasitas", "en": "Save capacity"},
    "quota.usual": {"id": "kapasitas biasa", "en": "the usual capacity"},
    "quota.close": {"id": "Tutup tanggal", "en": "Close a date"},
    "quota.close_hint": {
        "id": "Warga yang sudah booking diberi tiga tanggal terdekat yang masih ada tempat, dan bisa pindah dengan membalas.",
        "en": "Citizens booked on it are offered the three nearest free dates by message, and can move by reply.",
    },
    "quota.close_do": {"id": "Tutup tanggal ini", "en": "Close this date"},
    "quota.closed_dates": {"id": "Tanggal yang ditutup", "en": "Closed dates"},
    "quota.reopen_do": {"id": "Buka lagi", "en": "Reopen"},
    "quota.extra": {"id": "Sesi tambahan", "en": "Extra session"},
    "quota.extra_hint": {
        "id": "Misalnya layanan hari Sabtu: hanya pada satu tanggal.",
        "en": "A Saturday clinic, say: on one date only.",
    },
    "quota.start": {"id": "Mulai", "en": "Start"},
    "quota.end": {"id": "Selesai", "en": "End"},
    "quota.extra_do": {"id": "Tambah sesi", "en": "Add session"},
    "quota.extra_sessions": {"id": "Sesi tambahan berikutnya", "en": "Coming extra sessions"},
    "quota.error.form": {
        "id": "Periksa isian: tanggal, sesi dan jumlah tempat.",
        "en": "Check the form: dates, session and places.",
    },
    "quota.done.capacity": {
        "id": "Kapasitas {capacity} disimpan untuk {count} tanggal ({first} – {last}).",
        "en": "Capacity {capacity} saved for {count} dates ({first} – {last}).",
    },
    "quota.done.close": {
        "id": "{date} ditutup; {count} warga diberi tahu.",
        "en": "{date} is closed; {count} citizens are told.",
    },
    "quota.done.reopen": {
        "id": "{date} dibuka lagi; {count} warga diberi tahu.",
        "en": "{date} is open again; {count} citizens are told.",
    },
    "quota.done.extra": {
        "id": "Sesi tambahan {date}, {start}-{end} ({capacity} tempat) dibuka.",
        "en": "Extra session on {date}, {start}-{end} ({capacity} places) is open.",
    },
    "audit.title": {"id": "Log audit", "en": "Audit log"},
    "audit.intro": {
        "id": "Setiap perubahan oleh petugas: siapa, kapan, apa. Terbaru di atas; waktu kantor.",
        "en": "Every change officers made: who, when, what. Newest first; office time.",
    },
    "audit.all_offices": {"id": "Semua kantor saya", "en": "All my offices"},
    "audit.when": {"id": "Waktu", "en": "When"},
    "audit.who": {"id": "Petugas", "en": "Officer"},
    "audit.action": {"id": "Tindakan", "en": "Action"},
    "audit.subject": {"id": "Objek", "en": "Subject"},
    "audit.details": {"id": "Rincian", "en": "Details"},
    "audit.system": {"id": "Sistem", "en": "System"},
    "audit.empty": {"id": "Belum ada catatan.", "en": "Nothing recorded yet."},
    "audit.pages": {"id": "Halaman", "en": "Pages"},
    "audit.newest": {"id": "Terbaru", "en": "Newest"},
    "audit.older": {"id": "Lebih lama", "en": "Older"},
    "audit.bad_cursor": {
        "id": "Halaman itu tidak ada; ditampilkan yang terbaru.",
        "en": "That page does not exist; showing the newest.",
    },
    "audit.action.check_in": {"id": "Catat kedatangan", "en": "Check-in"},
    "audit.action.no_show": {"id": "Tandai tidak hadir", "en": "No-shows"},
    "audit.action.cancel": {"id": "Batal untuk warga", "en": "Cancel for citizen"},
    "audit.action.move": {"id": "Pindah untuk warga", "en": "Move for citizen"},
    "audit.action.capacity": {"id": "Ubah kapasitas", "en": "Capacity"},
    "audit.action.close_date": {"id": "Tutup tanggal", "en": "Close date"},
    "audit.action.reopen_date": {"id": "Buka tanggal", "en": "Reopen date"},
    "audit.action.extra_session": {"id": "Sesi tambahan", "en": "Extra session"},
}


def current_language() -> str:
    """Return the language of the pages for this request: the officer's, the session's, or id."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user and current_user.is_authenticated:
        language = getattr(current_user, "language", None)
    else:
        language = session.get(SESSION_KEY)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, language: str | None = None, **params: object) -> str:
    """Return the text for key in the page's language (or the one given), with {params} filled in."""
    entry = TEXTS.get(key)
    if entry is None:
        if has_app_context() and (current_app.testing or current_app.debug):
            raise KeyError(f"no UI text {key!r} in hotline/i18n.py")
        log.warning("no UI text %r", key)
        return key
    text = entry.get(language or current_language()) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def init_app(app: Flask) -> None:
    """Offer t(), current_language() and LANGUAGES to every template."""
    app.jinja_env.globals.update(t=t, current_language=current_language, LANGUAGES=LANGUAGES)
