"""The `hotline` command: init, office load, officer create, token create, chat, and Flask's run."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import tomllib
import uuid
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from hotline import clock, create_app, database, limits, logs, now
from hotline.addresses import parse_address
from hotline.dialogue import IncomingMessage, receive
from scheduler.transport import Transport
from storage.models import Office
from storage.models.officer import OfficerRole
from storage.officers import (
    LANGUAGES,
    OfficerError,
    OfficerExists,
    all_officers,
    create_officer,
    offices_served,
    update_officer,
)
from storage.offices import OfficeFileError, OfficeSpec, all_offices, load_offices, office_by_hotline, parse_offices
from storage.tokens import DEFAULT_DAYS, TokenError, all_tokens, create_token, revoke_token


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """The passport booking hotline."""


def _read_office_file(text: str, source: str) -> list[OfficeSpec]:
    try:
        return parse_offices(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise click.ClickException(f"{source}: not valid TOML: {error}") from None
    except OfficeFileError as error:
        raise click.ClickException(f"{source}: {error}") from None


def _load(text: str, source: str) -> None:
    specs = _read_office_file(text, source)
    try:
        with database().transaction() as session:
            results = load_offices(session, specs)
    except OfficeFileError as error:
        raise click.ClickException(f"{source}: {error}") from None
    for code, outcome in results:
        click.echo(f"office {code}: {outcome}")


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the schema; load the default office when there is none."""
    db = database()
    db.migrate()
    click.echo(f"database ready: {db.engine.url.render_as_string(hide_password=True)}")
    with db.transaction() as session:
        has_office = bool(all_offices(session))
    if not has_office:
        default = resources.files("hotline").joinpath("offices/default.toml").read_text("utf-8")
        _load(default, "default office")


@main.group("office")
def office_group() -> None:
    """Manage offices."""


@office_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def office_load(path: Path) -> None:
    """Create or update the offices in an office file (TOML); safe to run again."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path}: cannot read: {error}") from None
    _load(text, str(path))


@main.group("officer")
def officer_group() -> None:
    """Manage officers' accounts."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # The first line only, without its line ending: `printf '%s\n' "$PASSWORD" | hotline ...`.
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@officer_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([role.value for role in OfficerRole]),
    default=None,
    help="officer or supervisor (the offices named), admin (every office). Required unless --update.",
)
@click.option(
    "--office",
    "offices",
    multiple=True,
    metavar="CODE",
    help="An office the officer serves, by code (e.g. PLG); repeat for several.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (else it is asked for).",
)
@click.option("--language", type=click.Choice(LANGUAGES), default=None, help="The pages' language (default id).")
@click.option(
    "--update",
    is_flag=True,
    help="Change an existing officer instead: what is given (role, offices, password, language).",
)
@with_appcontext
def officer_create(
    username: str, role: str | None, offices: tuple[str, ...], password_stdin: bool, language: str | None, update: bool
) -> None:
    """Create an officer (the password is stored only as a scrypt hash, never printed)."""
    if not update and role is None:
        raise click.UsageError("--role is required: officer, supervisor or admin")
    # With --update and no --password-stdin the password stays as it is.
    password = _read_password(password_stdin) if password_stdin or not update else None
    try:
        with database().transaction() as session:
            if update:
                officer = update_officer(
                    session, username, password=password, role=role, office_codes=offices or None, language=language
                )
            else:
                officer = create_officer(
                    session, username, password or "", role or "", offices, now(), language=language or "id"
                )
            served = ", ".join(o.code for o in offices_served(session, officer))
            name, final_role = officer.username, officer.role
    except OfficerExists as error:
        raise click.ClickException(f"{error}: choose another username, or add --update to change it") from None
    except OfficerError as error:
        raise click.ClickException(str(error)) from None
    where = "every office" if final_role == OfficerRole.ADMIN else served
    click.echo(f"officer {name} {'updated' if update else 'created'}: {final_role}, {where}")


@officer_group.command("list")
@with_appcontext
def officer_list() -> None:
    """List the officers: username, role, offices served, and whether they may sign in."""
    with database().transaction() as session:
        rows = [
            (
                o.username,
                o.role,
                "every office" if o.role == OfficerRole.ADMIN else ",".join(x.code for x in offices_served(session, o)),
                "active" if o.active else "disabled",
            )
            for o in all_officers(session)
        ]
    _echo_table(rows, "no officers yet: hotline officer create USERNAME --role officer --office CODE")


def _echo_table(rows: Sequence[tuple[str, ...]], empty: str) -> None:
    """Print rows as aligned columns (the last one left as it is), or `empty` when there are none."""
    if not rows:
        click.echo(empty)
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False)) + "  " + row[-1])


def _set_active(username: str, active: bool) -> None:
    try:
        with database().transaction() as session:
            officer = update_officer(session, username, active=active)
            name = officer.username
    except OfficerError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"officer {name} {'enabled: may sign in again' if active else 'disabled: signed out, may not sign in'}")


@officer_group.command("disable")
@click.argument("username")
@with_appcontext
def officer_disable(username: str) -> None:
    """Stop an officer signing in; their open sessions end at their next request."""
    _set_active(username, False)


@officer_group.command("enable")
@click.argument("username")
@with_appcontext
def officer_enable(username: str) -> None:
    """Let a disabled officer sign in again."""
    _set_active(username, True)


@main.group("token")
def token_group() -> None:
    """Manage API tokens."""


