"""Replace the town's areas (neighbourhoods) from a GeoJSON file.

The figures by area are only as good as the outlines behind them, and a
town usually keeps its neighbourhoods in a GIS tool. This loads that
tool's export, a FeatureCollection of named polygons, exactly as the
upload page does: every feature is checked first and nothing changes if
one is bad; areas are updated by name; areas missing from the file stay
unless `--remove-missing` is given (their alert subscriptions go with
them). It then places every request in its area again, here and now,
printing progress. `--dry-run` only checks and says what would change.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from town311.metrics.areas import (
    AreaUploadError,
    areas_apply,
    areas_parse,
    areas_plan,
    requests_place,
)


class Command(BaseCommand):
    help = "Load the town's areas from a GeoJSON FeatureCollection."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE.geojson")
        parser.add_argument(
            "--remove-missing",
            action="store_true",
            help="Remove areas that are not in the file, with their alert "
            "subscriptions.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; change nothing."
        )

    def handle(self, *args, **options) -> str:
        remove_missing = options["remove_missing"]
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from error

        try:
            # From the shell a large file is the operator's choice.
            areas = areas_parse(data, max_bytes=None)
        except AreaUploadError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Nothing was changed: {len(error.problems)} problem(s) in the file."
            ) from error

        plan = areas_plan(areas, remove_missing=remove_missing)
        self.stdout.write(
            f"{len(plan.to_add)} to add, {len(plan.to_update)} to update, "
            f"{len(plan.unchanged)} unchanged, {len(plan.to_remove)} to remove "
            f"({plan.subscriptions_affected} alert subscription(s)), "
            f"{len(plan.kept)} not in the file and kept."
        )
        if options["verbosity"] > 1:
            for word, names in (
                ("Add", plan.to_add),
                ("Update", plan.to_update),
                ("Remove", plan.to_remove),
            ):
                for name in names:
                    self.stdout.write(f"{word}: {name}")
        if options["dry_run"]:
            return "Dry run: nothing was changed."

        result = areas_apply(areas, remove_missing=remove_missing, place_later=False)
        changed = requests_place(progress=self._progress)
        return (
            f"{result.added} area(s) added, {result.updated} updated, "
            f"{result.removed} removed; {changed} request(s) changed area."
        )

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"Placed {done} of {total} requests")
