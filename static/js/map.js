// Shared map set-up for every page with a map. A page marks its map
// element with data-map and optional data-lat, data-long, data-zoom; the
// tile server comes from the <body> data attributes set in settings, and
// the names of the map's buttons from those the page translated.
(function () {
  "use strict";

  function createMap(element, options) {
    const body = document.body.dataset;
    const lat = parseFloat(element.dataset.lat || "0");
    const long = parseFloat(element.dataset.long || "0");
    const zoom = parseInt(element.dataset.zoom || "13", 10);
    const map = L.map(element, Object.assign(
      { scrollWheelZoom: false, zoomControl: false }, options || {}
    ));

    // Leaflet names its buttons in English; the page gives them in the
    // reader's language.
    L.control.zoom({
      zoomInTitle: body.zoomIn || "Zoom in",
      zoomOutTitle: body.zoomOut || "Zoom out",
    }).addTo(map);
    map.on("popupopen", function (event) {
      const close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && body.closePopup) close.setAttribute("aria-label", body.closePopup);
    });
    L.tileLayer(body.tileUrl, {
      attribution: body.tileAttribution,
      maxZoom: parseInt(body.maxZoom || "19", 10),
    }).addTo(map);
    map.setView([lat, long], zoom);
    return map;
  }

  window.town311 = window.town311 || {};
  window.town311.createMap = createMap;
})();
