"""Load a town's past requests from its previous system.

A town that starts with town311 should see its figures and trends from
day one, not after a year of new requests. This reads the old system's
export (the town311 CSV layout, described in `town311.metrics.importing`
and docs/importing.md; other products' column names are renamed with
`--map "Created At=submitted_at"`), checks every row, and imports all of
them or, if any row is refused, none. Running it again on the same file
imports nothing twice. `--dry-run` only checks and reports.
"""

from django.core.management.base import BaseCommand, CommandError

from town311.metrics.importing import ImportFileError, mapping_parse, requests_import


class Command(BaseCommand):
    help = "Import past requests from a CSV file; all rows or none."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar='"Their Column=our_column"',
            help="Rename a column of the file; repeat for each column.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; import nothing."
        )

    def handle(self, *args, **options) -> None:
        try:
            result = requests_import(
                path=options["file"],
                mapping=mapping_parse(options["map"]),
                dry_run=options["dry_run"],
            )
        except (ImportFileError, OSError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error

        for row in result.refused:
            self.stderr.write(f"Line {row.line}: {row.reason}")
        if result.refused and not result.dry_run:
            self.stderr.write("Nothing was imported; fix the refused rows and retry.")
        self.stdout.write(result.summary())
        if result.refused and not result.dry_run:
            raise CommandError(f"{len(result.refused)} row(s) refused.")
