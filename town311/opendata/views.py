import json
import logging

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from town311.campaigns import services as campaigns
from town311.directory.models import Town
from town311.opendata.catalogue import catalogue_build
from town311.opendata.datasets import (
    SERVICE_REQUESTS,
    campaign_dataset,
    dataset_list,
    public_requests,
)
from town311.opendata.formats import RequestRows, csv_chunks, geojson_chunks
from town311.opendata.forms import RequestFilterForm

logger = logging.getLogger(__name__)


def _cors(response: HttpResponse) -> HttpResponse:
    # Open data is for anyone's web page to fetch, maps included.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, description: str) -> HttpResponse:
    return _cors(
        JsonResponse(
            [{"code": status, "description": description}], status=status, safe=False
        )
    )


def _no_town() -> HttpResponse:
    return _error(404, "This site has no town set up yet, so it has no open data.")


# /open-data/


@require_GET
def index(request):
    town = Town.objects.current()
    datasets = [
        {
            "dataset": dataset,
            "coverage": dataset.coverage(town) if town else None,
            "licence": dataset.licence(town) if town else None,
        }
        for dataset in dataset_list()
    ]
    context = {
        "datasets": datasets,
        "api_url": f"{get_script_prefix()}open311/",
    }
    with timezone.override(town.zone if town else None):
        return render(request, "opendata/index.html", context)


# /data.json


@require_GET
def data_json(request):
    town = Town.objects.current()
    if town is None:
        return _no_town()

    catalogue = catalogue_build(town=town, absolute=request.build_absolute_uri)
    return _cors(JsonResponse(catalogue, json_dumps_params={"ensure_ascii": False}))


# /open-data/requests.geojson and .csv


def _request_rows(request, town: Town) -> RequestRows | str:
    """The rows the filters ask for, or what is wrong with the filters."""
    form = RequestFilterForm(request.GET, zone=town.zone)
    if not form.is_valid():
        return form.problem()

    page = request.build_absolute_uri(reverse("front:request", args=[0]))
    prefix, _, suffix = page.rpartition("/0/")
    return RequestRows(
        form.filter(public_requests()),
        zone=town.zone,
        url_prefix=f"{prefix}/",
        url_suffix=f"/{suffix}",
    )


def _stream(request, *, distribution_format: str, chunks) -> HttpResponse:
    town = Town.objects.current()
    if town is None:
        return _no_town()

    rows = _request_rows(request, town)
    if isinstance(rows, str):
        return _error(400, rows)

    distribution = next(
        d for d in SERVICE_REQUESTS.distributions if d.format == distribution_format
    )
    content_type = f"{distribution.media_type}; charset=utf-8"
    response = StreamingHttpResponse(chunks(rows), content_type=content_type)
    file_name = SERVICE_REQUESTS.file_name(town, distribution)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return _cors(response)


@require_GET
def requests_geojson(request):
    return _stream(request, distribution_format="GeoJSON", chunks=geojson_chunks)


@require_GET
def requests_csv(request):
    return _stream(request, distribution_format="CSV", chunks=csv_chunks)


# /open-data/campaigns/<slug>.geojson and .csv


def _campaign_file(slug: str, *, distribution_format: str, content) -> HttpResponse:
    town = Town.objects.current()
    if town is None:
        return _no_town()

    # Only a campaign that has started is a dataset, as on the open-data page.
    campaign = campaigns.campaigns_started().filter(slug=slug).first()
    if campaign is None:
        return _error(404, f"There is no campaign “{slug}” with open data.")

    dataset = campaign_dataset(campaign)
    distribution = next(
        d for d in dataset.distributions if d.format == distribution_format
    )
    content_type = f"{distribution.media_type}; charset=utf-8"
    response = StreamingHttpResponse(content(campaign), content_type=content_type)
    file_name = dataset.file_name(town, distribution)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return _cors(response)


@require_GET
def campaign_geojson(request, slug: str):
    def content(campaign):
        collection = campaigns.campaign_geojson(campaign, request)
        yield json.dumps(collection, ensure_ascii=False)

    return _campaign_file(slug, distribution_format="GeoJSON", content=content)


@require_GET
def campaign_csv(request, slug: str):
    def content(campaign):
        return campaigns.campaign_csv_chunks(campaign, request)

    return _campaign_file(slug, distribution_format="CSV", content=content)
