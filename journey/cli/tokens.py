"""``journey tokens``: API tokens for the JSON API and calendar-feed tokens (shown once, stored hashed)."""

from __future__ import annotations

import click

from journey.cli._common import actor_option, echo_json, echo_table, get_app, json_option
from journey.cli._i18n import _


@click.group()
def tokens() -> None:
    """Create, list and revoke API and calendar-feed tokens for `journey serve`."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for (e.g. 'diarium Public 360').")
@click.option("--feed", "feed", metavar="MUNICIPALITY",
              help="A calendar-feed token for MUNICIPALITY's ICS feed instead of an API token.")
@actor_option
def create(username: str, name: str, feed: str | None, actor: str | None) -> None:
    """Create a token acting as USERNAME and print it once (only its digest is stored).

    An API token goes in the header `Authorization: Bearer TOKEN`. A feed token (--feed) only
    opens that municipality's calendar at /kalender/SLUG.ics?token=TOKEN (subscribe with webcal://).

    \b
    Example:
        journey tokens create anna --name "diarium" --as admin
        journey tokens create anna --feed Hudiksvall --as anna
    """
    from journey.services.auth.tokens import create_token

    made = create_token(get_app().deps, actor, username, name, feed)
    click.echo(made.token)
    what = _("calendar feed of {municipality}").format(municipality=made.municipality) if made.municipality else "API"
    click.echo(_("token #{id} for {username} ({what}); it is shown only now: store it safely").format(
        id=made.id, username=made.username, what=what), err=True)


@tokens.command("list")
@click.argument("username", required=False)
@json_option
@actor_option
def list_(username: str | None, as_json: bool, actor: str | None) -> None:
    """List tokens (id, first characters, scope, last use); admins see everyone's.

    \b
    Example:
        journey tokens list anna --as admin
    """
    from journey.services.auth.tokens import list_tokens

    rows = list_tokens(get_app().deps, actor, username)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Id"), _("User"), _("Token"), _("Scope"), _("Municipality"), _("Name"), _("Created"),
                _("Last used"), _("Revoked")],
               [[r["id"], r["username"], r["prefix"] + "…", r["scope"], r["municipality"] or "", r["name"],
                 (r["created_at"] or "")[:16], (r["last_used_at"] or "")[:16], (r["revoked_at"] or "")[:16]]
                for r in rows])


@tokens.command("revoke")
@click.argument("token_id", type=int)
@actor_option
def revoke(token_id: int, actor: str | None) -> None:
    """Revoke token TOKEN_ID at once (see `journey tokens list`); it cannot be used again.

    \b
    Example:
        journey tokens revoke 3 --as admin
    """
    from journey.services.auth.tokens import revoke_token

    row = revoke_token(get_app().deps, actor, token_id)
    click.echo(_("token #{id} of {username} revoked").format(id=row['id'], username=row['username']))
