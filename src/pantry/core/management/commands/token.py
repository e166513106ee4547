from django.core.management.base import BaseCommand, CommandError, CommandParser

from pantry.core import services
from pantry.core.errors import PantryError


class Command(BaseCommand):
    help = "Create or revoke API bearer tokens of staff users."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create", help="create a token (and the staff user if missing)"
        )
        create.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke every token of a user")
        revoke.add_argument("username")

    def handle(self, *args: object, **options: str) -> None:
        try:
            if options["action"] == "create":
                token = services.create_token(username=options["username"])
                self.stdout.write(token)
                self.stderr.write("Keep this token: it is shown only once.")
            else:
                count = services.revoke_tokens(username=options["username"])
                self.stdout.write(f"revoked {count} token{'s' if count != 1 else ''}")
        except PantryError as exc:
            raise CommandError(exc.detail) from None
