// The small map on a request's page: one marker where it was reported.
(function () {
  "use strict";

  document.querySelectorAll("[data-request-map]").forEach(function (element) {
    element.hidden = false;
    const map = window.town311.createMap(element);
    const lat = parseFloat(element.dataset.lat);
    const long = parseFloat(element.dataset.long);
    L.circleMarker([lat, long], { radius: 9, weight: 3 }).addTo(map);
  });
})();
