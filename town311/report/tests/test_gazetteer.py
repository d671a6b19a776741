from town311.directory.gazetteer import normalize, places_search
from town311.directory.models import Place
from town311.report.tests.base import ReportTestCase


class PlacesSearchTests(ReportTestCase):
    def names(self, text: str, **kwargs) -> list[str]:
        return [match.place.name for match in places_search(text, **kwargs)]

    def test_it_ignores_case_and_accents(self):
        self.make_place("Café Élan")

        self.assertEqual(self.names("cafe elan"), ["Café Élan"])
        self.assertEqual(self.names("CAFÉ"), ["Café Élan"])

    def test_it_matches_aliases(self):
        self.make_place("Sawyer Grist Mill", aliases="the old mill, Mill Museum")

        match = places_search("the old mill")[0]

        self.assertEqual(match.place.name, "Sawyer Grist Mill")
        self.assertEqual(match.address, "Sawyer Grist Mill")
        self.assertTrue(match.is_exact)

    def test_it_puts_the_best_matches_first(self):
        self.make_place("Soak Pit")
        self.make_place("Old Oak Grove")
        self.make_place("Oak Park")
        self.make_place("Oak")

        self.assertEqual(
            self.names("oak"), ["Oak", "Oak Park", "Old Oak Grove", "Soak Pit"]
        )

    def test_it_matches_the_start_of_each_word(self):
        self.make_place("Central Public Library")

        self.assertEqual(self.names("pub lib"), ["Central Public Library"])

    def test_it_knows_street_abbreviations(self):
        self.make_place("Elm Street", kind=Place.Kind.STREET)
        self.make_place("North Main Avenue", kind=Place.Kind.STREET)

        self.assertEqual(self.names("elm st"), ["Elm Street"])
        self.assertEqual(self.names("N Main Ave"), ["North Main Avenue"])

    def test_it_keeps_a_house_number_in_the_address(self):
        elm = self.make_place("Elm Street", kind=Place.Kind.STREET)

        match = places_search("123 Elm St")[0]

        self.assertEqual(match.place, elm)
        self.assertEqual(match.address, "123 Elm Street")
        self.assertTrue(match.is_exact)
        self.assertEqual((match.lat, match.long), (elm.lat, elm.long))

    def test_it_keeps_a_direction_that_is_not_part_of_the_name(self):
        main = self.make_place("Main Street", kind=Place.Kind.STREET)
        north_main = self.make_place("North Main Avenue", kind=Place.Kind.STREET)

        match = places_search("1234 E Main St")[0]
        self.assertEqual(match.place, main)
        self.assertEqual(match.address, "1234 E Main Street")
        self.assertTrue(match.is_exact)

        match = places_search("12 N Main Ave")[0]
        self.assertEqual(match.place, north_main)
        self.assertEqual(match.address, "12 North Main Avenue")

    def test_it_keeps_numbers_of_landmarks_as_their_name(self):
        self.make_place("7 Pines Campground")

        match = places_search("7 pines")[0]

        self.assertEqual(match.address, "7 Pines Campground")

    def test_it_understands_intersections_written_either_way(self):
        self.make_place("Elm & 3rd", kind=Place.Kind.INTERSECTION)

        self.assertEqual(self.names("elm and 3rd"), ["Elm & 3rd"])

    def test_it_needs_two_characters(self):
        self.make_place("Oak Park")

        self.assertEqual(places_search("o"), [])
        self.assertEqual(places_search("  "), [])

    def test_it_returns_at_most_the_limit(self):
        for n in range(12):
            self.make_place(f"Oak Court {n}")

        self.assertEqual(len(places_search("oak")), 8)
        self.assertEqual(len(places_search("oak", limit=3)), 3)

    def test_it_finds_nothing_for_unknown_places(self):
        self.make_place("Oak Park")

        self.assertEqual(places_search("Birch Park"), [])


class NormalizeTests(ReportTestCase):
    def test_it_folds_text_for_matching(self):
        self.assertEqual(normalize("  Saint-Éloi’s  Street, "), "saint elois st")
        self.assertEqual(normalize("St. Mary's"), "st marys")
