// Shared map set-up for every page with a map. A page marks its map
// element with data-map and optional data-lat, data-long, data-zoom; the
// tile server comes from the <body> data attributes set in settings.
(function () {
  "use strict";

  function createMap(element, options) {
    const body = document.body.dataset;
    const lat = parseFloat(element.dataset.lat || "0");
    const long = parseFloat(element.dataset.long || "0");
    const zoom = parseInt(element.dataset.zoom || "13", 10);
    const map = L.map(element, Object.assign({ scrollWheelZoom: false }, options || {}));

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
