"""The area upload's two steps: the file, then its confirmation."""

from django import forms

from town311.metrics.areas import AreaUploadError, areas_parse, size_problem


class AreaUploadForm(forms.Form):
    file = forms.FileField(
        label="GeoJSON file",
        help_text="A FeatureCollection with one Polygon or MultiPolygon feature "
        "per area, each with a “name” property; at most 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json"}),
        error_messages={
            "required": "Choose the GeoJSON file of the town's areas.",
            "empty": "The file is empty: choose the GeoJSON file of the areas.",
        },
    )
    remove_missing = forms.BooleanField(
        label="Remove areas not in this file",
        required=False,
        help_text="Their residents' alert subscriptions are removed with them. "
        "Leave unticked to keep them.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked before reading, so a huge file is never held in memory.
        if problem := size_problem(upload.size):
            raise forms.ValidationError(problem)

        self.content = upload.read()
        try:
            self.areas = areas_parse(self.content)
        except AreaUploadError as error:
            raise forms.ValidationError(error.problems) from None

        return upload


class AreaConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