@token_group.command("create")
@click.argument("name")
@click.option(
    "--office", "offices", multiple=True, metavar="CODE", help="An office it reads (repeat; default: every office)."
)
@click.option("--days", type=int, default=DEFAULT_DAYS, show_default=True, help="Days until it expires.")
@click.option("--full-phones", is_flag=True, help="Show citizens' full phone numbers (else masked).")
@with_appcontext
def token_create(name: str, offices: tuple[str, ...], days: int, full_phones: bool) -> None:
    """Create an API token; it is printed once, as the last word, and stored only hashed."""
    if not name.strip() or len(name) > 100:
        raise click.ClickException("the name must be 1-100 characters")
    try:
        with database().transaction() as session:
            known = {o.code for o in all_offices(session)}
            unknown = sorted({c.upper() for c in offices} - known)
            if unknown:
                raise TokenError(f"no office {unknown[0]} (the offices are {', '.join(sorted(known))})")
            token = create_token(
                session, name.strip(), now(), office_codes=offices or None, days=days, full_phones=full_phones
            )
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"token for {name.strip()} (shown once, keep it safe): {token}")


@token_group.command("list")
@with_appcontext
def token_list() -> None:
    """List the tokens: id, name, offices, phone numbers, expiry, last use (never the token)."""
    instant = now()
    with database().transaction() as session:
        rows = []
        for t in all_tokens(session):
            if t.revoked_at is not None:
                state = f"revoked {t.revoked_at:%Y-%m-%d}"
            elif t.expires_at is not None and t.expires_at <= instant:
                state = f"expired {t.expires_at:%Y-%m-%d}"
            else:
                state = "expires " + (f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never")
            used = f"used {t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
            offices = ",".join(t.office_codes) if t.office_codes is not None else "every office"
            phones = "full phones" if t.full_phones else "masked phones"
            rows.append((str(t.id), t.name, offices, phones, state, used))
    _echo_table(rows, "no tokens yet: hotline token create NAME --office CODE")


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke(token_id: int) -> None:
    """Revoke a token by its id (see `hotline token list`): it stops working at once."""
    try:
        with database().transaction() as session:
            name = revoke_token(session, token_id, now()).name
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"token {token_id} ({name}) revoked")


@main.command("chat")
@click.option("--from", "sender", required=True, help="The citizen's phone number, e.g. 081234567890.")
@click.option("--whatsapp", is_flag=True, help="Talk as on WhatsApp (default: SMS).")
@click.option("--to", "hotline", default=None, help="The office's hotline number (default: the only office's).")
@with_appcontext
def chat(sender: str, whatsapp: bool, hotline: str | None) -> None:
    """Talk to the bot in the terminal, through the same code and database as the webhook."""
    citizen = parse_address(sender)
    if citizen is None:
        raise click.ClickException(f"--from {sender!r} is not a valid phone number")
    channel = "whatsapp" if whatsapp else "sms"
    with database().transaction() as session:
        if hotline:
            number = parse_address(hotline)
            office = office_by_hotline(session, number[1]) if number else None
            if office is None:
                raise click.ClickException(f"no office has the hotline {hotline!r}")
        else:
            offices = all_offices(session)
            if len(offices) != 1:
                raise click.ClickException("several offices (or none): name one with --to")
            office = offices[0]
        office_id, office_name = office.id, office.name
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(f"Texting {office_name} as {citizen[1]} on {channel}. Ctrl-D to stop.")
    while True:
        if interactive:
            click.echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            break
        message = IncomingMessage(
            sid="SM" + uuid.uuid4().hex, phone=citizen[1], channel=channel, body=line.rstrip("\n")
        )
        with database().transaction() as session:
            office = session.get(Office, office_id)
            if office is None:
                raise click.ClickException("the office is gone (removed while chatting)")
            replies = receive(session, office, message, now(), limits())
        for reply in replies:
            click.echo(f"bot: {reply}")


@main.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler process: reminders, releases, the waitlist and message delivery."""
    from scheduler.process import build_scheduler
    from scheduler.run import DeliverySettings

    logs.configure()  # JSON lines on standard error, as the web app's
    transport = _transport()
    scheduler = build_scheduler(
        database(), transport, DeliverySettings.from_config(current_app.config), clock(), limits()
    )
    click.echo(f"scheduler running, sending through {type(transport).__name__}; Ctrl-C stops it")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


def _transport() -> Transport:
    from hotline.twilio_out import TransportNotConfigured, transport_from_config

    try:
        return transport_from_config(current_app.config)
    except TransportNotConfigured as error:
        raise click.ClickException(str(error)) from None


@main.group("jobs")
def jobs_group() -> None:
    """Run the scheduler's jobs by hand."""


def _parse_now(value: str | None) -> dt.datetime:
    if value is None:
        return now()
    try:
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not ISO 8601, e.g. 2026-12-01T09:00+07:00") from None
    if instant.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset: add one, e.g. +07:00 or Z")
    return instant.astimezone(dt.UTC)


@jobs_group.command("run-due")
@click.option("--now", "now_text", default=None, help="Run as of this instant (ISO 8601 with offset); default: now.")
@with_appcontext
def run_due_command(now_text: str | None) -> None:
    """Run every sweep once as of --now, deliver what is due, and exit."""
    from scheduler.run import DeliverySettings, run_due

    instant = _parse_now(now_text)
    done = run_due(database(), instant, _transport(), DeliverySettings.from_config(current_app.config), limits())
    click.echo(f"as of {instant.isoformat()}: " + ", ".join(f"{k} {v}" for k, v in done.items()))
