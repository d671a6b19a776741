"""Create, revoke and list Open311 API keys from the shell.

The Django admin does the same; this command is for servers set up by
scripts, and for revoking a leaked key quickly from a terminal. The raw key
is printed once, by `create`, and cannot be recovered later.
"""

from datetime import UTC

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from town311.accounts.models import User
from town311.open311.keys import api_key_create, api_key_revoke
from town311.open311.models import ApiKey


def _when(moment) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


class Command(BaseCommand):
    help = "Create, revoke or list the API keys of Open311 clients."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)

        create = actions.add_parser("create", help="Make a key and print it once.")
        create.add_argument("--name", required=True, help="Who uses the key.")
        create.add_argument(
            "--owner", required=True, help="Username of the person responsible."
        )
        create.add_argument(
            "--rate-limit",
            type=int,
            default=60,
            help="Calls per minute the client may make (default 60).",
        )

        revoke = actions.add_parser("revoke", help="Stop a key from working.")
        revoke.add_argument("prefix", help="The 8 characters after t311_.")

        actions.add_parser("list", help="Show every key (never the secret).")

    def handle(self, *args, action: str, **options) -> str:
        return getattr(self, f"_{action}")(**options)

    def _create(self, *, name: str, owner: str, rate_limit: int, **options) -> str:
        user = User.objects.filter(username=owner).first()
        if user is None:
            raise CommandError(
                f"No user is called {owner!r}; give an existing username."
            )
        if rate_limit < 1:
            raise CommandError("--rate-limit must be a whole number of 1 or more.")

        try:
            api_key, raw_key = api_key_create(
                name=name, owner=user, rate_limit=rate_limit
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

        self.stdout.write(raw_key)
        return (
            f"Created API key {api_key.prefix} for {api_key.name}; "
            "copy the key above now, it will not be shown again."
        )

    def _revoke(self, *, prefix: str, **options) -> str:
        prefix = prefix.removeprefix("t311_")[:8]
        api_key = ApiKey.objects.filter(prefix=prefix).first()
        if api_key is None:
            raise CommandError(
                f"No API key has the prefix {prefix!r}; see `manage.py api_key list`."
            )

        already = api_key.is_revoked
        api_key_revoke(api_key=api_key)
        if already:
            return f"API key {prefix} ({api_key.name}) was already revoked."
        return f"Revoked API key {prefix} ({api_key.name})."

    def _list(self, **options) -> str:
        keys = ApiKey.objects.select_related("owner").order_by("created_at")
        for api_key in keys:
            state = (
                f"revoked {_when(api_key.revoked_at)}"
                if api_key.is_revoked
                else "active"
            )
            self.stdout.write(
                f"{api_key.prefix}  {api_key.name}  owner={api_key.owner.username}  "
                f"{api_key.rate_limit}/min  created {_when(api_key.created_at)}  "
                f"last used {_when(api_key.last_used_at)}  {state}"
            )
        return f"{len(keys)} API key(s)."
